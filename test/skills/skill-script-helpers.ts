/**
 * What the tests of the skills' Python scripts share: running a script as a real python3 process, and
 * reading what it wrote or what it sent to the fake OpenAI-compatible server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FakeChatBody } from '../support/fake-openai-server.js';

/** The repository root (with a trailing slash). */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

export interface ScriptResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `python3 script ...args` in `cwd` with a minimal environment (PATH, LANG, no byte code written) plus
 * `env`, and resolves when it exits. `onSpawn` gets the child at once, to kill it from the test.
 */
export function runPythonScript(
  script: string,
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
  onSpawn?: (child: ChildProcess) => void,
): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', [script, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', PYTHONDONTWRITEBYTECODE: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString('utf8')));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    onSpawn?.(child);
  });
}

/** The text of the last user message of a chat request. */
export function userText(body: FakeChatBody): string {
  const user = body.messages.findLast((message) => message.role === 'user');
  return typeof user?.content === 'string' ? user.content : '';
}

export function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}
