import type { McpServerConfig } from '../config/config-schema.js';
import { formatDuration } from '../text/duration.js';
import { McpServerStartError } from '../errors/mcp-server-error.js';
import { describeError } from '../errors/mux-swarm-error.js';
import { restartDelayMs, STABLE_RUN_MS } from './restart-backoff.js';
import {
  connectServer,
  type ConnectOptions,
  type ListedTool,
  type ServerConnection,
  type TransportKind,
} from './server-connection.js';

export type ServerState = 'connected' | 'restarting' | 'failed' | 'disabled';

/** What every connection attempt shares; the lost and list-changed callbacks are the managed server's own. */
export type BaseConnectOptions = Omit<ConnectOptions, 'onConnectionLost' | 'onToolsChanged'>;

export interface ManagedServerHooks {
  /** The server's tools are (again) these: after a restart or a `list_changed` notification. */
  onToolsChanged(server: string, tools: ListedTool[]): void;
  onWarning?(message: string): void;
  /** Delay before restart attempt n; default 1 s, 2 s, 4 s … with jitter. */
  restartDelayMs?(attempt: number): number;
}

/** How long a `list_changed` burst is gathered before the tools are listed again. */
const REFRESH_DEBOUNCE_MS = 50;

/**
 * One configured MCP server over the whole run: started once, restarted with backoff when it stops by itself
 * (at most `maxRestarts` times in a row; a minute of healthy running resets the count), and its tool list
 * refreshed when it announces a change. Calls ask it for a live connection and wait while it restarts.
 */
export class ManagedServer {
  private currentState: ServerState;
  private lastError: string | undefined;
  private connection: ServerConnection | undefined;
  private restartCount = 0;
  private failuresInARow = 0;
  private connectedAt = 0;
  private generation = 0;
  private reconnecting: Promise<void> | undefined;
  private wakeSleeper: (() => void) | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private changedAgain = false;
  private cancelRefreshWait: (() => void) | undefined;
  private closed = false;
  private readonly closing = new Set<Promise<void>>();

  constructor(
    readonly name: string,
    readonly entry: McpServerConfig,
    private readonly base: BaseConnectOptions,
    private readonly hooks: ManagedServerHooks,
  ) {
    this.currentState = entry.enabled ? 'failed' : 'disabled';
  }

  get state(): ServerState {
    return this.currentState;
  }
  get error(): string | undefined {
    return this.lastError;
  }
  get restarts(): number {
    return this.restartCount;
  }
  get transportKind(): TransportKind | undefined {
    return this.connection?.transportKind;
  }
  get tools(): ListedTool[] {
    return this.currentState === 'disabled' ? [] : (this.connection?.tools ?? []);
  }

  /** Connects for the first time; rejects with an McpServerStartError (the server named, its stderr tail). */
  async start(): Promise<void> {
    try {
      this.adopt(await this.connect());
    } catch (error) {
      this.lastError = describeError(error);
      throw error;
    }
  }

  /** A live connection, waiting (bounded by `signal` and `waitMs`) while the server restarts; else why there is none. */
  async connectionForCall(
    signal: AbortSignal | undefined,
    waitMs: number,
  ): Promise<ServerConnection | { unavailable: string }> {
    if (this.currentState === 'restarting' && this.reconnecting) await untilSettled(this.reconnecting, signal, waitMs);
    if (this.currentState === 'connected' && this.connection) return this.connection;
    if (this.currentState === 'restarting')
      return {
        unavailable: `it stopped (${this.lastError ?? 'unknown reason'}) and is still restarting; call again in a few seconds`,
      };
    if (this.currentState === 'disabled') return { unavailable: 'it is disabled in config.json' };
    return { unavailable: this.lastError ?? 'it is not connected' };
  }

  /** A call found `connection` unusable (an HTTP session the server forgot): reconnect as if it had stopped. */
  connectionFailed(connection: ServerConnection, reason: string): void {
    if (this.connection === connection) this.lost(reason);
  }

  /** Stops the server (a stdio server's whole process group) and any restart in progress. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.refreshTimer);
    this.cancelRefreshWait?.();
    this.wakeSleeper?.();
    const connection = this.connection;
    this.connection = undefined;
    await Promise.allSettled([connection?.close(), this.reconnecting, ...this.closing]);
  }

  /** Remembers the closing of a dead connection, so close() also waits for its process group to be gone. */
  private track(closing: Promise<void>): void {
    const settled = closing.catch(() => {}).finally(() => this.closing.delete(settled));
    this.closing.add(settled);
  }

