import type { EventBus } from './event-bus.js';
import type { RunEventInput } from './event-schema.js';

/**
 * Holds events that producers emit before the run has announced itself (`system`/`init` is the first line of a
 * session), e.g. a training job re-attached while the tool hub starts, and passes them on right after `init`.
 */
export class EventGate {
  readonly #bus: EventBus;
  readonly #held: RunEventInput[] = [];
  #open = false;

  constructor(bus: EventBus) {
    this.#bus = bus;
    const unsubscribe = bus.subscribe((event) => {
      if (event.type !== 'system' || event.subtype !== 'init') return;
      unsubscribe();
      this.#open = true;
      for (const held of this.#held.splice(0)) bus.emit(held);
    });
  }

  emit(event: RunEventInput): void {
    if (this.#open) this.#bus.emit(event);
    else this.#held.push(event);
  }
}
