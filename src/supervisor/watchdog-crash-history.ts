/** Why the watchdog counted an attempt as a crash. */
export type CrashReason =
  /** The worker died of a signal or exited with a code that is not an outcome of a run. */
  | 'crashed'
  /** Its heartbeat went stale (dead or blocked event loop); the watchdog killed its process group. */
  | 'hung';

/** One crashed attempt of the worker. */
export interface CrashRecord {
  /** 1 for the first start of the worker, 2 for the first restart, … */
  attempt: number;
  pid: number;
  /** Milliseconds since the epoch. */
  startedAtMs: number;
  endedAtMs: number;
  reason: CrashReason;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** For a person: `killed by SIGKILL`, `exit code 7`, `hung: no heartbeat for 62 s`. */
  description: string;
  /** The last lines the attempt wrote on stderr, oldest first. */
  stderrTail: string[];
}

/**
 * Every crash of one watchdog session, and the crash-loop rule: more than `maxCrashes` crashes within the
 * last `windowMs` means restarting does not help.
 */
export class CrashHistory {
  private readonly crashes: CrashRecord[] = [];

  constructor(
    readonly maxCrashes: number,
    readonly windowMs: number,
  ) {}

  record(crash: CrashRecord): void {
    this.crashes.push(crash);
  }

  all(): readonly CrashRecord[] {
    return this.crashes;
  }

  /** Crashes that ended within the window before `nowMs`. */
  recent(nowMs: number): CrashRecord[] {
    return this.crashes.filter((crash) => nowMs - crash.endedAtMs <= this.windowMs);
  }

  isCrashLoop(nowMs: number): boolean {
    return this.recent(nowMs).length > this.maxCrashes;
  }
}
