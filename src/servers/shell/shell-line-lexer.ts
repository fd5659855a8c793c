/**
 * A small POSIX-shell lexer, just enough to find which programs a command line runs (see command-words.ts).
 * It is not a shell parser: it removes quotes, recognises operators, redirections, comments and here-documents,
 * and hands the text of every command substitution ($(…), `…`, <(…), >(…)) to a callback.
 */

export type ShellToken =
  { kind: 'word'; text: string; raw: string; hasExpansion: boolean } | { kind: 'operator'; text: string };

export interface LexedShellLine {
  tokens: ShellToken[];
  /** Command substitutions found anywhere in the line, each to be scanned as a line of its own. */
  substitutions: string[];
  /** Set when the line could not be read (unterminated quote or substitution). */
  problem?: string;
}

const OPERATORS = [
  ';;&',
  '<<-',
  '<<<',
  '&>>',
  '&&',
  '||',
  ';;',
  ';&',
  '|&',
  '<<',
  '>>',
  '<&',
  '>&',
  '<>',
  '>|',
  '&>',
  '|',
  '&',
  ';',
  '(',
  ')',
  '<',
  '>',
  '\n',
];
const REDIRECTION_OPERATORS = new Set(['<', '>', '>>', '<<', '<<-', '<<<', '<&', '>&', '<>', '>|', '&>', '&>>']);
const OPERATOR_START = new Set(['|', '&', ';', '(', ')', '<', '>', '\n']);

export function isRedirectionOperator(text: string): boolean {
  return REDIRECTION_OPERATORS.has(text);
}

class UnreadableLine extends Error {}

export function lexShellLine(line: string): LexedShellLine {
  const tokens: ShellToken[] = [];
  const substitutions: string[] = [];
  const pendingHereDocuments: { delimiter: string; stripTabs: boolean }[] = [];
  let index = 0;

  try {
    while (index < line.length) {
      const character = line[index] as string;
      if (character === ' ' || character === '\t' || character === '\r') {
        index += 1;
      } else if (character === '\\' && line[index + 1] === '\n') {
        index += 2;
      } else if (character === '#') {
        while (index < line.length && line[index] !== '\n') index += 1;
      } else if (character === '\n') {
        tokens.push({ kind: 'operator', text: '\n' });
        index += 1;
        if (pendingHereDocuments.length > 0) index = skipHereDocuments(line, index, pendingHereDocuments.splice(0));
      } else if ((character === '<' || character === '>') && line[index + 1] === '(') {
        const end = findClosingParenthesis(line, index + 1);
        substitutions.push(line.slice(index + 2, end));
        tokens.push({ kind: 'word', text: '', raw: line.slice(index, end + 1), hasExpansion: true });
        index = end + 1;
      } else if (OPERATOR_START.has(character)) {
        const operator = OPERATORS.find((candidate) => line.startsWith(candidate, index)) as string;
        tokens.push({ kind: 'operator', text: operator });
        index += operator.length;
        if (operator === '<<' || operator === '<<-') {
          const delimiterWord = readWord(line, skipBlanks(line, index), substitutions);
          pendingHereDocuments.push({ delimiter: delimiterWord.text, stripTabs: operator === '<<-' });
          tokens.push(delimiterWord.token);
          index = delimiterWord.end;
        }
      } else {
        const word = readWord(line, index, substitutions);
        // "2>&1": digits right before a redirection are a file descriptor number, not a word.
        const isDescriptorNumber = /^\d+$/.test(word.token.raw) && (line[word.end] === '<' || line[word.end] === '>');
        if (!isDescriptorNumber) tokens.push(word.token);
        index = word.end;
      }
    }
  } catch (error) {
    if (error instanceof UnreadableLine) return { tokens, substitutions, problem: error.message };
    throw error;
  }
  return { tokens, substitutions };
}

function skipBlanks(line: string, index: number): number {
  let position = index;
  while (line[position] === ' ' || line[position] === '\t') position += 1;
  return position;
}

