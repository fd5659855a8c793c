import { StringDecoder } from 'node:string_decoder';

/** Longer lines are cut: a tail is for reading, and one huge line must not hold megabytes. */
const MAX_LINE_LENGTH = 2_000;

/** The last `capacity` lines of a command's output stream (UTF-8), fed chunk by chunk; memory stays bounded. */
export class OutputTail {
  private readonly decoder = new StringDecoder('utf8');
  private readonly complete: string[] = [];
  private partial = '';

  constructor(private readonly capacity: number) {}

  push(chunk: Buffer): void {
    const pieces = (this.partial + this.decoder.write(chunk)).split('\n');
    this.partial = clip(pieces.pop() ?? '');
    for (const piece of pieces) {
      this.complete.push(clip(piece.replace(/\r$/, '')));
      if (this.complete.length > this.capacity) this.complete.shift();
    }
  }

  /** The kept lines, oldest first, with an unfinished last line if there is one. */
  lines(): string[] {
    return (this.partial === '' ? this.complete : [...this.complete, this.partial]).slice(-this.capacity);
  }
}

function clip(line: string): string {
  return line.length > MAX_LINE_LENGTH ? `${line.slice(0, MAX_LINE_LENGTH)}…` : line;
}
