/**
 * Byte offsets into logged output may fall inside a multi-byte UTF-8 character (a chunk from a pipe ends
 * wherever the kernel cut it). These helpers keep decoded text free of half characters.
 */

/** How many bytes at the end of `bytes` start a character that is not complete yet (0 to 3). */
export function incompleteUtf8SuffixLength(bytes: Uint8Array): number {
  const lookBack = Math.min(3, bytes.length);
  for (let back = 1; back <= lookBack; back += 1) {
    const byte = bytes[bytes.length - back] as number;
    if ((byte & 0b1100_0000) === 0b1000_0000) continue; // a continuation byte: look further back
    const length = sequenceLength(byte);
    return length > back ? back : 0;
  }
  return 0;
}

/** How many continuation bytes `bytes` starts with: the rest of a character cut off before it (0 to 3). */
export function leadingContinuationLength(bytes: Uint8Array): number {
  let count = 0;
  while (count < 3 && count < bytes.length && ((bytes[count] as number) & 0b1100_0000) === 0b1000_0000) count += 1;
  return count;
}

/** `bytes` decoded without the partial characters at either end. */
export function decodeWholeCharacters(bytes: Buffer): string {
  const start = leadingContinuationLength(bytes);
  const end = bytes.length - incompleteUtf8SuffixLength(bytes.subarray(start));
  return bytes.toString('utf8', start, Math.max(start, end));
}

function sequenceLength(leadByte: number): number {
  if (leadByte < 0b1000_0000) return 1;
  if ((leadByte & 0b1110_0000) === 0b1100_0000) return 2;
  if ((leadByte & 0b1111_0000) === 0b1110_0000) return 3;
  if ((leadByte & 0b1111_1000) === 0b1111_0000) return 4;
  return 1; // not a valid lead byte: nothing to wait for
}
