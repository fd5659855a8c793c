/** Lines added and removed in one file, as a unified diff tells it. */
export interface FileDiffStat {
  /** The file's path as the diff names it (its new name; the old one for a removed file), without `a/` or `b/`. */
  file: string;
  added: number;
  removed: number;
}

/**
 * Lines added and removed per file of a unified diff (git's, jsdiff's, or the filesystem server's `edit_file`
 * result, fences and all). Each hunk is read for as many lines as its `@@ -a,b +c,d @@` header says, so a changed
 * line that begins with `---` or `+++` is counted as a change, not taken for a file header. A diff cut short counts
 * what it holds.
 */
export function diffStat(diff: string): FileDiffStat[] {
  const stats: FileDiffStat[] = [];
  const lines = diff.split('\n');
  let current: FileDiffStat | undefined;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!;
    const next = lines[index + 1];
    if (line.startsWith('--- ') && next?.startsWith('+++ ')) {
      const oldName = fileName(line.slice(4));
      const newName = fileName(next.slice(4));
      current = { file: newName === '/dev/null' ? oldName : newName, added: 0, removed: 0 };
      stats.push(current);
      index += 1;
      continue;
    }
    const hunk = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(line);
    if (hunk === null || current === undefined) continue;
    let oldLeft = hunk[1] === undefined ? 1 : Number(hunk[1]);
    let newLeft = hunk[2] === undefined ? 1 : Number(hunk[2]);
    while ((oldLeft > 0 || newLeft > 0) && index + 1 < lines.length) {
      const body = lines[index + 1]!;
      if (body.startsWith('\\')) {
        index += 1;
        continue;
      }
      if (body.startsWith('-')) {
        current.removed += 1;
        oldLeft -= 1;
      } else if (body.startsWith('+')) {
        current.added += 1;
        newLeft -= 1;
      } else if (body.startsWith(' ') || body === '') {
        oldLeft -= 1;
        newLeft -= 1;
      } else {
        break;
      }
      index += 1;
    }
  }
  return stats;
}

/** A file header's path: the tab and what follows it dropped, `a/` or `b/` taken off. */
function fileName(header: string): string {
  const name = header.split('\t')[0]!.trim();
  return name === '/dev/null' ? name : name.replace(/^[ab]\//, '');
}

/** `+3 −1`: lines added and removed (with a true minus sign). */
export function lineCounts(added: number, removed: number): string {
  return `+${added} −${removed}`;
}
