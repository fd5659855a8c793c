import { parseDuration } from '../text/duration.js';
import { parseFieldPath, type FieldPathSegment } from './goal-phases-field-path.js';

/** How a counted condition compares: `has at least 500 lines`, `has exactly 30 lines`, `has at most 10 records`. */
export type CountComparison = 'at-least' | 'at-most' | 'exactly';
/** Operators of a JSON field condition. `<`, `<=`, `>`, `>=` compare numbers only. */
export type FieldOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';
/** What a JSON field is compared with. */
export type FieldValue = string | number | boolean | null;

/** What a condition checks, without where it was written. Paths are relative to the workdir. */
export type GoalConditionCheck =
  | { kind: 'exists'; path: string }
  | { kind: 'non-empty'; path: string }
  | { kind: 'line-count'; path: string; comparison: CountComparison; count: number }
  | { kind: 'record-count'; path: string; comparison: CountComparison; count: number }
  | {
      kind: 'json-field';
      path: string;
      field: string;
      fieldPath: FieldPathSegment[];
      operator: FieldOperator;
      value: FieldValue;
    }
  | { kind: 'command'; command: string; exitCode: number; timeLimitMs?: number };

/** One machine-checkable "Done when" item of a phase: the check, its line in the goal file and its text. */
export type GoalCondition = GoalConditionCheck & {
  /** Line of the list item in the goal file (1-based, front matter included). */
  line: number;
  /** The item as written, without the bullet: what reports show. */
  text: string;
};

/** The forms a "Done when" item may take, one example each: shown when an item is not understood. */
export const CONDITION_EXAMPLES: readonly string[] = [
  '`data/train.jsonl` exists',
  '`data/train.jsonl` is non-empty',
  '`data/train.jsonl` has at least 500 lines   (also: has exactly N / has at most N)',
  '`data/train.jsonl` has at least 500 records   (JSONL: each non-empty line one JSON value)',
  '`results/eval.json` field `metrics.accuracy` >= 0.8   (==, !=, <, <=, >, >=; a number, "string", true, false, null)',
  '`results/eval.json` field `runs[0].status` is "finished"   (also: is not, is at least, is at most, is greater than, is less than)',
  '`python -m pytest -q` exits 0   (also: command `…` exits 0, `…` succeeds; optional "within 5m")',
];

const WORD_OPERATORS: ReadonlyArray<[RegExp, FieldOperator]> = [
  [/^is\s+at\s+least\b/i, '>='],
  [/^is\s+at\s+most\b/i, '<='],
  [/^is\s+(?:greater|more)\s+than\b/i, '>'],
  [/^is\s+(?:less|fewer)\s+than\b/i, '<'],
  [/^is\s+not\b/i, '!='],
  [/^(?:is\s+equal\s+to|equals|is)\b/i, '=='],
];
/** `=` is read as `==`; `=>` and the like are not operators. */
const SYMBOL_OPERATOR = /^(==|!=|<=|>=|<|>|=)(?![=<>!])/;

const COUNT = /^has\s+(?:(at\s+least|at\s+most|exactly)\s+)?(\d[\d,_]*)\s+(lines?|(?:jsonl?\s+)?records?)$/i;
const EXITS = /^exits\s+(?:with\s+(?:(?:exit\s+)?(?:code|status)\s+)?)?(\d+)(?:\s+within\s+(.+))?$/i;
const SUCCEEDS = /^succeeds(?:\s+within\s+(.+))?$/i;

/**
 * Reads one "Done when" item (bullet and checkbox already removed). The grammar: a path or command in
 * backticks, then what must hold of it; see CONDITION_EXAMPLES. A problem comes back in words.
 */
export function parseGoalCondition(item: string): { check: GoalConditionCheck } | { problem: string } {
  let rest = item.trim().replace(/\s*[.;]$/, '');
  const prefix = /^(?:the\s+)?(file|command)\s+(?=`)/i.exec(rest);
  if (prefix) rest = rest.slice(prefix[0].length);
  const subject = readCodeSpan(rest, 0);
  if (!subject) return { problem: 'it does not start with a path or a command in backticks' };
  if (subject.content.trim() === '')
    return { problem: 'the backticks at its start are empty; put a path or a command in them' };
  const predicate = rest.slice(subject.end).trim();
  const kindWord = prefix?.[1]?.toLowerCase();

  const exits = EXITS.exec(predicate);
  const succeeds = exits ? undefined : SUCCEEDS.exec(predicate);
  if (exits || succeeds) {
    if (kindWord === 'file')
      return { problem: 'a file cannot exit; write `command` instead of `file`, or check the file with "exists"' };
    const exitCode = exits ? Number(exits[1]) : 0;
    const within = exits ? exits[2] : succeeds?.[1];
    if (exitCode > 255) return { problem: `exit codes go from 0 to 255; got ${exitCode}` };
    if (within === undefined) return { check: { kind: 'command', command: subject.content, exitCode } };
    const timeLimitMs = parseTimeLimit(within);
    if (timeLimitMs === undefined)
      return { problem: `"within ${within}" is not a time limit; write e.g. "within 90s", "within 5m" or "within 2h"` };
    return { check: { kind: 'command', command: subject.content, exitCode, timeLimitMs } };
  }
  if (kindWord === 'command')
    return { problem: 'a command condition ends with "exits 0" (or "exits N", "succeeds"), optionally "within 5m"' };

  const path = subject.content;
  if (/^exists$/i.test(predicate)) return { check: { kind: 'exists', path } };
  if (/^is\s+(?:non-?empty|not\s+empty)$/i.test(predicate)) return { check: { kind: 'non-empty', path } };
  const count = COUNT.exec(predicate);
  if (count) {
    const unit = /record/i.test(count[3] ?? '') ? 'records' : 'lines';
    if (count[1] === undefined)
      return {
        problem: `say how many ${unit} are enough: "has at least ${count[2]} ${unit}", "has exactly ${count[2]} ${unit}" or "has at most ${count[2]} ${unit}"`,
      };
    const comparison = count[1].toLowerCase().replace(/\s+/g, '-') as CountComparison;
    return {
      check: {
        kind: unit === 'records' ? 'record-count' : 'line-count',
        path,
        comparison,
        count: Number((count[2] ?? '').replace(/[,_]/g, '')),
      },
    };
  }
  const field = /^(?:has\s+)?field\s+/i.exec(predicate);
  if (field) return parseFieldCondition(path, predicate.slice(field[0].length));
  return {
    problem: `after \`${path}\` it expects "exists", "is non-empty", "has at least N lines", "has at least N records", "field \`name\` >= 0.8" or "exits 0"; got "${predicate}"`,
  };
}

