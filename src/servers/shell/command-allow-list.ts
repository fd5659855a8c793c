import { realpathSync } from 'node:fs';
import path from 'node:path';
import { findOnSearchPath } from '../../supervisor/executable-lookup.js';
import { findCommandWords } from './command-words.js';

/**
 * Shell builtins that start no other program; a shell line may use them whatever the allow-list says.
 * (`eval`, `.`, `source`, `trap`, `alias` run code and stay subject to the list; `exec`, `command`,
 * `builtin` are looked through to the program they name.)
 */
export const ALWAYS_ALLOWED_BUILTINS: readonly string[] = [
  ':',
  '[',
  'break',
  'cd',
  'continue',
  'echo',
  'exit',
  'export',
  'false',
  'local',
  'printf',
  'pwd',
  'read',
  'return',
  'set',
  'shift',
  'test',
  'true',
  'umask',
  'unset',
  'wait',
];

export interface AllowListContext {
  /** The allowed executables: bare names (any program of that name) or absolute paths (that file only). */
  allowedCommands: readonly string[];
  /** Where the command runs: relative paths are resolved against it. */
  cwd: string;
  /** The PATH the command gets, to see whether a bare name means an allowed absolute path. */
  searchPath: string | undefined;
}

/** Why `argv[0]` may not run, or undefined when it may. */
export function refuseExecutable(executable: string, context: AllowListContext): string | undefined {
  return isExecutableAllowed(executable, context) ? undefined : refusal([executable], context);
}

/** Why a shell line may not run, or undefined when every program it visibly starts is allowed. */
export function refuseShellLine(line: string, context: AllowListContext): string | undefined {
  const scan = findCommandWords(line);
  if (scan.uncheckable.length > 0) {
    return (
      `The command line cannot be checked against the shell server's allowedCommands: ` +
      `${scan.uncheckable.map((word) => JSON.stringify(word)).join(', ')} ` +
      '(a program name built from variables or command output, or unbalanced quoting). ' +
      'Write the program names literally, or pass "argv" instead of "command".'
    );
  }
  const refused = scan.commandWords.filter(
    (word) => !ALWAYS_ALLOWED_BUILTINS.includes(word) && !isExecutableAllowed(word, context),
  );
  return refused.length === 0 ? undefined : refusal([...new Set(refused)], context);
}

function isExecutableAllowed(executable: string, context: AllowListContext): boolean {
  if (executable.includes('/')) {
    const target = canonicalPath(path.resolve(context.cwd, executable));
    return context.allowedCommands.some((entry) => path.isAbsolute(entry) && canonicalPath(entry) === target);
  }
  if (context.allowedCommands.includes(executable)) return true;
  // A bare name is allowed by an absolute entry only if the PATH search finds that very file.
  const pinned = context.allowedCommands.filter(
    (entry) => path.isAbsolute(entry) && path.basename(entry) === executable,
  );
  if (pinned.length === 0) return false;
  const found = findOnSearchPath(executable, context.searchPath ?? '', context.cwd);
  return found !== undefined && pinned.some((entry) => canonicalPath(entry) === canonicalPath(found));
}

/** Real path where it exists (so /bin/x and /usr/bin/x match on merged-/usr systems), else normalised. */
function canonicalPath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.normalize(file);
  }
}

function refusal(refused: string[], context: AllowListContext): string {
  const names = refused.map((name) => JSON.stringify(name)).join(', ');
  return (
    `Not allowed by the shell server's allowedCommands: ${names}. ` +
    `Allowed programs: ${context.allowedCommands.length > 0 ? context.allowedCommands.join(', ') : '(none)'}; ` +
    `shell builtins always allowed: ${ALWAYS_ALLOWED_BUILTINS.join(' ')}. ` +
    'Use one of these, or ask for the program to be added to allowedCommands in config.json.'
  );
}
