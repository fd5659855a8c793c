import { ConfigError, type ConfigIssue } from '../errors/config-error.js';
import { CONDITION_EXAMPLES, parseGoalCondition, type GoalCondition } from './goal-phases-condition.js';

/**
 * One `## Phase N: title` section of a goal, or the whole goal when it has no phase headings. Its conditions
 * come from the section's "Done when" list; none means the phase cannot be checked ("unchecked").
 */
export interface GoalPhase {
  number: number;
  title: string;
  /** Line of the heading in the goal file (1-based, front matter included); absent for the implicit phase. */
  line?: number;
  /** The section's markdown below the heading, "Done when" list included: what the agents read. */
  text: string;
  conditions: GoalCondition[];
}

export interface ParseGoalPhasesOptions {
  /** How the goal is named in messages (a path, "stdin", "--task"). */
  label: string;
  /** Line of the goal file on which `body` starts (after the front matter). */
  firstLine: number;
  /** Title of the implicit phase of a goal without phase headings. */
  goalName: string;
}

const PHASE_HEADING = /^##[ \t]+phase[ \t]+(\d+)[ \t]*(?:[:.)\-–—][ \t]*)?(.*?)[ \t]*#*[ \t]*$/i;
const WORDY_PHASE_HEADING = /^##[ \t]+phase[ \t]+([^\s:]+)[ \t]*:/i;
const HEADING = /^(#{1,6})(?:[ \t]|$)/;
const DONE_WHEN = /^(?:#{1,6}[ \t]+)?(?:\*\*|__|\*|_)?[ \t]*done[ \t]+when[ \t]*:?[ \t]*(?:\*\*|__|\*|_)?[ \t]*:?$/i;
const BULLET = /^[ \t]*(?:[-*+]|\d+[.)])[ \t]+(?:\[[ xX]\][ \t]+)?(.*)$/;
const FENCE = /^[ \t]{0,3}(`{3,}|~{3,})/;

interface OpenPhase extends GoalPhase {
  textLines: string[];
}

/**
 * Splits a goal body (the markdown after the front matter) into phases. Throws a ConfigError listing every
 * problem with its line: phase numbers that are not 1, 2, 3… in order, a phase without a title, a "Done
 * when" line without a list, and list items that are not conditions (with the accepted forms).
 */
export function parseGoalPhases(body: string, options: ParseGoalPhasesOptions): GoalPhase[] {
  const lines = body.replace(/^\uFEFF/, '').split(/\r?\n/);
  const phases: OpenPhase[] = [];
  const issues: ConfigIssue[] = [];
  const strayDoneWhenLines: number[] = [];
  let conditionProblems = false;
  let current: OpenPhase | undefined;
  let fence: string | undefined;
  const fileLine = (index: number) => options.firstLine + index;
  const issue = (index: number, message: string) => issues.push({ path: `line ${fileLine(index)}`, message });

  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    const fenceMarker = FENCE.exec(line)?.[1];
    if (fence !== undefined || fenceMarker !== undefined) {
      if (fence === undefined) fence = fenceMarker;
      else if (fenceMarker !== undefined && closesFence(fence, fenceMarker, line)) fence = undefined;
      current?.textLines.push(line);
      continue;
    }
    const heading = PHASE_HEADING.exec(line);
    if (heading) {
      current = {
        number: Number(heading[1]),
        title: heading[2] ?? '',
        line: fileLine(index),
        text: '',
        conditions: [],
        textLines: [],
      };
      const numberProblem = describeNumberProblem(phases, current.number);
      if (numberProblem) issue(index, numberProblem);
      if (current.title === '')
        issue(
          index,
          `phase ${current.number} has no title; write "## Phase ${current.number}: what this phase achieves"`,
        );
      phases.push(current);
      continue;
    }
    const wordy = WORDY_PHASE_HEADING.exec(line);
    if (wordy) {
      issue(
        index,
        `"${line.trim()}" names its phase "${wordy[1]}"; write the number in digits, e.g. "## Phase 2: Train the model"`,
      );
      current = undefined;
      continue;
    }
    if (DONE_WHEN.test(line.trim())) {
      const list = readList(lines, index + 1);
      if (current === undefined) strayDoneWhenLines.push(fileLine(index));
      else {
        current.textLines.push(...lines.slice(index, list.end));
        if (list.items.length === 0)
          issue(
            index,
            `"${line.trim()}" is not followed by a list; add one bullet item per condition below it, or remove the line`,
          );
        for (const item of list.items) {
          const parsed = parseGoalCondition(item.text);
          if ('check' in parsed)
            current.conditions.push({ ...parsed.check, line: fileLine(item.index), text: item.text.trim() });
          else {
            conditionProblems = true;
            issue(
              item.index,
              `"Done when" item "${item.text.trim()}" is not a condition mux-swarm can check: ${parsed.problem}`,
            );
          }
        }
      }
      index = list.end - 1;
      continue;
    }
    const level = HEADING.exec(line)?.[1]?.length;
    if (level !== undefined && level <= 2) current = undefined;
    else current?.textLines.push(line);
  }

  if (phases.length > 0) {
    for (const line of strayDoneWhenLines) {
      issues.push({
        path: `line ${line}`,
        message: 'this "Done when" list belongs to no phase; move it under a "## Phase N: title" heading',
      });
    }
  }
  if (issues.length > 0) {
    issues.sort((first, second) => lineOf(first) - lineOf(second));
    throw new ConfigError(
      options.label,
      issues,
      conditionProblems
        ? `A "Done when" item is one condition, in one of these forms:\n${CONDITION_EXAMPLES.map((example) => `  - ${example}`).join('\n')}`
        : undefined,
    );
  }
  if (phases.length === 0) return [{ number: 1, title: options.goalName, text: body.trim(), conditions: [] }];
  return phases.map(({ textLines, ...phase }) => ({ ...phase, text: textLines.join('\n').trim() }));
}

function describeNumberProblem(earlier: readonly GoalPhase[], number: number): string | undefined {
  const same = earlier.find((phase) => phase.number === number);
  const previous = earlier.at(-1);
  const order = 'number the phases 1, 2, 3… in order';
  if (same) return `phase ${number} appears twice (also at line ${same.line}); ${order}`;
  if (previous === undefined) return number === 1 ? undefined : `the first phase is numbered ${number}; ${order}`;
  if (number < previous.number) return `phase ${number} comes after phase ${previous.number}; ${order}`;
  if (number > previous.number + 1) {
    const gap = number - previous.number - 1;
    const missing =
      gap === 1
        ? `phase ${previous.number + 1} is missing`
        : `phases ${previous.number + 1} ${gap === 2 ? 'and' : 'to'} ${number - 1} are missing`;
    return `phase ${number} follows phase ${previous.number}: ${missing}; ${order}`;
  }
  return undefined;
}

/** The bullet items from `start` on (blank lines between them allowed; indented lines continue an item). */
function readList(
  lines: readonly string[],
  start: number,
): { items: Array<{ index: number; text: string }>; end: number } {
  const items: Array<{ index: number; text: string }> = [];
  let end = start;
  for (let index = start; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    if (line.trim() === '') continue;
    const bullet = BULLET.exec(line);
    const last = items.at(-1);
    if (bullet) items.push({ index, text: bullet[1] ?? '' });
    else if (last && /^(?: {2,}|\t)/.test(line) && !HEADING.test(line.trim()))
      last.text = `${last.text.trimEnd()} ${line.trim()}`;
    else break;
    end = index + 1;
  }
  return { items, end };
}

/** A closing fence: the same character, at least as long, nothing else on the line. */
function closesFence(opening: string, marker: string, line: string): boolean {
  return marker[0] === opening[0] && marker.length >= opening.length && line.trim() === marker;
}

function lineOf(issue: ConfigIssue): number {
  return Number(/\d+/.exec(issue.path)?.[0] ?? 0);
}
