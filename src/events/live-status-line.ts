/** The stream the line is drawn on: process.stderr, or a stand-in in tests. */
export interface StatusLineOutput {
  write(chunk: string | Uint8Array, ...rest: unknown[]): boolean;
  /** The terminal's width; process.stderr keeps it current when the window is resized. */
  columns?: number;
}

export interface LiveStatusLineOptions {
  output: StatusLineOutput;
  /** The line to show now, at most `columns - 1` characters; undefined: nothing to show. */
  text: (columns: number | undefined) => string | undefined;
  /**
   * Escape codes allowed (clear-line, dim). Without them (NO_COLOR) the line is erased by overwriting it with
   * spaces after a carriage return: redrawn in place all the same.
   */
  escapes: boolean;
  /** How often the line is redrawn (default 1 s). */
  intervalMs?: number;
}

const CLEAR_LINE = '\r\u001b[2K';
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';

/**
 * One status line kept at the bottom of a terminal and redrawn in place, under everything else written to the
 * same stream. While started, it wraps the stream's `write`, not only the renderer's: the logger's console lines
 * and any other in-process write to stderr come through it too, so every one of them first erases the status line
 * (no fragment is left behind, nothing is appended to it) and the line is drawn again after it. The redraw timer
 * is unref'd; `stop` erases the line and gives the stream its own `write` back.
 */
export class LiveStatusLine {
  private readonly write: StatusLineOutput['write'];
  private timer: NodeJS.Timeout | undefined;
  /** Length of the line on screen; 0 when none is shown. */
  private shownLength = 0;
  /** Whether the last write ended a line: the status line is only drawn at the start of a line. */
  private atLineStart = true;

  constructor(private readonly options: LiveStatusLineOptions) {
    this.write = options.output.write;
  }

  start(): void {
    if (this.timer) return;
    const { output } = this.options;
    output.write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => this.writeAbove(chunk, rest);
    this.timer = setInterval(() => this.refresh(), this.options.intervalMs ?? 1_000);
    this.timer.unref();
  }

  /** Erases the line and stops drawing it; idempotent. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.options.output.write = this.write;
    const erase = this.erase();
    if (erase) this.write.call(this.options.output, erase);
  }

  /** Draws the line as it is now (or erases it when there is nothing to show). */
  refresh(): void {
    if (!this.atLineStart) return;
    const sequence = this.erase() + this.draw();
    if (sequence) this.write.call(this.options.output, sequence);
  }

  private writeAbove(chunk: string | Uint8Array, rest: unknown[]): boolean {
    const output = this.options.output;
    const erase = this.erase();
    if (chunk.length > 0)
      this.atLineStart = typeof chunk === 'string' ? chunk.endsWith('\n') : chunk[chunk.length - 1] === 0x0a;
    if (typeof chunk === 'string')
      return this.write.call(output, `${erase}${chunk}${this.atLineStart ? this.draw() : ''}`, ...rest);
    if (erase) this.write.call(output, erase);
    const written = this.write.call(output, chunk, ...rest);
    const redraw = this.atLineStart ? this.draw() : '';
    if (redraw) this.write.call(output, redraw);
    return written;
  }

  /** What erases the line on screen, if one is shown. */
  private erase(): string {
    if (this.shownLength === 0) return '';
    const length = this.shownLength;
    this.shownLength = 0;
    return this.options.escapes ? CLEAR_LINE : `\r${' '.repeat(length)}\r`;
  }

  /** What draws the line now, from the start of an empty line; '' when there is nothing to show. */
  private draw(): string {
    const text = this.options.text(this.options.output.columns);
    if (!text) return '';
    this.shownLength = text.length;
    return this.options.escapes ? `${DIM}${text}${RESET}` : text;
  }
}
