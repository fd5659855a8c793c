// Errors the shell and coreutils print: a missing command, a denied permission, a missing file.
import type { FailureContext, FailureSignature } from './failure-signature.js';
import { normaliseMessage } from './normalise-message.js';

/** bash: `bash: nvcc: command not found`, `bash: line 1: nvcc: command not found`, `./x.sh: line 4: nvcc: command not found`. */
const BASH_NOT_FOUND = /^(?:\S+: )?(?:line \d+: )?(\S+): command not found$/;
/** dash (Debian/Ubuntu sh): `sh: 1: nvcc: not found`, `/bin/sh: 1: nvcc: not found`, `./run.sh: 3: nvcc: not found`. */
const DASH_NOT_FOUND = /^(?:\S+: )?\d+: (\S+): not found$/;
/** zsh, fish, busybox ash: `zsh: command not found: nvcc`, `fish: Unknown command: nvcc`, `sh: nvcc: not found`. */
const OTHER_NOT_FOUND =
  /^(?:zsh: command not found: (\S+)|fish: Unknown command:? (\S+)|(?:ba|a|k)?sh: (\S+): not found)$/;
/** A shebang's interpreter missing: `/usr/bin/env: 'python': No such file or directory`. */
const ENV_NOT_FOUND = /^(?:\/usr)?\/bin\/env: [‘'"]?([^'’"\s]+)[’'"]?: No such file or directory$/;
const PERMISSION_DENIED = /Permission denied|Operation not permitted/;
const NO_SUCH_FILE = /No such file or directory/;
/** Lines from the end that are searched. */
const SEARCH_LINES = 400;

/**
 * kind shell, looked for from the end of the output:
 * - `command not found` — message `command not found: <name>`, the command's name kept verbatim (a different
 *   missing command is a different error; the same one reported by bash, dash or zsh is the same);
 * - `permission denied`, `no such file` — message the line, normalised;
 * - else, by exit status alone: 127 → `command not found` (named from the context's command), 126 → `permission denied`.
 */
export function shellFailure(lines: readonly string[], context: FailureContext): FailureSignature | undefined {
  for (let index = lines.length - 1, seen = 0; index >= 0 && seen < SEARCH_LINES; index -= 1) {
    const line = (lines[index] ?? '').trim();
    if (line === '' || line.length > 2000) continue;
    seen += 1;
    const missing = missingCommand(line);
    if (missing !== undefined) return commandNotFound(missing);
    if (PERMISSION_DENIED.test(line))
      return { kind: 'shell', type: 'permission denied', message: normaliseMessage(line), frame: null };
    if (NO_SUCH_FILE.test(line))
      return { kind: 'shell', type: 'no such file', message: normaliseMessage(line), frame: null };
  }
  if (context.exitCode === 127) {
    const name = context.command === undefined ? undefined : commandName(context.command);
    return name === undefined
      ? { kind: 'shell', type: 'command not found', message: '', frame: null }
      : commandNotFound(name);
  }
  if (context.exitCode === 126) return { kind: 'shell', type: 'permission denied', message: '', frame: null };
  return undefined;
}

function missingCommand(line: string): string | undefined {
  const bash = BASH_NOT_FOUND.exec(line)?.[1];
  if (bash !== undefined) return bash;
  const dash = DASH_NOT_FOUND.exec(line)?.[1];
  if (dash !== undefined) return dash;
  const other = OTHER_NOT_FOUND.exec(line);
  if (other) return other[1] ?? other[2] ?? other[3];
  return ENV_NOT_FOUND.exec(line)?.[1];
}

function commandNotFound(name: string): FailureSignature {
  const base = name.replace(/^['"]|['"]$/g, '');
  return {
    kind: 'shell',
    type: 'command not found',
    message: `command not found: ${base.slice(base.lastIndexOf('/') + 1)}`,
    frame: null,
  };
}

/** The program a command line runs: `CUDA_VISIBLE_DEVICES=0 accelerate launch x.py` → `accelerate`. */
function commandName(command: string): string | undefined {
  for (const word of command.trim().split(/\s+/)) {
    if (
      /^[A-Za-z_][A-Za-z0-9_]*=/.test(word) ||
      word === 'sudo' ||
      word === 'env' ||
      word === 'exec' ||
      word === 'time'
    )
      continue;
    return word === '' ? undefined : word;
  }
  return undefined;
}
