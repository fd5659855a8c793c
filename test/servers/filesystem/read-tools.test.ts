import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { startFilesystemHarness, type FilesystemHarness } from './filesystem-harness.js';

describe('filesystem read tools', () => {
  let harness: FilesystemHarness;

  beforeEach(async () => {
    harness = await startFilesystemHarness();
    await fs.writeFile(path.join(harness.root, 'lines.txt'), 'one\ntwo\nthree\nfour\nfive\n');
    await fs.mkdir(path.join(harness.root, 'sub'));
    await fs.writeFile(path.join(harness.root, 'sub', 'note.md'), '# Note\nünïcödé ✓');
  });

  afterEach(async () => {
    await harness.close();
  });

  describe('read_text_file', () => {
    it('reads a whole file by relative or absolute path', async () => {
      const relative = await harness.call('read_text_file', { path: 'sub/note.md' });
      assert.equal(relative.isError, false);
      assert.equal(relative.text, '# Note\nünïcödé ✓');
      const absolute = await harness.call('read_text_file', { path: path.join(harness.root, 'lines.txt') });
      assert.equal(absolute.text, 'one\ntwo\nthree\nfour\nfive\n');
    });

    it('returns the first lines with head and the last lines with tail', async () => {
      assert.equal((await harness.call('read_text_file', { path: 'lines.txt', head: 2 })).text, 'one\ntwo');
      assert.equal((await harness.call('read_text_file', { path: 'lines.txt', tail: 2 })).text, 'four\nfive');
      assert.equal(
        (await harness.call('read_text_file', { path: 'lines.txt', tail: 50 })).text,
        'one\ntwo\nthree\nfour\nfive',
      );
      assert.equal((await harness.call('read_text_file', { path: 'sub/note.md', tail: 1 })).text, 'ünïcödé ✓');
    });

    it('reads head and tail of a file larger than one read chunk', async () => {
      const lines = Array.from({ length: 30_000 }, (_, index) => `line ${index} ✓`);
      await fs.writeFile(path.join(harness.root, 'big.txt'), `${lines.join('\n')}\n`);
      assert.equal(
        (await harness.call('read_text_file', { path: 'big.txt', head: 3 })).text,
        lines.slice(0, 3).join('\n'),
      );
      assert.equal(
        (await harness.call('read_text_file', { path: 'big.txt', tail: 3 })).text,
        lines.slice(-3).join('\n'),
      );
      assert.equal(
        (await harness.call('read_text_file', { path: 'big.txt', tail: 9_000 })).text,
        lines.slice(-9_000).join('\n'),
      );
    });

    it('refuses head and tail together', async () => {
      const outcome = await harness.call('read_text_file', { path: 'lines.txt', head: 1, tail: 1 });
      assert.equal(outcome.isError, true);
      assert.equal(outcome.text, 'Pass either head or tail, not both: read the start or the end of the file.');
    });

    it('reports a missing file with its path and what to do', async () => {
      const outcome = await harness.call('read_text_file', { path: 'sub/missing.txt' });
      assert.equal(outcome.isError, true);
      assert.equal(
        outcome.text,
        `No such file or directory: "sub/missing.txt" (resolved to ${path.join(harness.root, 'sub', 'missing.txt')}). ` +
          'Check the name with list_directory or search_files.',
      );
    });

    it('reports a directory read as a file', async () => {
      const outcome = await harness.call('read_text_file', { path: 'sub' });
      assert.equal(outcome.isError, true);
      assert.equal(
        outcome.text,
        'Cannot read "sub": it is a directory. Use list_directory or directory_tree to see what it contains.',
      );
    });

    it('refuses a whole read of a file over the size limit, but reads its tail', async () => {
      const filePath = path.join(harness.root, 'huge.log');
      await fs.writeFile(filePath, 'first line\n');
      await fs.truncate(filePath, 21 * 1024 * 1024 - 9);
      await fs.appendFile(filePath, '\nlast one');
      const whole = await harness.call('read_text_file', { path: 'huge.log' });
      assert.equal(whole.isError, true);
      assert.equal(
        whole.text,
        'Cannot read "huge.log" whole: it is 21.0 MB, over the 20 MB limit. Read part of it with read_text_file and head or tail.',
      );
      assert.equal((await harness.call('read_text_file', { path: 'huge.log', tail: 1 })).text, 'last one');
      assert.equal((await harness.call('read_text_file', { path: 'huge.log', head: 1 })).text, 'first line');
    });

    it('refuses to read a named pipe instead of blocking on it', async () => {
      const pipePath = path.join(harness.root, 'pipe');
      execFileSync('mkfifo', [pipePath]);
      const outcome = await harness.call('read_text_file', { path: 'pipe' });
      assert.equal(outcome.isError, true);
      assert.equal(outcome.text, 'Cannot read "pipe": it is not a regular file (a pipe, socket or device).');
    });

    it('rejects arguments of the wrong type', async () => {
      const outcome = await harness.call('read_text_file', { path: 42 });
      assert.equal(outcome.isError, true);
      assert.match(outcome.text, /path/);
    });
  });

  it('read_file is an alias of read_text_file', async () => {
    assert.equal((await harness.call('read_file', { path: 'lines.txt', head: 1 })).text, 'one');
    const missing = await harness.call('read_file', { path: 'nope.txt' });
    assert.equal(missing.isError, true);
    assert.match(missing.text, /^No such file or directory: "nope\.txt"/);
  });

  describe('read_media_file', () => {
    it('returns an image as base64 with its MIME type', async () => {
      const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff]);
      await fs.writeFile(path.join(harness.root, 'pixel.PNG'), bytes);
      const outcome = await harness.call('read_media_file', { path: 'pixel.PNG' });
      assert.equal(outcome.isError, false);
      assert.deepEqual(outcome.content, [{ type: 'image', data: bytes.toString('base64'), mimeType: 'image/png' }]);
    });

    it('returns audio as an audio block and other files as an embedded resource', async () => {
      await fs.writeFile(path.join(harness.root, 'sound.mp3'), Buffer.from('ID3'));
      assert.deepEqual((await harness.call('read_media_file', { path: 'sound.mp3' })).content, [
        { type: 'audio', data: Buffer.from('ID3').toString('base64'), mimeType: 'audio/mpeg' },
      ]);
      const blobPath = path.join(harness.root, 'data.bin');
      await fs.writeFile(blobPath, Buffer.from([1, 2, 3]));
      assert.deepEqual((await harness.call('read_media_file', { path: 'data.bin' })).content, [
        {
          type: 'resource',
          resource: { uri: pathToFileURL(blobPath).href, mimeType: 'application/octet-stream', blob: 'AQID' },
        },
      ]);
    });

    it('reports a missing media file', async () => {
      const outcome = await harness.call('read_media_file', { path: 'nothing.png' });
      assert.equal(outcome.isError, true);
      assert.match(outcome.text, /^No such file or directory: "nothing\.png"/);
    });
  });

  describe('read_multiple_files', () => {
    it('reads every file and reports a failing one without failing the others', async () => {
      const outcome = await harness.call('read_multiple_files', { paths: ['lines.txt', 'missing.txt', 'sub/note.md'] });
      assert.equal(outcome.isError, false);
      assert.equal(
        outcome.text,
        [
          'lines.txt:\none\ntwo\nthree\nfour\nfive\n\n',
          `missing.txt: Error - No such file or directory: "missing.txt" (resolved to ${path.join(harness.root, 'missing.txt')}). ` +
            'Check the name with list_directory or search_files.',
          'sub/note.md:\n# Note\nünïcödé ✓\n',
        ].join('\n---\n'),
      );
    });

    it('is an error when every file fails', async () => {
      const outcome = await harness.call('read_multiple_files', { paths: ['a.txt', 'sub'] });
      assert.equal(outcome.isError, true);
      assert.match(outcome.text, /^a\.txt: Error - No such file/);
      assert.match(outcome.text, /\n---\nsub: Error - Cannot read "sub": it is a directory/);
    });

    it('rejects an empty list', async () => {
      const outcome = await harness.call('read_multiple_files', { paths: [] });
      assert.equal(outcome.isError, true);
      assert.match(outcome.text, /At least one file path must be provided/);
    });
  });

  describe('get_file_info', () => {
    it('describes a file', async () => {
      const filePath = path.join(harness.root, 'lines.txt');
      await fs.chmod(filePath, 0o640);
      const stats = await fs.stat(filePath);
      const outcome = await harness.call('get_file_info', { path: 'lines.txt' });
      assert.equal(outcome.isError, false);
      assert.equal(
        outcome.text,
        [
          `path: ${filePath}`,
          'size: 24',
          `created: ${stats.birthtime.toISOString()}`,
          `modified: ${stats.mtime.toISOString()}`,
          `accessed: ${stats.atime.toISOString()}`,
          'isDirectory: false',
          'isFile: true',
          'permissions: 640',
        ].join('\n'),
      );
    });

    it('describes a directory', async () => {
      const outcome = await harness.call('get_file_info', { path: 'sub' });
      assert.match(outcome.text, /\nisDirectory: true\nisFile: false\n/);
    });

    it('reports a missing path', async () => {
      const outcome = await harness.call('get_file_info', { path: 'ghost' });
      assert.equal(outcome.isError, true);
      assert.match(outcome.text, /^No such file or directory: "ghost"/);
    });
  });

  it('list_allowed_directories names the real path of each root', async () => {
    const outcome = await harness.call('list_allowed_directories');
    assert.equal(outcome.isError, false);
    assert.equal(outcome.text, `Allowed directories:\n${harness.root}`);
  });
});
