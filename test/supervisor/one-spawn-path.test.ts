import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

const SOURCE = join(import.meta.dirname, '..', '..', 'src');
const THE_SPAWN_PATH = 'supervisor/spawn-child.ts';

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('one spawn path', () => {
  it('starts every child process in src/ through supervisor/spawn-child.ts: no other file imports a value from node:child_process', () => {
    const offenders = sourceFiles(SOURCE).flatMap((file) => {
      const name = relative(SOURCE, file);
      if (name === THE_SPAWN_PATH) return [];
      const text = readFileSync(file, 'utf8');
      const valueImport = /import\s+(?!type\b)[^;]*from\s+['"](node:)?child_process['"]/.test(text);
      const required =
        /require\(\s*['"](node:)?child_process['"]\s*\)|import\(\s*['"](node:)?child_process['"]\s*\)/.test(text);
      return valueImport || required ? [name] : [];
    });
    assert.deepEqual(offenders, []);
    assert.match(
      readFileSync(join(SOURCE, THE_SPAWN_PATH), 'utf8'),
      /import \{ spawn,[^}]*\} from 'node:child_process'/,
      'the spawn path itself spawns',
    );
  });
});
