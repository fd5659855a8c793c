import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { GoalMetricSource } from '../../config/goal-loop.js';
import { scrubFileInPlace } from '../../logging/scrubbed-file.js';
import { readMetric, type MetricReading } from '../../metrics/metric-reader.js';
import { buildChildEnvironment } from '../../supervisor/child-environment.js';
import { runExperimentCommand } from './experiment-command.js';
import type { LoopContext } from './loop-context.js';
import { resolveWorkdirPath } from '../phases/workdir-path.js';

/** One measurement: the metric, or null and why not. */
export interface Measurement {
  metric: number | null;
  problem?: string;
  durationMs: number;
}

/**
 * Measures the workdir as it is: runs the loop's `command` (when there is one) and reads the metric. What the
 * command leaves behind is tidied so the next experiment starts from HEAD: tracked files it changed are put back,
 * new files it wrote become outputs (`.git/info/exclude`). A metric file the command did not write is refused.
 */
export async function measureMetric(context: LoopContext, label: string): Promise<Measurement> {
  const { run, loop, git, workdirRealPath, excluded } = context;
  const started = Date.now();
  const source = loop.metric.from;
  if (loop.command !== undefined) {
    const before = await fileStamp(join(workdirRealPath, source.path));
    const logFile = join(context.commandLogDirectory, `${label}.log`);
    const ran = await runExperimentCommand({
      command: loop.command,
      cwd: workdirRealPath,
      environment: buildChildEnvironment({ passEnv: loop.passEnv }),
      timeLimitMs: loop.commandTimeout,
      logFile,
      signal: run.signal,
    });
    // The command's log and the last lines quoted from it are kept and shown: the process's secrets come out first.
    const scrubber = run.dependencies.scrubber;
    if (scrubber !== undefined) await scrubFileInPlace(logFile, scrubber);
    const outcome = scrubber === undefined ? ran : { ...ran, detail: scrubber.text(ran.detail) };
    run.throwIfStopped();
    const reading = outcome.ok ? await readWorkdirMetric(workdirRealPath, source) : undefined;
    const left = await git.changes(excluded, { untrackedDirectories: true });
    await git.restore(left.tracked);
    await git.exclude(left.untracked);
    if (!outcome.ok)
      return {
        metric: null,
        problem: `the command \`${loop.command}\` ${outcome.detail}`,
        durationMs: Date.now() - started,
      };
    if ((await fileStamp(join(workdirRealPath, source.path))) === before) {
      return {
        metric: null,
        problem: `the command \`${loop.command}\` did not write \`${source.path}\`: its metric would be stale`,
        durationMs: Date.now() - started,
      };
    }
    return fromReading(reading!, started);
  }
  return fromReading(await readWorkdirMetric(workdirRealPath, source), started);
}

/** Reads the metric from its source inside the workdir (`workdirRealPath`: a real path); no path leads outside it. */
export function readWorkdirMetric(workdirRealPath: string, source: GoalMetricSource): Promise<MetricReading> {
  return readMetric(source, {
    async locate(path) {
      const resolved = await resolveWorkdirPath(workdirRealPath, path);
      if (resolved.kind === 'refused') return { problem: `\`${path}\` is refused: ${resolved.reason}` };
      if (resolved.kind === 'missing') return { problem: `\`${path}\` does not exist` };
      return { realPath: resolved.realPath };
    },
  });
}

function fromReading(reading: MetricReading, started: number): Measurement {
  const durationMs = Date.now() - started;
  return 'value' in reading
    ? { metric: reading.value, durationMs }
    : { metric: null, problem: reading.problem, durationMs };
}

/** A file's modification time and size, as one comparable string; "absent" when there is none. */
async function fileStamp(path: string): Promise<string> {
  return stat(path).then(
    (stats) => `${stats.mtimeMs}:${stats.size}`,
    () => 'absent',
  );
}
