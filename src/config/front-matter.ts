import { parse as parseYaml, YAMLParseError } from 'yaml';

const FRONT_MATTER = /^\uFEFF?---[ \t]*\r?\n(?:([\s\S]*?)\r?\n)?---[ \t]*(?:\r?\n|$)/;

/** A markdown file's YAML front matter (between the opening and closing `---` lines) and the body after it. */
export interface FrontMatterSplit {
  yaml: string;
  body: string;
}

/** Splits off the front matter; undefined when the file does not start with a `---` line closed by another. */
export function splitFrontMatter(source: string): FrontMatterSplit | undefined {
  const match = FRONT_MATTER.exec(source);
  return match ? { yaml: match[1] ?? '', body: source.slice(match[0].length) } : undefined;
}

const OPENING = /^\uFEFF?---[ \t]*\r?\n/;

/**
 * The line of an opening `---` that no `---` line closes (1: the file's first line), for a file splitFrontMatter
 * finds no front matter in; undefined when the file does not start with `---`.
 */
export function unclosedFrontMatter(source: string): number | undefined {
  return OPENING.test(source) && !FRONT_MATTER.test(source) ? 1 : undefined;
}

/**
 * Parses front-matter YAML (empty is `{}`). A syntax error comes back as a problem in words with its position
 * in the file: the front matter starts on the file's second line, so "line 3" is the file's third line.
 */
export function parseFrontMatterYaml(yaml: string): { data: unknown } | { problem: string } {
  try {
    return { data: parseYaml(yaml) ?? {} };
  } catch (error) {
    const where =
      error instanceof YAMLParseError && error.linePos
        ? ` at line ${error.linePos[0].line + 1}, column ${error.linePos[0].col}`
        : '';
    const reason = (error as Error).message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '');
    return { problem: `invalid YAML${where}: ${reason}` };
  }
}
