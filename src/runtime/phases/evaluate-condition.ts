import { readdir, stat } from 'node:fs/promises';
import type { CountComparison, GoalCondition } from '../../config/goal-phases-condition.js';
import { runConditionCommand } from './condition-command.js';
import type { ConditionResult } from './condition-result.js';
import { countJsonlRecords, countLines } from './count-lines.js';
import { checkJsonField } from './json-field-check.js';
import { resolveWorkdirPath } from './workdir-path.js';

/** What every condition of one evaluation shares. */
export interface ConditionContext {
  /** Real path of the workdir, or undefined when it does not exist (every condition then fails). */
  workdirRealPath: string | undefined;
  /** The workdir as given, for messages. */
  workdir: string;
  /** Environment of condition commands. */
  environment: Record<string, string>;
  /** Time limit of commands without "within …". */
  commandTimeLimitMs: number;
  signal?: AbortSignal;
}

/** Checks one condition against the workdir. Never throws: anything that goes wrong is an unmet condition. */
export async function evaluateCondition(condition: GoalCondition, context: ConditionContext): Promise<ConditionResult> {
  if (context.signal?.aborted) return { met: false, detail: 'not checked: the check was cancelled' };
  const workdir = context.workdirRealPath;
  if (workdir === undefined) return { met: false, detail: `the workdir ${context.workdir} does not exist` };
  try {
    if (condition.kind === 'command') {
      return await runConditionCommand({
        command: condition.command,
        exitCode: condition.exitCode,
        cwd: workdir,
        timeLimitMs: condition.timeLimitMs ?? context.commandTimeLimitMs,
        environment: context.environment,
        signal: context.signal,
      });
    }
    const resolution = await resolveWorkdirPath(workdir, condition.path);
    if (resolution.kind === 'refused') return { met: false, detail: `refused: ${resolution.reason}` };
    if (resolution.kind === 'missing') return { met: false, detail: 'does not exist' };
    const file = resolution.realPath;
    const status = await stat(file);
    switch (condition.kind) {
      case 'exists':
        return {
          met: true,
          detail: status.isDirectory() ? 'exists (a directory)' : `exists (${plural(status.size, 'byte')})`,
        };
      case 'non-empty':
        if (status.isDirectory()) {
          const entries = (await readdir(file)).length;
          return {
            met: entries > 0,
            detail: entries > 0 ? `a directory with ${plural(entries, 'entry', 'entries')}` : 'is an empty directory',
          };
        }
        return { met: status.size > 0, detail: status.size > 0 ? plural(status.size, 'byte') : 'is empty (0 bytes)' };
      case 'line-count':
      case 'record-count':
        if (!status.isFile())
          return {
            met: false,
            detail: `is ${status.isDirectory() ? 'a directory' : 'not a regular file'}, so it has no ${condition.kind === 'line-count' ? 'lines' : 'records'}`,
          };
        if (condition.kind === 'line-count')
          return compareCount(await countLines(file), condition.comparison, condition.count, 'line');
        return await checkRecords(file, condition.comparison, condition.count);
      case 'json-field':
        if (!status.isFile())
          return {
            met: false,
            detail: `is ${status.isDirectory() ? 'a directory' : 'not a regular file'}, not a JSON file`,
          };
        return await checkJsonField(file, condition);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { met: false, detail: `could not be checked: ${code ?? (error as Error).message}` };
  }
}

async function checkRecords(file: string, comparison: CountComparison, count: number): Promise<ConditionResult> {
  const counted = await countJsonlRecords(file);
  if (counted.brokenLine) {
    return {
      met: false,
      detail: `line ${counted.brokenLine.line} is not valid JSON (${counted.brokenLine.reason}); ${plural(counted.records, 'record')} before it`,
    };
  }
  return compareCount(counted.records, comparison, count, 'record');
}

/** "412 of 500 lines", "30 lines", "612 lines, needs at most 500". */
function compareCount(actual: number, comparison: CountComparison, wanted: number, unit: string): ConditionResult {
  const met =
    comparison === 'at-least' ? actual >= wanted : comparison === 'at-most' ? actual <= wanted : actual === wanted;
  const words = comparison.replace('-', ' ');
  if (met)
    return {
      met,
      detail: comparison === 'exactly' ? plural(actual, unit) : `${plural(actual, unit)} (${words} ${wanted})`,
    };
  if (comparison === 'at-least') return { met, detail: `${actual} of ${plural(wanted, unit)}` };
  return { met, detail: `${plural(actual, unit)}, needs ${words} ${wanted}` };
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
