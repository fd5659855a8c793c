import { isRedirectionOperator, lexShellLine, type ShellToken } from './shell-line-lexer.js';

/**
 * The programs a shell line would start, as far as reading it can tell: the first word of every simple command
 * (after `;`, `&&`, `||`, `|`, `&`, newlines, `(`, `{`, `then`, `do`, …), including commands inside `$(…)`,
 * backticks and `<(…)`, skipping variable assignments, redirections, here-documents and the words of `for`,
 * `case` patterns and `[[ … ]]`; `exec`, `command` and `builtin` are looked through.
 *
 * What reading cannot tell is reported as `uncheckable`: a command word built by an expansion (`$tool`,
 * `$(which rm)`), or a line that does not lex. Programs started by other programs (`xargs rm`, `find -exec`,
 * `env rm`, `sh -c '…'`, `make`, `eval`, scripts) are invisible here by nature.
 */
export interface CommandWordScan {
  commandWords: string[];
  uncheckable: string[];
}

const RESERVED_LEADING = new Set(['if', 'then', 'else', 'elif', 'do', 'while', 'until', '!', '{', 'time']);
const RESERVED_CLOSING = new Set(['fi', 'done', '}', 'esac']);
const LOOKED_THROUGH = new Set(['exec', 'command', 'builtin']);
const COMMAND_SEPARATORS = new Set([';', '&', '&&', '||', '|', '|&', '\n', '(', ')', ';;', ';&', ';;&']);
const CASE_ITEM_ENDS = new Set([';;', ';&', ';;&']);
const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*\+?=/;

export function findCommandWords(line: string): CommandWordScan {
  const scan: CommandWordScan = { commandWords: [], uncheckable: [] };
  scanLine(line, scan, 0);
  return scan;
}

function scanLine(line: string, scan: CommandWordScan, depth: number): void {
  if (depth > 20) {
    scan.uncheckable.push(line);
    return;
  }
  const lexed = lexShellLine(line);
  if (lexed.problem !== undefined) scan.uncheckable.push(`${line.trim()} (${lexed.problem})`);
  walkTokens(lexed.tokens, scan);
  for (const substitution of lexed.substitutions) scanLine(substitution, scan, depth + 1);
}

type Mode =
  | 'command' // the next plain word is a program
  | 'arguments' // inside a simple command, after its program
  | 'for-header' // `for name in words` up to the separator
  | 'test-expression' // inside [[ … ]]
  | 'case-subject' // `case word` up to `in`
  | 'case-pattern'; // patterns up to `)`

function walkTokens(tokens: ShellToken[], scan: CommandWordScan): void {
  let mode: Mode = 'command';
  let skipRedirectionTarget = false;
  let lookingThrough = false;
  let openCases = 0;

  for (let position = 0; position < tokens.length; position += 1) {
    const token = tokens[position] as ShellToken;

    if (token.kind === 'operator') {
      if (isRedirectionOperator(token.text)) {
        skipRedirectionTarget = true;
        continue;
      }
      if (mode === 'test-expression') continue;
      if (mode === 'case-pattern') {
        if (token.text === ')') mode = 'command';
        continue;
      }
      if (openCases > 0 && CASE_ITEM_ENDS.has(token.text)) {
        mode = 'case-pattern';
        continue;
      }
      if (COMMAND_SEPARATORS.has(token.text)) {
        mode = 'command';
        lookingThrough = false;
      }
      continue;
    }

    if (skipRedirectionTarget) {
      skipRedirectionTarget = false;
      continue;
    }

    switch (mode) {
      case 'arguments':
        continue;
      case 'test-expression':
        if (token.raw === ']]') mode = 'arguments';
        continue;
      case 'for-header':
        if (token.raw === 'do') mode = 'command';
        continue;
      case 'case-subject':
        if (token.raw === 'in') mode = 'case-pattern';
        continue;
      case 'case-pattern':
        if (token.raw === 'esac') {
          openCases -= 1;
          mode = 'arguments';
        }
        continue;
      case 'command':
        break;
    }

    // Command position from here on.
    if (ASSIGNMENT.test(token.raw)) continue;
    if (lookingThrough && token.raw.startsWith('-')) continue;
    if (!token.hasExpansion && token.raw === token.text) {
      if (RESERVED_LEADING.has(token.raw)) continue;
      if (RESERVED_CLOSING.has(token.raw)) {
        if (token.raw === 'esac') openCases = Math.max(0, openCases - 1);
        mode = 'arguments';
        continue;
      }
      if (token.raw === 'for' || token.raw === 'select') {
        mode = 'for-header';
        continue;
      }
      if (token.raw === 'case') {
        openCases += 1;
        mode = 'case-subject';
        continue;
      }
      if (token.raw === '[[') {
        mode = 'test-expression';
        continue;
      }
      if (token.raw === 'function') {
        position += 1; // the function's name
        continue;
      }
      if (LOOKED_THROUGH.has(token.raw)) {
        lookingThrough = true;
        continue;
      }
      if (isFunctionDefinition(tokens, position)) {
        position += 2; // name ( )
        continue;
      }
    }

    if (token.hasExpansion) {
      scan.uncheckable.push(token.raw);
    } else {
      scan.commandWords.push(token.text);
    }
    mode = 'arguments';
    lookingThrough = false;
  }
}

function isFunctionDefinition(tokens: ShellToken[], position: number): boolean {
  const open = tokens[position + 1];
  const close = tokens[position + 2];
  return open?.kind === 'operator' && open.text === '(' && close?.kind === 'operator' && close.text === ')';
}
