import { EditNotFoundError } from '../../errors/edit-not-found-error.js';
import { MuxSwarmError } from '../../errors/mux-swarm-error.js';

export interface FileEdit {
  oldText: string;
  newText: string;
}

export interface EditedText {
  /** The file's text with line endings normalized to `\n`. */
  original: string;
  /** The text after every edit, still with `\n` line endings. */
  modified: string;
  /** Whether the file used `\r\n`; the caller restores them when writing. */
  usesCrlf: boolean;
}

function normalizeLineEndings(text: string): string {
  return text.replace(/\r\n/g, '\n');
}

function leadingWhitespace(line: string): string {
  return /^\s*/.exec(line)?.[0] ?? '';
}

/**
 * Applies edits in order, each to the result of the ones before, as the reference filesystem server does: the
 * first exact occurrence of `oldText` is replaced; failing that, a run of lines equal to oldText's lines once
 * leading and trailing whitespace is ignored is replaced, re-indented to the file's indentation. All or nothing:
 * an edit that matches nowhere throws EditNotFoundError naming its index.
 */
export function applyEdits(content: string, edits: readonly FileEdit[], filePath: string): EditedText {
  const original = normalizeLineEndings(content);
  let modified = original;
  edits.forEach((edit, index) => {
    const oldText = normalizeLineEndings(edit.oldText);
    const newText = normalizeLineEndings(edit.newText);
    if (oldText === '') {
      throw new MuxSwarmError(
        'edit_invalid',
        `edits[${index}] for ${filePath} has an empty oldText, which matches nowhere in particular. ` +
          'Put the lines next to the change in oldText (and in newText with the addition), or use write_file.',
      );
    }
    const exact = modified.indexOf(oldText);
    if (exact !== -1) {
      modified = modified.slice(0, exact) + newText + modified.slice(exact + oldText.length);
      return;
    }
    const flexible = replaceIgnoringWhitespace(modified, oldText, newText);
    if (flexible === undefined) throw new EditNotFoundError(filePath, index, edits.length, edit.oldText);
    modified = flexible;
  });
  return { original, modified, usesCrlf: content.includes('\r\n') };
}

function replaceIgnoringWhitespace(content: string, oldText: string, newText: string): string | undefined {
  const oldLines = oldText.split('\n');
  const contentLines = content.split('\n');
  for (let start = 0; start + oldLines.length <= contentLines.length; start++) {
    const matches = oldLines.every(
      (oldLine, offset) => oldLine.trim() === (contentLines[start + offset] as string).trim(),
    );
    if (!matches) continue;
    const fileIndent = leadingWhitespace(contentLines[start] as string);
    const newLines = newText.split('\n').map((line, offset) => {
      if (offset === 0) return fileIndent + line.trimStart();
      // Later lines keep their indentation relative to the old text's line at the same position.
      const oldIndent = leadingWhitespace(oldLines[offset] ?? '');
      const newIndent = leadingWhitespace(line);
      if (oldIndent !== '' && newIndent !== '') {
        return fileIndent + ' '.repeat(Math.max(0, newIndent.length - oldIndent.length)) + line.trimStart();
      }
      return line;
    });
    contentLines.splice(start, oldLines.length, ...newLines);
    return contentLines.join('\n');
  }
  return undefined;
}
