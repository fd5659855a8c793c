import { mkdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';

/**
 * Creates the directories a freshly written config.json names (its `filesystem.workdir` and the `allowedRoots`
 * relative to it), so that commands run straight after `init` (`mcp list`, `agents`, `status`) find them. Only
 * literal paths inside the project are created: one that refers to the environment (`${…}`) or leads outside is
 * left for the user. Returns the directories created or already there, relative to the project.
 */
export function createConfiguredDirectories(projectDirectory: string): string[] {
  let filesystem: { workdir?: unknown; allowedRoots?: unknown } | undefined;
  try {
    filesystem = (
      JSON.parse(readFileSync(join(projectDirectory, 'config.json'), 'utf8')) as { filesystem?: typeof filesystem }
    ).filesystem;
  } catch {
    return [];
  }
  const literal = (value: unknown): value is string =>
    typeof value === 'string' && value !== '' && !value.includes('$');
  const workdir = literal(filesystem?.workdir) ? resolve(projectDirectory, filesystem.workdir) : projectDirectory;
  const roots = Array.isArray(filesystem?.allowedRoots)
    ? filesystem.allowedRoots.filter(literal).map((root) => resolve(workdir, root))
    : [];
  const created: string[] = [];
  for (const directory of [workdir, ...roots]) {
    const inside = relative(projectDirectory, directory);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside) || created.includes(inside)) continue;
    mkdirSync(directory, { recursive: true });
    created.push(inside);
  }
  return created;
}
