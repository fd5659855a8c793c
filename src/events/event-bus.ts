import type { SecretScrubber } from '../logging/secret-scrubber.js';
import type { RunEvent, RunEventInput } from './event-schema.js';

export type RunEventListener = (event: RunEvent) => void;

/**
 * Stamps events with the envelope (seq, run id, time), scrubs secrets, and hands them to every listener in
 * order. A listener that throws does not stop the others or the run; the error goes to `onListenerError`.
 */
export class EventBus {
  private sequence = 0;
  private readonly listeners: RunEventListener[] = [];

  constructor(
    readonly runId: string,
    private readonly scrubber?: SecretScrubber,
    private readonly onListenerError: (error: unknown) => void = () => {},
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Numbers the next event `seq`: a resumed run continues its event stream where it stopped. */
  continueFrom(seq: number): void {
    this.sequence = seq;
  }

  subscribe(listener: RunEventListener): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  emit(input: RunEventInput): RunEvent {
    const stamped = {
      seq: this.sequence++,
      run_id: this.runId,
      session_id: this.runId,
      timestamp: this.now().toISOString(),
      ...input,
    } as RunEvent;
    const event = this.scrubber ? this.scrubber.value(stamped) : stamped;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
    return event;
  }
}
