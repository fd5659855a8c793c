import { resolve } from 'node:path';
import type { EventBus } from '../events/event-bus.js';
import type { InFlightCall } from '../events/event-schema.js';
import { createHumanRenderer } from '../events/human-renderer.js';
import { statusText } from '../events/in-flight-text.js';
import { LiveStatusLine } from '../events/live-status-line.js';
import { shownPath } from './shown-path.js';

export interface TextProgressOptions {
  environment: NodeJS.ProcessEnv;
  verbose: boolean;
  stream?: NodeJS.WriteStream;
  /** The run's workdir: the paths events give relative to it are shown relative to where the user stands. */
  workdir?: string;
}

/**
 * Text mode's progress on stderr: one line per thing that happened (the human renderer) and, while the run waits,
 * what it waits for. On a terminal that is a status line redrawn in place every second, erased before the final
 * result line; elsewhere (a log) each `heartbeat` is printed as a plain line instead. Colours and escape codes only
 * on a terminal without NO_COLOR.
 */
export class TextProgress {
  private statusLine: LiveStatusLine | undefined;
  private readonly stream: NodeJS.WriteStream;
  private readonly terminal: boolean;
  private readonly color: boolean;

  constructor(events: EventBus, options: TextProgressOptions) {
    this.stream = options.stream ?? process.stderr;
    this.terminal = this.stream.isTTY === true;
    this.color = this.terminal && !options.environment.NO_COLOR;
    // `write` is looked up at each call: while the status line is shown it goes through it.
    const workdir = options.workdir;
    const render = createHumanRenderer({
      write: (text) => this.stream.write(text),
      color: this.color,
      verbose: options.verbose,
      ...(workdir !== undefined ? { workdirPath: (path: string) => shownPath(resolve(workdir, path)) } : {}),
    });
    events.subscribe((event) => {
      if (event.type === 'result') this.close();
      if (event.type === 'heartbeat' && this.terminal) return;
      render(event);
    });
  }

  /** On a terminal, starts the waiting line, drawn from `calls` (the calls in flight, longest-waiting first). */
  showWaiting(calls: () => InFlightCall[]): void {
    if (!this.terminal || this.statusLine) return;
    this.statusLine = new LiveStatusLine({
      output: this.stream,
      text: (columns) => statusText(calls(), columns),
      escapes: this.color,
    });
    this.statusLine.start();
  }

  /** Erases the waiting line for good; idempotent. */
  close(): void {
    this.statusLine?.stop();
  }
}
