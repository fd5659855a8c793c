import { FetchError } from '../../errors/fetch-error.js';

/** One slice of a fetched document's content. */
export interface ContentPage {
  text: string;
  startIndex: number;
  /** Index just past the slice. */
  endIndex: number;
  totalLength: number;
  /** The start_index for the next slice; undefined when this slice reaches the end. */
  nextStartIndex: number | undefined;
}

/**
 * The slice of `content` starting at `startIndex`, at most `maxLength` characters (UTF-16 units, a surrogate
 * pair never split). A start past the end is refused; a start exactly at the end is allowed only for empty
 * content.
 */
export function contentPage(content: string, startIndex: number, maxLength: number, url: string): ContentPage {
  const totalLength = content.length;
  if (startIndex > totalLength || (startIndex === totalLength && totalLength > 0)) {
    throw new FetchError(
      url,
      'past_end',
      `No more content: start_index ${startIndex} is at or past the end of ${url}, which has ${totalLength} characters` +
        (totalLength > 0 ? ` (the last start_index with content is ${totalLength - 1}).` : '.'),
    );
  }
  let endIndex = Math.min(totalLength, startIndex + maxLength);
  if (endIndex < totalLength && endIndex > startIndex + 1 && isHighSurrogate(content.charCodeAt(endIndex - 1)))
    endIndex -= 1;
  return {
    text: content.slice(startIndex, endIndex),
    startIndex,
    endIndex,
    totalLength,
    nextStartIndex: endIndex < totalLength ? endIndex : undefined,
  };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
