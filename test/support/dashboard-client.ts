import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { CLI, TEST_HOME } from './run-cli.js';

/** A `mux-swarm serve` child: its address (as printed), and how to stop it. */
export interface ServeProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>` whatever the host it listens on. */
  base: string;
  /** The address it printed (with `?token=` off loopback). */
  printed: string;
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `mux-swarm serve --port 0 …` in `cwd` and waits for the address it prints. */
export async function startServe(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: TEST_HOME, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const printed = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no address in 30 s: ${stderr}`)), 30_000);
    const look = (): void => {
      const match = /mux-swarm dashboard: (\S+)/.exec(stderr);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stderr!.on('data', look);
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  const port = new URL(printed).port;
  return {
    child,
    base: `http://127.0.0.1:${port}`,
    printed,
    stderr: () => stderr,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request with exactly the headers given (no Origin unless the test sets one, as curl would send). */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: options.method ?? 'GET', headers: options.headers }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    outgoing.on('error', reject);
    outgoing.end(options.body);
  });
}

export interface StreamedEvent {
  id: number;
  event: { type: string; seq: number; [key: string]: unknown };
}

/**
 * Reads the server-sent events of `url` until `until` holds for the events so far (or `timeoutMs` passes, an
 * error); returns them with the raw text received.
 */
export function readEvents(
  url: string,
  until: (events: StreamedEvent[]) => boolean,
  options: { headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<{ events: StreamedEvent[]; raw: string }> {
  return new Promise((resolve, reject) => {
    const events: StreamedEvent[] = [];
    let raw = '';
    let pending = '';
    const outgoing = request(url, { headers: { accept: 'text/event-stream', ...options.headers } }, (response) => {
      if (response.statusCode !== 200) {
        outgoing.destroy();
        return reject(new Error(`event stream answered ${response.statusCode}`));
      }
      response.setEncoding('utf8').on('data', (chunk: string) => {
        raw += chunk;
        pending += chunk;
        let end: number;
        while ((end = pending.indexOf('\n\n')) >= 0) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          const id = /^id: (\d+)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (id !== undefined && data !== undefined) events.push({ id: Number(id), event: JSON.parse(data) });
        }
        if (until(events)) {
          clearTimeout(timer);
          outgoing.destroy();
          resolve({ events, raw });
        }
      });
    });
    const timer = setTimeout(() => {
      outgoing.destroy();
      reject(new Error(`the stream did not deliver what was awaited in time; got ${events.length} events`));
    }, options.timeoutMs ?? 30_000);
    outgoing.on('error', (error) => {
      if (!outgoing.destroyed) reject(error);
    });
    outgoing.end();
  });
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
