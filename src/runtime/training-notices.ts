import type { EventBus } from '../events/event-bus.js';
import type { TrainingEndEvent } from '../events/event-schema.js';

/**
 * Wakes agents when a training job ends: each training-end event becomes a notice that the orchestrator and the
 * agents granted the training server get as a message before their next model call (not by polling, and not
 * through the model's memory: the message is journaled with the transcript). An agent gets the notices issued
 * while it works, each once.
 */
export class TrainingNotices {
  readonly #notices: string[] = [];

  /** `annotate` adds to a notice, e.g. the known fixes of the job's failure. */
  constructor(events: EventBus, annotate: (event: TrainingEndEvent) => string = () => '') {
    events.subscribe((event) => {
      if (event.type !== 'training-end') return;
      const extra = annotate(event);
      this.#notices.push(extra === '' ? noticeFor(event) : `${noticeFor(event)}\n${extra}`);
    });
  }

  /** Where an agent starting now begins: it is told of what ends from now on. */
  cursor(): number {
    return this.#notices.length;
  }

  /** The notices issued since `cursor`, and the cursor to use next. */
  since(cursor: number): { notices: string[]; cursor: number } {
    return { notices: this.#notices.slice(cursor), cursor: this.#notices.length };
  }
}

function noticeFor(event: TrainingEndEvent): string {
  const job = event.name === undefined ? event.job_id : `${event.job_id} (${event.name})`;
  const lines = [`[mux-swarm] Training job ${job} ended: ${event.classification}. ${event.summary}`];
  if (event.last_step !== null)
    lines.push(
      `Last step: ${event.last_step}.${event.checkpoint === undefined ? '' : ` Last checkpoint: ${event.checkpoint}.`}`,
    );
  lines.push(
    `Log: ${event.log_file}. Its progress and the end of its log: the training server's status tool (job_id "${event.job_id}").`,
  );
  return lines.join('\n');
}
