import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { startFilesystemHarness, type FilesystemHarness } from './filesystem-harness.js';

describe('filesystem listing tools', () => {
  let harness: FilesystemHarness;

  beforeEach(async () => {
    harness = await startFilesystemHarness();
    const { root } = harness;
    await fs.mkdir(path.join(root, 'src', 'nested'), { recursive: true });
    await fs.mkdir(path.join(root, 'node_modules', 'pkg'), { recursive: true });
    await fs.mkdir(path.join(root, 'empty'));
    await fs.writeFile(path.join(root, 'README.md'), 'x'.repeat(10));
    await fs.writeFile(path.join(root, 'big.log'), 'y'.repeat(2048));
    await fs.writeFile(path.join(root, '.env'), 'SECRET=1');
    await fs.writeFile(path.join(root, 'src', 'index.ts'), 'export {};');
    await fs.writeFile(path.join(root, 'src', 'index.test.ts'), 'test');
    await fs.writeFile(path.join(root, 'src', 'nested', 'deep.ts'), 'deep');
    await fs.writeFile(path.join(root, 'src', 'nested', 'deep.test.ts'), 'deep test');
    await fs.writeFile(path.join(root, 'node_modules', 'pkg', 'index.ts'), 'dependency');
  });

  afterEach(async () => {
    await harness.close();
  });

  describe('list_directory', () => {
    it('lists entries sorted by name with [FILE] and [DIR]', async () => {
      const outcome = await harness.call('list_directory', { path: '.' });
      assert.equal(outcome.isError, false);
      assert.equal(
        outcome.text,
        ['[FILE] .env', '[FILE] README.md', '[FILE] big.log', '[DIR] empty', '[DIR] node_modules', '[DIR] src'].join(
          '\n',
        ),
      );
      assert.equal(
        (await harness.call('list_directory', { path: 'src' })).text,
        '[FILE] index.test.ts\n[FILE] index.ts\n[DIR] nested',
      );
    });

    it('says when a directory is empty', async () => {
      assert.equal((await harness.call('list_directory', { path: 'empty' })).text, 'Directory empty is empty.');
    });

    it('reports a file given as a directory', async () => {
      const outcome = await harness.call('list_directory', { path: 'README.md' });
      assert.equal(outcome.isError, true);
      assert.equal(
        outcome.text,
        'Cannot list "README.md": it, or a directory above it, is a file and not a directory.',
      );
    });
  });

  describe('list_directory_with_sizes', () => {
    it('lists sizes by name with totals', async () => {
      const outcome = await harness.call('list_directory_with_sizes', { path: '.' });
      assert.equal(outcome.isError, false);
      const lines = outcome.text.split('\n');
      assert.deepEqual(lines.slice(0, 6), [
        `[FILE] ${'.env'.padEnd(30)} ${'8 B'.padStart(10)}`,
        `[FILE] ${'README.md'.padEnd(30)} ${'10 B'.padStart(10)}`,
        `[FILE] ${'big.log'.padEnd(30)} ${'2.00 KB'.padStart(10)}`,
        `[DIR] ${'empty'.padEnd(30)}`.trimEnd(),
        `[DIR] ${'node_modules'.padEnd(30)}`.trimEnd(),
        `[DIR] ${'src'.padEnd(30)}`.trimEnd(),
      ]);
      assert.deepEqual(lines.slice(6), ['', 'Total: 3 files, 3 directories', 'Combined size: 2.02 KB']);
    });

    it('puts the largest first when sorted by size', async () => {
      const outcome = await harness.call('list_directory_with_sizes', { path: '.', sortBy: 'size' });
      const names = outcome.text
        .split('\n')
        .slice(0, 3)
        .map((line) => line.split(/\s+/)[1]);
      assert.deepEqual(names, ['big.log', 'README.md', '.env']);
    });

    it('rejects an unknown sort key', async () => {
      const outcome = await harness.call('list_directory_with_sizes', { path: '.', sortBy: 'date' });
      assert.equal(outcome.isError, true);
      assert.match(outcome.text, /sortBy/);
    });
  });

  describe('directory_tree', () => {
    it('returns the recursive tree as JSON', async () => {
      const outcome = await harness.call('directory_tree', { path: 'src' });
      assert.equal(outcome.isError, false);
      assert.deepEqual(JSON.parse(outcome.text), [
        { name: 'index.test.ts', type: 'file' },
        { name: 'index.ts', type: 'file' },
        {
          name: 'nested',
          type: 'directory',
          children: [
            { name: 'deep.test.ts', type: 'file' },
            { name: 'deep.ts', type: 'file' },
          ],
        },
      ]);
      assert.ok(outcome.text.includes('\n  {\n    "name"'), 'indented with two spaces');
    });

    it('leaves out excluded names and paths with everything beneath them', async () => {
      const outcome = await harness.call('directory_tree', {
        path: '.',
        excludePatterns: ['node_modules', '*.log', 'src/nested', '.env'],
      });
      assert.deepEqual(JSON.parse(outcome.text), [
        { name: 'README.md', type: 'file' },
        { name: 'empty', type: 'directory', children: [] },
        {
          name: 'src',
          type: 'directory',
          children: [
            { name: 'index.test.ts', type: 'file' },
            { name: 'index.ts', type: 'file' },
          ],
        },
      ]);
    });

    it('reports a missing directory', async () => {
      const outcome = await harness.call('directory_tree', { path: 'nowhere' });
      assert.equal(outcome.isError, true);
      assert.match(outcome.text, /^No such file or directory: "nowhere"/);
    });
  });

  describe('search_files', () => {
    it('matches a name pattern at any depth', async () => {
      const outcome = await harness.call('search_files', {
        path: '.',
        pattern: '*.ts',
        excludePatterns: ['node_modules'],
      });
      assert.equal(outcome.isError, false);
      assert.deepEqual(outcome.text.split('\n'), [
        path.join(harness.root, 'src', 'index.test.ts'),
        path.join(harness.root, 'src', 'index.ts'),
        path.join(harness.root, 'src', 'nested', 'deep.test.ts'),
        path.join(harness.root, 'src', 'nested', 'deep.ts'),
      ]);
    });

    it('matches a path pattern relative to the search directory', async () => {
      const outcome = await harness.call('search_files', { path: '.', pattern: 'src/**/*.test.ts' });
      assert.deepEqual(outcome.text.split('\n'), [
        path.join(harness.root, 'src', 'index.test.ts'),
        path.join(harness.root, 'src', 'nested', 'deep.test.ts'),
      ]);
      const fromSource = await harness.call('search_files', { path: 'src', pattern: 'nested/*' });
      assert.deepEqual(fromSource.text.split('\n'), [
        path.join(harness.root, 'src', 'nested', 'deep.test.ts'),
        path.join(harness.root, 'src', 'nested', 'deep.ts'),
      ]);
    });

    it('finds directories and dot files, and honours brace alternatives', async () => {
      const outcome = await harness.call('search_files', { path: '.', pattern: '{nested,.env,README.*}' });
      assert.deepEqual(outcome.text.split('\n'), [
        path.join(harness.root, '.env'),
        path.join(harness.root, 'README.md'),
        path.join(harness.root, 'src', 'nested'),
      ]);
    });

    it('says when nothing matches', async () => {
      const outcome = await harness.call('search_files', { path: '.', pattern: '*.py' });
      assert.equal(outcome.isError, false);
      assert.equal(outcome.text, 'No matches found');
    });

    it('reports a search below a file', async () => {
      const outcome = await harness.call('search_files', { path: 'README.md/sub', pattern: '*' });
      assert.equal(outcome.isError, true);
      assert.match(outcome.text, /^No such file or directory: "README\.md\/sub"/);
    });
  });
});
