import type { FileHandle } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

const chunkSize = 64 * 1024;
const newline = 0x0a;

/** Splits text into lines; a final newline ends the last line rather than starting an empty one. */
function splitLines(text: string): string[] {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The first `count` lines of a UTF-8 file open as `handle`, joined by `\n`, reading only as far as needed. */
export async function readHeadLines(handle: FileHandle, count: number): Promise<string> {
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.alloc(chunkSize);
  let text = '';
  let newlines = 0;
  let position = 0;
  while (newlines < count) {
    const { bytesRead } = await handle.read(buffer, 0, chunkSize, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    for (let index = 0; index < bytesRead; index++) if (buffer[index] === newline) newlines++;
    text += decoder.write(buffer.subarray(0, bytesRead));
  }
  text += decoder.end();
  return splitLines(text).slice(0, count).join('\n');
}

/** The last `count` lines of a UTF-8 file open as `handle`, joined by `\n`, reading backwards from the end. */
export async function readTailLines(handle: FileHandle, count: number): Promise<string> {
  const { size } = await handle.stat();
  const chunks: Buffer[] = [];
  let position = size;
  let newlines = 0;
  // One newline more than lines wanted (plus a possible final newline) marks where the window starts.
  while (position > 0 && newlines <= count) {
    const length = Math.min(chunkSize, position);
    position -= length;
    const chunk = Buffer.alloc(length);
    const { bytesRead } = await handle.read(chunk, 0, length, position);
    const data = chunk.subarray(0, bytesRead);
    chunks.unshift(data);
    for (const byte of data) if (byte === newline) newlines++;
  }
  // A newline byte never occurs inside a multi-byte UTF-8 sequence, so a cut mid-character only spoils the
  // first partial line, which slice(-count) drops whenever enough lines were read.
  const lines = splitLines(Buffer.concat(chunks).toString('utf8'));
  return lines.slice(-count).join('\n');
}
