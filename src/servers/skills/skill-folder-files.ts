import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { SKILL_FILE } from './parse-skill-file.js';

export interface SkillFolderFiles {
  /** Paths relative to the skill's folder ("/" separated), sorted; SKILL.md itself is left out. */
  files: string[];
  /** Files beyond the limit, not listed. */
  omitted: number;
}

/** Folders never worth listing to an agent. */
const SKIPPED_FOLDERS = new Set(['node_modules', '__pycache__']);
const MAX_DEPTH = 6;

/**
 * The files a skill ships besides SKILL.md (scripts, references, templates), at most `limit` of them. Hidden
 * entries, node_modules and __pycache__ are skipped; symbolic links to folders are listed (with a trailing "/")
 * but not entered, so a link loop cannot make the listing endless.
 */
export async function listSkillFolderFiles(directory: string, limit = 200): Promise<SkillFolderFiles> {
  const files: string[] = [];
  let omitted = 0;
  const add = (relative: string): void => {
    if (files.length < limit) files.push(relative);
    else omitted += 1;
  };

  const visit = async (relativeFolder: string, depth: number): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(path.join(directory, relativeFolder), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const relative = relativeFolder === '' ? entry.name : `${relativeFolder}/${entry.name}`;
      if (relative === SKILL_FILE) continue;
      if (entry.isDirectory()) {
        if (SKIPPED_FOLDERS.has(entry.name)) continue;
        if (depth < MAX_DEPTH) await visit(relative, depth + 1);
        else add(`${relative}/`);
      } else if (entry.isSymbolicLink()) {
        const target = await stat(path.join(directory, relative)).catch(() => undefined);
        add(target?.isDirectory() === true ? `${relative}/` : relative);
      } else {
        add(relative);
      }
    }
  };

  await visit('', 1);
  return { files, omitted };
}