function readWord(
  line: string,
  start: number,
  substitutions: string[],
): { token: ShellToken & { kind: 'word' }; text: string; end: number } {
  let index = start;
  let text = '';
  let hasExpansion = false;
  while (index < line.length) {
    const character = line[index] as string;
    if (character === ' ' || character === '\t' || character === '\r' || OPERATOR_START.has(character)) break;
    if (character === '\\') {
      if (line[index + 1] !== '\n') text += line[index + 1] ?? '';
      index += 2;
    } else if (character === "'") {
      const end = line.indexOf("'", index + 1);
      if (end === -1) throw new UnreadableLine('unterminated single quote');
      text += line.slice(index + 1, end);
      index = end + 1;
    } else if (character === '"') {
      index += 1;
      while (line[index] !== '"') {
        if (index >= line.length) throw new UnreadableLine('unterminated double quote');
        const inner = line[index] as string;
        if (inner === '\\') {
          text += line[index + 1] ?? '';
          index += 2;
        } else if (inner === '$' || inner === '`') {
          hasExpansion = true;
          index = skipExpansion(line, index, substitutions);
        } else {
          text += inner;
          index += 1;
        }
      }
      index += 1;
    } else if (character === '$' || character === '`') {
      const end = skipExpansion(line, index, substitutions);
      if (end === index + 1) {
        text += '$'; // a lone "$" is literal
      } else {
        hasExpansion = true;
      }
      index = end;
    } else {
      text += character;
      index += 1;
    }
  }
  return { token: { kind: 'word', text, raw: line.slice(start, index), hasExpansion }, text, end: index };
}

/** Skips one expansion starting at `$` or a backtick; records command substitutions; returns the index after it. */
function skipExpansion(line: string, index: number, substitutions: string[]): number {
  if (line[index] === '`') {
    let position = index + 1;
    while (line[position] !== '`') {
      if (position >= line.length) throw new UnreadableLine('unterminated backtick substitution');
      position += line[position] === '\\' ? 2 : 1;
    }
    substitutions.push(line.slice(index + 1, position).replace(/\\([`\\$])/g, '$1'));
    return position + 1;
  }
  const next = line[index + 1];
  if (next === '(') {
    const end = findClosingParenthesis(line, index + 1);
    if (line[index + 2] === '(') {
      // $((…)) is arithmetic, but may itself hold command substitutions.
      scanForSubstitutions(line.slice(index + 3, end - 1), substitutions);
    } else {
      substitutions.push(line.slice(index + 2, end));
    }
    return end + 1;
  }
  if (next === '{') {
    // ${name:-word}: the word may hold command substitutions; nested ${…} are consumed by the recursion.
    let position = index + 2;
    while (line[position] !== '}') {
      if (position >= line.length) throw new UnreadableLine('unterminated ${…}');
      const character = line[position] as string;
      if (character === '\\') position += 2;
      else if (character === '$' || character === '`') position = skipExpansion(line, position, substitutions);
      else position += 1;
    }
    return position + 1;
  }
  if (next !== undefined && /[A-Za-z_]/.test(next)) {
    let position = index + 1;
    while (position < line.length && /[A-Za-z0-9_]/.test(line[position] as string)) position += 1;
    return position;
  }
  if (next !== undefined && /[0-9@*#?$!-]/.test(next)) return index + 2;
  return index + 1;
}

/** Records every command substitution in `text`, ignoring quotes (a substitution found by mistake only refuses more). */
function scanForSubstitutions(text: string, substitutions: string[]): void {
  let position = 0;
  while (position < text.length) {
    const character = text[position] as string;
    if (character === '\\') position += 2;
    else if (character === '$' || character === '`')
      position = Math.max(skipExpansion(text, position, substitutions), position + 1);
    else position += 1;
  }
}

/** Index of the ")" that closes the "(" at `open`, skipping quotes and nested parentheses. */
function findClosingParenthesis(line: string, open: number): number {
  let depth = 0;
  let index = open;
  while (index < line.length) {
    const character = line[index] as string;
    if (character === '\\') {
      index += 2;
      continue;
    }
    if (character === "'") {
      const end = line.indexOf("'", index + 1);
      if (end === -1) break;
      index = end + 1;
      continue;
    }
    if (character === '"') {
      index += 1;
      while (index < line.length && line[index] !== '"') index += line[index] === '\\' ? 2 : 1;
      index += 1;
      continue;
    }
    if (character === '(') depth += 1;
    if (character === ')') {
      depth -= 1;
      if (depth === 0) return index;
    }
    index += 1;
  }
  throw new UnreadableLine('unbalanced parentheses');
}

function skipHereDocuments(
  line: string,
  start: number,
  documents: { delimiter: string; stripTabs: boolean }[],
): number {
  let index = start;
  for (const document of documents) {
    while (index < line.length) {
      const lineEnd = line.indexOf('\n', index);
      const end = lineEnd === -1 ? line.length : lineEnd;
      let content = line.slice(index, end);
      if (document.stripTabs) content = content.replace(/^\t+/, '');
      index = end + 1;
      if (content === document.delimiter) break;
    }
  }
  return Math.min(index, line.length);
}
