import type { ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { MuxSwarmError } from '../errors/mux-swarm-error.js';
import { buildChildEnvironment } from '../supervisor/child-environment.js';
import { DEFAULT_KILL_GRACE_MS, killProcessGroup } from '../supervisor/process-group.js';
import { spawnInProcessGroup } from '../supervisor/spawn-child.js';
import { sandboxFor, type SandboxRequest } from '../supervisor/sandbox/sandbox-request.js';
import { waitForStreamsToClose } from '../supervisor/wait-for-streams.js';

export interface ProcessGroupStdioTransportOptions {
  command: string;
  args?: readonly string[];
  /**
   * Set on top of the minimal environment (PATH, HOME, USER, LOGNAME, SHELL, LANG, LC_ALL, TERM, TMPDIR, when
   * set in ours). Nothing else of mux-swarm's environment reaches the server: API keys must be passed here.
   */
  env?: Readonly<Record<string, string>>;
  cwd?: string;
  /** Each line the server writes on stderr, as it comes. */
  onStderrLine?: (line: string) => void;
  /** Between SIGTERM and SIGKILL on close(). */
  closeGraceMs?: number;
  /** The sandbox the server runs in (config `sandbox` on its entry); undefined: unconfined. */
  sandbox?: SandboxRequest;
}

/** Lines of stderr kept for error messages. */
export const STDERR_TAIL_LINES = 50;
/** After the server exits, how long to wait for the rest of its stdout before closing. */
const EXIT_DRAIN_MS = 500;

/**
 * MCP client transport over a stdio server that runs as the leader of its own process group. Unlike the SDK's
 * StdioClientTransport, close() kills the whole group — servers started through `sh -c`, `npx` or `uvx` leave
 * no orphans — and stderr is always piped: lines go to `onStderrLine` and the last ones to `stderrTail()`.
 */
export class ProcessGroupStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;

  readonly #options: ProcessGroupStdioTransportOptions;
  readonly #readBuffer = new ReadBuffer();
  readonly #stderrLines: string[] = [];
  #stderrPartialLine = '';
  #child: ChildProcess | undefined;
  #started = false;
  #shutdown: Promise<void> | undefined;
  #closeNotified = false;

  constructor(options: ProcessGroupStdioTransportOptions) {
    this.#options = options;
  }

  /** The server's pid, which is also its process group id; undefined before start or when it failed. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** The last lines the server wrote on stderr (up to STDERR_TAIL_LINES), oldest first. */
  stderrTail(): string[] {
    const lines = [...this.#stderrLines];
    if (this.#stderrPartialLine !== '') lines.push(this.#stderrPartialLine);
    return lines.slice(-STDERR_TAIL_LINES);
  }

  async start(): Promise<void> {
    if (this.#started) throw new Error('ProcessGroupStdioTransport already started (Client.connect starts it).');
    this.#started = true;
    const { command, cwd } = this.#options;
    if (cwd !== undefined) await assertDirectory(command, cwd);
    if (this.#shutdown !== undefined) throw closedBeforeStart(command);
    const sandbox = this.#options.sandbox === undefined ? undefined : await sandboxFor(this.#options.sandbox);

    const child = spawnInProcessGroup(command, this.#options.args ?? [], {
      cwd,
      env: buildChildEnvironment({ set: this.#options.env ?? {} }),
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(sandbox === undefined ? {} : { sandbox }),
    });
    this.#child = child;

    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (error: NodeJS.ErrnoException) => {
        if (child.pid !== undefined) return;
        const failure = describeSpawnFailure(command, error);
        this.#child = undefined;
        this.#notifyClose();
        reject(failure);
        this.onerror?.(failure);
      });
    });

    if (this.#shutdown !== undefined) {
      // close() came while the child was spawning: it found nothing to kill, so the group goes now.
      await killProcessGroup(child.pid!, { graceMs: 0 });
      throw closedBeforeStart(command);
    }
    child.on('error', (error) => this.onerror?.(error));
    child.stdin?.on('error', (error) => {
      if (this.#shutdown === undefined) this.onerror?.(error); // EPIPE while closing is expected
    });
    child.stdout?.on('data', (chunk: Buffer) => this.#receive(chunk));
    child.stdout?.on('error', (error) => this.onerror?.(error));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => this.#receiveStderr(text));
    child.once('exit', (code, signal) => this.#onExit(code, signal));
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.#child?.stdin;
    if (!stdin || this.#shutdown !== undefined || stdin.destroyed) {
      return Promise.reject(new Error(`MCP server "${this.#options.command}" is not running (not connected).`));
    }
    return new Promise((resolve) => {
      if (stdin.write(serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /** Kills the server's whole process group (SIGTERM, grace, SIGKILL); resolves once none of it runs. */
  close(): Promise<void> {
    this.#shutdown ??= this.#shutDown(this.#options.closeGraceMs ?? DEFAULT_KILL_GRACE_MS);
    return this.#shutdown;
  }

  async #shutDown(graceMs: number): Promise<void> {
    const child = this.#child;
    if (child?.pid !== undefined) {
      if (child.exitCode === null && child.signalCode === null) child.stdin?.end(); // polite servers exit on EOF
      try {
        await killProcessGroup(child.pid, { graceMs });
      } catch (error) {
        this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      }
      await waitForStreamsToClose([child.stdout, child.stderr], EXIT_DRAIN_MS);
    }
    this.#readBuffer.clear();
    this.#flushStderr();
    this.#notifyClose();
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#shutdown !== undefined) return; // close() is in charge
    const how = signal === null ? `exited with code ${code}` : `was killed by ${signal}`;
    const tail = this.stderrTail().slice(-5);
    this.onerror?.(
      new MuxSwarmError(
        'mcp-server-exited',
        `MCP server "${this.#options.command}" ${how}` +
          (tail.length > 0 ? `; its last stderr lines:\n${tail.join('\n')}` : '.'),
      ),
    );
    // Whatever it started (a wrapper's child, a helper) goes with it.
    void this.close();
  }

  #receive(chunk: Buffer): void {
    try {
      this.#readBuffer.append(chunk);
    } catch (error) {
      this.onerror?.(error as Error);
      void this.close();
      return;
    }
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.#readBuffer.readMessage();
      } catch (error) {
        this.onerror?.(
          new MuxSwarmError(
            'mcp-server-bad-output',
            `MCP server "${this.#options.command}" wrote a line on stdout that is not JSON-RPC (${String(error)}); ` +
              'stdio servers must log to stderr only.',
          ),
        );
        continue;
      }
      if (message === null) break;
      this.onmessage?.(message);
    }
  }

  #receiveStderr(text: string): void {
    const pieces = (this.#stderrPartialLine + text).split('\n');
    this.#stderrPartialLine = pieces.pop() ?? '';
    for (const piece of pieces) this.#addStderrLine(piece.replace(/\r$/, ''));
  }

  #flushStderr(): void {
    if (this.#stderrPartialLine === '') return;
    const line = this.#stderrPartialLine;
    this.#stderrPartialLine = '';
    this.#addStderrLine(line);
  }

  #addStderrLine(line: string): void {
    this.#stderrLines.push(line);
    if (this.#stderrLines.length > STDERR_TAIL_LINES) this.#stderrLines.shift();
    try {
      this.#options.onStderrLine?.(line);
    } catch {
      // a failing listener must not take the connection down
    }
  }

  #notifyClose(): void {
    if (this.#closeNotified) return;
    this.#closeNotified = true;
    this.onclose?.();
  }
}

async function assertDirectory(command: string, cwd: string): Promise<void> {
  const isDirectory = await stat(cwd).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!isDirectory) {
    throw new MuxSwarmError(
      'mcp-server-cwd-missing',
      `Cannot start MCP server "${command}": its working directory ${cwd} does not exist or is not a directory; fix "cwd" in config.json.`,
    );
  }
}

function describeSpawnFailure(command: string, error: NodeJS.ErrnoException): MuxSwarmError {
  if (error.code === 'ENOENT') {
    return new MuxSwarmError(
      'mcp-server-command-not-found',
      `Cannot start MCP server: command "${command}" was not found. Check that it is installed and on the PATH ` +
        'mux-swarm runs with (or give its absolute path in config.json).',
      { cause: error },
    );
  }
  if (error.code === 'EACCES') {
    return new MuxSwarmError(
      'mcp-server-command-not-executable',
      `Cannot start MCP server: "${command}" is not executable (permission denied); check the file's mode or the command name.`,
      { cause: error },
    );
  }
  return new MuxSwarmError('mcp-server-spawn-failed', `Cannot start MCP server "${command}": ${error.message}`, {
    cause: error,
  });
}

function closedBeforeStart(command: string): Error {
  return new Error(`MCP server "${command}" was closed before it had started.`);
}
