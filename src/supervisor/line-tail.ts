import { StringDecoder } from 'node:string_decoder';

export const DEFAULT_STDERR_TAIL_LINES = 50;
/** Longer lines are cut: a tail is for reading, and one huge line must not hold megabytes. */
const MAX_LINE_LENGTH = 2_000;

/** The last `capacity` lines of a byte stream (UTF-8: a character split across chunks is kept whole), fed chunk by chunk; memory stays bounded. */
export class LineTail {
  private readonly decoder = new StringDecoder('utf8');
  private readonly complete: string[] = [];
  private partial = '';

  constructor(private readonly capacity = DEFAULT_STDERR_TAIL_LINES) {}

  push(chunk: Buffer | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    const pieces = (this.partial + text).split('\n');
    this.partial = clip(pieces.pop() ?? '');
    for (const piece of pieces) this.add(piece);
  }

  /** The kept lines, oldest first, with an unfinished last line if there is one. */
  lines(): string[] {
    const lines = this.partial === '' ? [...this.complete] : [...this.complete, this.partial];
    return lines.slice(-this.capacity);
  }

  private add(line: string): void {
    this.complete.push(clip(line.replace(/\r$/, '')));
    if (this.complete.length > this.capacity) this.complete.shift();
  }
}

function clip(line: string): string {
  return line.length > MAX_LINE_LENGTH ? `${line.slice(0, MAX_LINE_LENGTH)}…` : line;
}