  private connect(): Promise<ServerConnection> {
    const generation = ++this.generation;
    return connectServer(this.name, this.entry, {
      ...this.base,
      onConnectionLost: (_server, reason) => {
        if (generation === this.generation) this.lost(reason);
      },
      onToolsChanged: () => {
        if (generation === this.generation) this.scheduleRefresh();
      },
    });
  }

  private adopt(connection: ServerConnection): void {
    this.connection = connection;
    this.currentState = 'connected';
    this.lastError = undefined;
    this.connectedAt = Date.now();
    const lostAlready = connection.lostReason();
    if (lostAlready) this.lost(lostAlready);
  }

  private lost(reason: string): void {
    if (this.closed || this.currentState !== 'connected') return;
    if (Date.now() - this.connectedAt >= STABLE_RUN_MS) this.failuresInARow = 0;
    const dead = this.connection;
    this.connection = undefined;
    if (dead) this.track(dead.close());
    this.lastError = `stopped while in use: ${reason}`;
    this.currentState = 'restarting';
    this.reconnecting = this.restartLoop(reason).finally(() => {
      this.reconnecting = undefined;
    });
  }

  private async restartLoop(firstReason: string): Promise<void> {
    let reason = firstReason;
    let restartFailed = false;
    const limit = this.entry.maxRestarts;
    while (!this.closed) {
      this.failuresInARow += 1;
      if (this.failuresInARow > limit) {
        this.currentState = 'failed';
        this.lastError =
          limit === 0
            ? `stopped while in use: ${reason}; not restarted (maxRestarts is 0)`
            : restartFailed
              ? `stopped while in use (${firstReason}) and could not be restarted (${reason}); gave up after ${limit} attempt${limit === 1 ? '' : 's'} in a row (maxRestarts)`
              : `stopped while in use: ${reason}; gave up after ${limit} restart${limit === 1 ? '' : 's'} in a row that each stopped within a minute (maxRestarts)`;
        this.hooks.onWarning?.(`MCP server "${this.name}" ${this.lastError}; calls to its tools will fail`);
        return;
      }
      const delay = (this.hooks.restartDelayMs ?? restartDelayMs)(this.failuresInARow);
      const what = !restartFailed
        ? `stopped (${reason}); restarting it`
        : `could not be restarted (${reason}); trying again`;
      this.hooks.onWarning?.(
        `MCP server "${this.name}" ${what} in ${formatDuration(delay)} (attempt ${this.failuresInARow} of ${limit})`,
      );
      await this.sleep(delay);
      if (this.closed) return;
      try {
        const connection = await this.connect();
        if (this.closed) {
          await connection.close();
          return;
        }
        this.restartCount += 1;
        this.hooks.onToolsChanged(this.name, connection.tools);
        this.hooks.onWarning?.(
          `MCP server "${this.name}" restarted; its ${connection.tools.length} tools are available again`,
        );
        this.adopt(connection);
        return;
      } catch (error) {
        restartFailed = true;
        reason =
          error instanceof McpServerStartError
            ? error.reason
            : (describeError(error).split('\n')[0] ?? 'restart failed');
        this.lastError = `stopped while in use and could not be restarted: ${reason}`;
      }
    }
  }

  /** Resolves once the tool-list changes announced so far are listed (at once when none is pending). */
  async toolChangesSettled(): Promise<void> {
    await this.refreshing;
  }

  /** Gathers a burst of notifications, then lists again until no new one came in while listing. */
  private scheduleRefresh(): void {
    this.changedAgain = true;
    this.refreshing ??= (async () => {
      try {
        while (this.changedAgain && !this.closed) {
          await new Promise<void>((resolve) => {
            this.refreshTimer = setTimeout(resolve, REFRESH_DEBOUNCE_MS);
            this.cancelRefreshWait = resolve;
          });
          this.changedAgain = false;
          await this.refresh();
        }
      } finally {
        this.refreshing = undefined;
      }
    })();
  }

  private async refresh(): Promise<void> {
    const connection = this.connection;
    if (!connection || this.closed) return;
    try {
      const tools = await connection.refreshTools();
      if (this.connection === connection && !this.closed) this.hooks.onToolsChanged(this.name, tools);
    } catch (error) {
      if (this.connection === connection && !this.closed) {
        this.hooks.onWarning?.(
          `MCP server "${this.name}" announced new tools, but listing them failed: ${describeError(error)}; its previous tools stay in use`,
        );
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wakeSleeper = done;
    });
  }
}

/** Waits for `promise` to settle, at most `waitMs`, and no longer than `signal` stays unaborted. */
async function untilSettled(promise: Promise<unknown>, signal: AbortSignal | undefined, waitMs: number): Promise<void> {
  if (signal?.aborted) return;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  try {
    await Promise.race([
      promise.catch(() => {}),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
        onAbort = resolve;
        signal?.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}
