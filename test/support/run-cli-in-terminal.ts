import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { CLI, REPOSITORY_ROOT, TEST_HOME } from './run-cli.js';

const PTY_RUN = join(REPOSITORY_ROOT, 'test', 'support', 'pty-run.py');

export interface TerminalResult {
  /** The exit status of the CLI (128 + N when signal N ended it). */
  code: number | null;
  /** Everything the CLI drew on the terminal, stdout and stderr together, escape codes and all. */
  transcript: string;
}

/**
 * Runs the built CLI on a pseudo-terminal `columns` wide (Python's pty module, through test/support/pty-run.py),
 * the way a person at a terminal does: stdin, stdout and stderr are the terminal. The environment is explicit, as
 * with runCli. `onOutput` sees the transcript as it grows.
 */
export function runCliInTerminal(
  args: string[],
  options: {
    cwd: string;
    columns?: number;
    env?: Record<string, string>;
    timeoutMs?: number;
    onSpawn?: (child: ChildProcess) => void;
    onOutput?: (transcript: string) => void;
  },
): Promise<TerminalResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [PTY_RUN, String(options.columns ?? 100), process.execPath, CLI, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: TEST_HOME, TERM: 'xterm-256color', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let transcript = '';
    let errors = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      transcript += chunk;
      options.onOutput?.(transcript);
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `mux-swarm ${args.join(' ')} on a terminal did not finish within ${options.timeoutMs ?? 60_000} ms\ntranscript: ${JSON.stringify(transcript)}\n${errors}`,
        ),
      );
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (errors.trim()) reject(new Error(`pty-run.py failed: ${errors}`));
      else resolve({ code, transcript });
    });
    options.onSpawn?.(child);
  });
}

/**
 * What a terminal shows once `transcript` has been drawn: carriage returns, line feeds, erase-line (`ESC [2K`) and
 * overwriting applied, colours dropped. Enough of a terminal to tell whether a line redrawn in place left fragments.
 */
export function screenLines(transcript: string): string[] {
  const lines: string[][] = [[]];
  let column = 0;
  const pattern = /\u001b\[([0-9;]*)([A-Za-z])|([\s\S])/g;
  for (const match of transcript.matchAll(pattern)) {
    const line = lines[lines.length - 1]!;
    if (match[2] !== undefined) {
      if (match[2] === 'K') line.length = 0; // erase the line (2K); the cursor stays where it is
      continue;
    }
    const character = match[3]!;
    if (character === '\r') column = 0;
    else if (character === '\n') {
      lines.push([]);
      column = 0;
    } else {
      while (line.length < column) line.push(' ');
      line[column] = character;
      column += 1;
    }
  }
  return lines.map((line) => line.join('').trimEnd());
}
