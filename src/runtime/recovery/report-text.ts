/** Small text helpers of the recovery report: it quotes journal and memory text, which can be long or multi-line. */

/** The text on one line: runs of whitespace (newlines included) become one space. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** At most `length` characters, with an ellipsis when cut. */
export function clipText(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

/** The first line of the text that is not a markdown heading or blank (a task's gist), else its first line. */
export function gist(text: string): string {
  const lines = text.split('\n').map((line) => line.trim());
  return lines.find((line) => line !== '' && !line.startsWith('#')) ?? lines[0] ?? '';
}
