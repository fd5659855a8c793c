import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';

/** Directories never looked into: version control, dependencies, caches, mux-swarm's own state. */
const SKIPPED_DIRECTORIES = new Set([
  '.git',
  '.hg',
  'node_modules',
  '.mux-swarm',
  '__pycache__',
  '.venv',
  'venv',
  '.cache',
  '.mypy_cache',
  '.pytest_cache',
  'wandb',
]);
/** Files that are code or configuration, the things a fix changes (data, weights and logs are left out). */
const SOURCE_EXTENSIONS = new Set([
  '.py',
  '.sh',
  '.bash',
  '.js',
  '.mjs',
  '.cjs',
  '.ts',
  '.json',
  '.yaml',
  '.yml',
  '.toml',
  '.cfg',
  '.ini',
  '.txt',
  '.md',
  '.r',
  '.jl',
  '.c',
  '.cc',
  '.cpp',
  '.h',
  '.cu',
  '.rs',
  '.go',
  '.java',
  '.sql',
  '.env.example',
]);
const SOURCE_NAMES = new Set([
  'Makefile',
  'Dockerfile',
  'requirements.txt',
  'setup.cfg',
  'pyproject.toml',
  'package.json',
]);
const MAX_FILE_BYTES = 128 * 1024;
const MAX_FILES = 400;
const MAX_TOTAL_BYTES = 4 * 1024 * 1024;
/** Directory entries looked at, at most: a workdir holding a dataset of millions of files is not walked whole at every failure. */
const MAX_ENTRIES_VISITED = 20_000;
/** Most characters of diff kept for one fix; the rest is cut with a note. */
const MAX_DIFF_CHARS = 20_000;

/**
 * The workdir's source files as they are now (path relative to the workdir → text), the most recently changed first
 * and within bounds (400 files, 128 KiB each, 4 MiB in all): what a failed step is compared against when it later
 * succeeds. Each text passes through `scrub` (the process's secrets replaced: the snapshot is stored).
 */
export function snapshotWorkdir(
  workdir: string,
  scrub: (text: string) => string = (text) => text,
): Record<string, string> {
  const candidates: Array<{ relative: string; size: number; mtimeMs: number }> = [];
  walk(workdir, '', candidates, { left: MAX_ENTRIES_VISITED });
  candidates.sort((left, right) => right.mtimeMs - left.mtimeMs);
  const snapshot: Record<string, string> = {};
  let total = 0;
  let files = 0;
  for (const candidate of candidates) {
    if (files >= MAX_FILES || total + candidate.size > MAX_TOTAL_BYTES) break;
    const text = readText(path.join(workdir, candidate.relative));
    if (text === undefined) continue;
    snapshot[candidate.relative] = scrub(text);
    total += candidate.size;
    files += 1;
  }
  return snapshot;
}

export interface WorkdirChange {
  /** Files changed, added or removed, relative to the workdir. */
  files: string[];
  /** A unified diff of them (cut when long); null when nothing changed. */
  diff: string | null;
}

/**
 * Whose a changed file is: given its workdir-relative path and modification time (undefined when it was removed),
 * true to count it in the change.
 */
export type ChangeFilter = (relative: string, mtimeMs: number | undefined) => boolean;

/**
 * What changed in the workdir's source files since `before` was taken: changed and removed files, and new ones
 * written since `since` — those `keep` accepts (default all). The files are read through `scrub`, as `before` was.
 */
export function changesSince(
  workdir: string,
  before: Record<string, string>,
  since: Date,
  keep: ChangeFilter = () => true,
  scrub: (text: string) => string = (text) => text,
): WorkdirChange {
  const now = snapshotWorkdir(workdir, scrub);
  const patches: string[] = [];
  const files: string[] = [];
  for (const [relative, old] of Object.entries(before)) {
    const current = now[relative] ?? scrub(readText(path.join(workdir, relative)) ?? '');
    if (current === old) continue;
    const mtime = modifiedAt(path.join(workdir, relative));
    if (!keep(relative, mtime === 0 ? undefined : mtime)) continue;
    files.push(relative);
    patches.push(
      createTwoFilesPatch(
        `a/${relative}`,
        current === '' ? '/dev/null' : `b/${relative}`,
        old,
        current,
        undefined,
        undefined,
        { context: 2 },
      ),
    );
  }
  for (const [relative, current] of Object.entries(now)) {
    const mtime = modifiedAt(path.join(workdir, relative));
    if (relative in before || mtime < since.getTime() || !keep(relative, mtime)) continue;
    files.push(relative);
    patches.push(createTwoFilesPatch('/dev/null', `b/${relative}`, '', current, undefined, undefined, { context: 2 }));
  }
  if (files.length === 0) return { files, diff: null };
  const diff = patches.map(withoutSeparatorLine).join('');
  return {
    files: files.sort(),
    diff:
      diff.length <= MAX_DIFF_CHARS
        ? diff
        : `${diff.slice(0, MAX_DIFF_CHARS)}\n[… diff cut at ${MAX_DIFF_CHARS} characters …]\n`,
  };
}

function walk(
  root: string,
  relative: string,
  into: Array<{ relative: string; size: number; mtimeMs: number }>,
  budget: { left: number },
): void {
  let entries;
  try {
    entries = readdirSync(path.join(root, relative), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (--budget.left < 0) return;
    const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) walk(root, child, into, budget);
      continue;
    }
    if (!entry.isFile() || !isSource(entry.name)) continue;
    try {
      const stats = statSync(path.join(root, child));
      if (stats.size <= MAX_FILE_BYTES) into.push({ relative: child, size: stats.size, mtimeMs: stats.mtimeMs });
    } catch {
      // gone meanwhile
    }
  }
}

function isSource(name: string): boolean {
  return SOURCE_NAMES.has(name) || SOURCE_EXTENSIONS.has(path.extname(name).toLowerCase());
}

/** The file as text, or undefined when it cannot be read or is not text. */
function readText(file: string): string | undefined {
  try {
    const bytes = readFileSync(file);
    if (bytes.length > MAX_FILE_BYTES || bytes.includes(0)) return undefined;
    return bytes.toString('utf8');
  } catch {
    return undefined;
  }
}

function modifiedAt(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** createTwoFilesPatch starts with an "Index"-less "===" line in some versions; keep only the ---/+++ form. */
function withoutSeparatorLine(patch: string): string {
  return patch.replace(/^={10,}\n/m, '');
}
