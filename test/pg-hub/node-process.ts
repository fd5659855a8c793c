import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPOSITORY_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const HUB_NODE = join(REPOSITORY_ROOT, 'test', 'fixtures', 'pg-hub', 'hub-node.ts');

/** A hub-node.ts process: its JSON lines as they come, and a way to wait for one. */
export interface NodeProcess {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  /** Resolves with the first line (already printed or to come) matching `predicate`. */
  waitFor(predicate: (line: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code and signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  /** Writes one JSON line to its stdin. */
  send(value: unknown): void;
}

export function startNode(mode: 'publish' | 'verify' | 'work', args: Record<string, unknown>): NodeProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', HUB_NODE, mode, JSON.stringify(args)], {
    cwd: REPOSITORY_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let stderr = '';
  let buffer = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    for (const wake of waiters.splice(0)) wake();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  let ended = false;
  void exited.then(() => {
    ended = true;
    for (const wake of waiters.splice(0)) wake();
  });
  const waitFor = (
    predicate: (line: Record<string, unknown>) => boolean,
    timeoutMs = 20_000,
  ): Promise<Record<string, unknown>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `hub-node ${mode} printed no matching line within ${timeoutMs} ms\nstdout: ${JSON.stringify(lines)}\nstderr: ${stderr}`,
            ),
          ),
        timeoutMs,
      );
      const check = (): void => {
        const found = lines.find(predicate);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else if (ended) {
          clearTimeout(timer);
          reject(
            new Error(
              `hub-node ${mode} exited without a matching line\nstdout: ${JSON.stringify(lines)}\nstderr: ${stderr}`,
            ),
          );
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  return {
    child,
    lines,
    waitFor,
    exited,
    stderr: () => stderr,
    send: (value) => child.stdin!.write(`${JSON.stringify(value)}\n`),
  };
}
