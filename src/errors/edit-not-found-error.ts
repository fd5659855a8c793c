import { MuxSwarmError } from './mux-swarm-error.js';

/** An edit_file edit whose oldText occurs nowhere in the file (not even with whitespace ignored per line). */
export class EditNotFoundError extends MuxSwarmError {
  /** Zero-based index into the `edits` array. */
  readonly editIndex: number;
  readonly filePath: string;

  constructor(filePath: string, editIndex: number, editCount: number, oldText: string) {
    const excerpt = oldText.length > 200 ? `${oldText.slice(0, 200)}…` : oldText;
    super(
      'edit_not_found',
      `edits[${editIndex}] (edit ${editIndex + 1} of ${editCount}) could not be applied to ${filePath}: ` +
        `its oldText was not found, after the earlier edits were applied:\n${excerpt}\n` +
        'No change was written. Read the file again with read_text_file and copy oldText exactly from it.',
    );
    this.editIndex = editIndex;
    this.filePath = filePath;
  }
}
