import type { Dirent } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { findMissingRequirements } from './missing-requirements.js';
import { parseSkillFile, SKILL_FILE } from './parse-skill-file.js';
import type { InvalidSkill, ShadowedSkill, Skill, SkillCatalog } from './skill-catalog.js';

export interface SkillDiscoveryOptions {
  /** Directories holding skill folders (`<directory>/<skill>/SKILL.md`), in order of precedence. */
  directories: string[];
  /** Where required environment variables are looked up, and the PATH for required programs. */
  environment: NodeJS.ProcessEnv;
}

/** A SKILL.md larger than this is reported rather than read: skills are instructions, not data. */
const MAX_SKILL_FILE_BYTES = 1024 * 1024;

/**
 * Scans the directories for skills, one folder level deep, in order: the first skill of a name wins and later
 * ones are reported as shadowed. Missing directories are skipped; unreadable ones and SKILL.md files that
 * cannot be used are reported in `invalid` without hiding the others. Reads the disk on every call (no cache),
 * so skills written while a run goes on are found at the next call.
 */
export async function discoverSkills(options: SkillDiscoveryOptions): Promise<SkillCatalog> {
  const directories = await distinctDirectories(options.directories);
  const skills = new Map<string, Skill>();
  const shadowed: ShadowedSkill[] = [];
  const invalid: InvalidSkill[] = [];

  for (const searchDirectory of directories) {
    let entries: Dirent[];
    try {
      entries = await readdir(searchDirectory, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') continue;
      invalid.push({
        path: searchDirectory,
        problem:
          code === 'ENOTDIR'
            ? 'not a directory, though it is in the skill search order'
            : `the skill directory cannot be read (${code ?? String(error)}); check its permissions`,
      });
      continue;
    }
    const folders = entries
      .filter((entry) => !entry.name.startsWith('.'))
      .map((entry) => entry.name)
      .sort();
    for (const folderName of folders) {
      const directory = path.join(searchDirectory, folderName);
      const file = path.join(directory, SKILL_FILE);
      const source = await readSkillFile(file);
      if (source === undefined) continue;
      if (typeof source !== 'string') {
        invalid.push({ path: file, problem: source.problem });
        continue;
      }
      const parsed = parseSkillFile(source, folderName);
      if (!parsed.valid) {
        invalid.push({ path: file, problem: parsed.problem });
        continue;
      }
      const { name, description, agents, requirements, body } = parsed.content;
      const winner = skills.get(name);
      if (winner !== undefined) {
        shadowed.push({ name, agents, directory, shadowedBy: winner.directory });
        continue;
      }
      const missing = findMissingRequirements(requirements, options.environment);
      skills.set(name, { name, description, agents, requirements, missing, directory, file, searchDirectory, body });
    }
  }
  return {
    directories,
    skills: [...skills.values()].sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0)),
    shadowed,
    invalid,
  };
}

/**
 * The text of `<folder>/SKILL.md`; undefined when the entry is no skill folder (a plain file, or a folder
 * without SKILL.md); a problem when SKILL.md is there but cannot be read.
 */
async function readSkillFile(file: string): Promise<string | { problem: string } | undefined> {
  let size: number;
  try {
    const status = await stat(file);
    if (!status.isFile()) return { problem: 'not a regular file' };
    size = status.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    return { problem: `the file cannot be read (${code ?? String(error)})` };
  }
  if (size > MAX_SKILL_FILE_BYTES) {
    return {
      problem: `the file has ${size} bytes, more than the ${MAX_SKILL_FILE_BYTES} a SKILL.md may have: move reference material to other files in the folder`,
    };
  }
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    return { problem: `the file cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})` };
  }
}

/** The directories made absolute, each once (the same directory reached twice would shadow itself). */
async function distinctDirectories(directories: string[]): Promise<string[]> {
  const seen = new Set<string>();
  const distinct: string[] = [];
  for (const directory of directories) {
    const absolute = path.resolve(directory);
    const identity = await realpath(absolute).catch(() => absolute);
    if (seen.has(identity)) continue;
    seen.add(identity);
    distinct.push(absolute);
  }
  return distinct;
}