function parseFieldCondition(path: string, text: string): { check: GoalConditionCheck } | { problem: string } {
  const fieldSpan = readCodeSpan(text, 0);
  if (!fieldSpan) return { problem: 'put the field in backticks after "field", e.g. field `metrics.accuracy` >= 0.8' };
  const fieldPath = parseFieldPath(fieldSpan.content);
  if ('problem' in fieldPath) return fieldPath;
  const comparisonText = text.slice(fieldSpan.end).trim();
  const comparison = readOperator(comparisonText);
  if (comparison === undefined) {
    return {
      problem: `after the field it expects a comparison (==, !=, <, <=, >, >=, "is", "is at least" …) and a value; got "${comparisonText}"`,
    };
  }
  const { operator, valueText } = comparison;
  const value = parseFieldValue(valueText);
  if (value === undefined)
    return {
      problem: `the value to compare with must be a number, a quoted string, true, false or null; got "${valueText}"`,
    };
  if (['<', '<=', '>', '>='].includes(operator) && typeof value.value !== 'number') {
    return {
      problem: `${operator} compares numbers; ${valueText} is not a number (use == or != for strings, true, false and null)`,
    };
  }
  return {
    check: {
      kind: 'json-field',
      path,
      field: fieldSpan.content.trim(),
      fieldPath: fieldPath.segments,
      operator,
      value: value.value,
    },
  };
}

/** The operator at the start of `text` (a symbol or words) and the value text after it. */
function readOperator(text: string): { operator: FieldOperator; valueText: string } | undefined {
  const symbol = SYMBOL_OPERATOR.exec(text);
  if (symbol)
    return {
      operator: symbol[1] === '=' ? '==' : (symbol[1] as FieldOperator),
      valueText: text.slice(symbol[0].length).trim(),
    };
  for (const [pattern, operator] of WORD_OPERATORS) {
    const words = pattern.exec(text);
    if (words) return { operator, valueText: text.slice(words[0].length).trim() };
  }
  return undefined;
}

function parseFieldValue(text: string): { value: FieldValue } | undefined {
  if (text === '') return undefined;
  const singleQuoted = /^'([^']*)'$/.exec(text);
  if (singleQuoted) return { value: singleQuoted[1] ?? '' };
  if (!/^(?:-?\d|"|true$|false$|null$)/.test(text)) return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (
      value === null ||
      typeof value === 'string' ||
      typeof value === 'boolean' ||
      (typeof value === 'number' && Number.isFinite(value))
    )
      return { value };
  } catch {
    // Falls through: not a JSON scalar.
  }
  return undefined;
}

const TIME_UNITS: ReadonlyArray<[RegExp, string]> = [
  [/^(?:ms|milliseconds?)$/i, 'ms'],
  [/^(?:s|secs?|seconds?)$/i, 's'],
  [/^(?:m|mins?|minutes?)$/i, 'm'],
  [/^(?:h|hrs?|hours?)$/i, 'h'],
  [/^(?:d|days?)$/i, 'd'],
];

/** "90s", "5m", "5 minutes", "2h", "1.5 hours", or a bare number of seconds → milliseconds. */
function parseTimeLimit(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = match[2] ? TIME_UNITS.find(([pattern]) => pattern.test(match[2] ?? ''))?.[1] : 's';
  return unit === undefined ? undefined : parseDuration(`${match[1]}${unit}`);
}

/**
 * A markdown code span starting at `start`: a run of backticks, the text, the same run again (so
 * ``` `` a`b `` ``` holds a backtick). One space on each side is stripped as markdown does.
 */
export function readCodeSpan(text: string, start: number): { content: string; end: number } | undefined {
  const opening = /^`+/.exec(text.slice(start))?.[0];
  if (!opening) return undefined;
  let index = start + opening.length;
  while (index < text.length) {
    const next = text.indexOf('`', index);
    if (next < 0) return undefined;
    let runEnd = next;
    while (text[runEnd] === '`') runEnd += 1;
    if (runEnd - next === opening.length) {
      let content = text.slice(start + opening.length, next);
      if (content.length >= 2 && content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '')
        content = content.slice(1, -1);
      return { content, end: runEnd };
    }
    index = runEnd;
  }
  return undefined;
}
