import type { EventBus } from '../events/event-bus.js';
import { RUNTIME_AGENT } from '../events/event-schema.js';
import type { RunActivity } from './run-activity.js';

/** How often a run that waits for a model or tool call says it is alive. */
export const DEFAULT_PULSE_INTERVAL_MS = 30_000;

/**
 * Emits a `heartbeat` event every interval while at least one model or tool call is in flight, so that a reader of
 * the event stream (CI, a log) knows a quiet run is alive and what it waits for. Nothing is emitted while nothing
 * waits. The timer is unref'd: it never keeps the process alive; `stop` clears it.
 */
export class RunPulse {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly activity: RunActivity,
    private readonly events: EventBus,
    private readonly intervalMs: number = DEFAULT_PULSE_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.beat(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private beat(): void {
    if (this.activity.size === 0) return;
    this.events.emit({ type: 'heartbeat', agent: RUNTIME_AGENT, in_flight: this.activity.inFlight() });
  }
}
