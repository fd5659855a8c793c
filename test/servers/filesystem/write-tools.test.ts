import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { exists, readText, startFilesystemHarness, type FilesystemHarness } from './filesystem-harness.js';

function diffHeader(filePath: string): string {
  return `\`\`\`diff\nIndex: ${filePath}\n${'='.repeat(67)}\n--- ${filePath}\toriginal\n+++ ${filePath}\tmodified\n`;
}

describe('filesystem write tools', () => {
  let harness: FilesystemHarness;
  let root: string;

  beforeEach(async () => {
    harness = await startFilesystemHarness();
    root = harness.root;
  });

  afterEach(async () => {
    await harness.close();
  });

  describe('write_file', () => {
    it('creates a new file', async () => {
      const outcome = await harness.call('write_file', { path: 'new.txt', content: 'héllo\n' });
      assert.equal(outcome.isError, false);
      assert.equal(outcome.text, 'Successfully wrote 7 bytes to new.txt');
      assert.equal(await readText(path.join(root, 'new.txt')), 'héllo\n');
    });

    it('replaces an existing file atomically, keeping its permissions and leaving no temporary file', async () => {
      const filePath = path.join(root, 'config.ini');
      await fs.writeFile(filePath, 'old');
      await fs.chmod(filePath, 0o600);
      const inodeBefore = (await fs.stat(filePath)).ino;
      const outcome = await harness.call('write_file', { path: filePath, content: 'new content' });
      assert.equal(outcome.isError, false);
      assert.equal(await readText(filePath), 'new content');
      const after = await fs.stat(filePath);
      assert.equal(after.mode & 0o777, 0o600);
      assert.notEqual(after.ino, inodeBefore, 'a renamed temporary file replaced the old one');
      assert.deepEqual(await fs.readdir(root), ['config.ini']);
    });

    it('creates missing parent directories', async () => {
      const outcome = await harness.call('write_file', { path: 'a/b/c.txt', content: 'deep' });
      assert.equal(outcome.isError, false);
      assert.equal(
        outcome.text,
        `Successfully wrote 4 bytes to a/b/c.txt (created directory ${path.join(root, 'a', 'b')})`,
      );
      assert.equal(await readText(path.join(root, 'a', 'b', 'c.txt')), 'deep');
    });

    it('refuses to replace a directory', async () => {
      await fs.mkdir(path.join(root, 'dir'));
      const outcome = await harness.call('write_file', { path: 'dir', content: 'x' });
      assert.equal(outcome.isError, true);
      assert.equal(outcome.text, 'Cannot change "dir": it is a directory, not a file.');
      assert.equal((await fs.stat(path.join(root, 'dir'))).isDirectory(), true);
    });

    it('refuses a path below a file', async () => {
      await fs.writeFile(path.join(root, 'file.txt'), 'x');
      const outcome = await harness.call('write_file', { path: 'file.txt/child.txt', content: 'y' });
      assert.equal(outcome.isError, true);
      assert.equal(
        outcome.text,
        `Cannot use "file.txt/child.txt": ${path.join(root, 'file.txt')} is a file, not a directory.`,
      );
    });
  });

  describe('edit_file', () => {
    const source = 'function greet() {\n  console.log("hi");\n  return 1;\n}\n';

    beforeEach(async () => {
      await fs.writeFile(path.join(root, 'greet.js'), source);
    });

    it('replaces exact text and returns a unified diff', async () => {
      const filePath = path.join(root, 'greet.js');
      const outcome = await harness.call('edit_file', {
        path: 'greet.js',
        edits: [{ oldText: 'console.log("hi");', newText: 'console.log("hello");' }],
      });
      assert.equal(outcome.isError, false);
      assert.equal(
        outcome.text,
        `${diffHeader(filePath)}@@ -1,4 +1,4 @@\n function greet() {\n-  console.log("hi");\n+  console.log("hello");\n   return 1;\n }\n\`\`\`\n\n`,
      );
      assert.equal(await readText(filePath), source.replace('"hi"', '"hello"'));
    });

    it('previews with dryRun without writing', async () => {
      const outcome = await harness.call('edit_file', {
        path: 'greet.js',
        edits: [{ oldText: 'return 1;', newText: 'return 2;' }],
        dryRun: true,
      });
      assert.equal(outcome.isError, false);
      assert.match(outcome.text, /^Dry run: nothing was written\.\n```diff\n/);
      assert.match(outcome.text, /\n-  return 1;\n\+  return 2;\n/);
      assert.equal(await readText(path.join(root, 'greet.js')), source);
    });

    it("matches lines whose indentation differs and keeps the file's indentation", async () => {
      const outcome = await harness.call('edit_file', {
        path: 'greet.js',
        edits: [{ oldText: 'console.log("hi");\n    return 1;', newText: 'console.log("bye");\n    return 0;' }],
      });
      assert.equal(outcome.isError, false, outcome.text);
      assert.equal(
        await readText(path.join(root, 'greet.js')),
        'function greet() {\n  console.log("bye");\n  return 0;\n}\n',
      );
    });

    it('applies several edits in order', async () => {
      await harness.call('edit_file', {
        path: 'greet.js',
        edits: [
          { oldText: 'greet', newText: 'welcome' },
          { oldText: 'function welcome', newText: 'export function welcome' },
        ],
      });
      assert.equal(await readText(path.join(root, 'greet.js')), `export ${source.replace('greet', 'welcome')}`);
    });

    it('names the edit whose oldText is missing and writes nothing', async () => {
      const filePath = path.join(root, 'greet.js');
      const outcome = await harness.call('edit_file', {
        path: 'greet.js',
        edits: [
          { oldText: 'return 1;', newText: 'return 2;' },
          { oldText: 'console.error', newText: 'console.warn' },
        ],
      });
      assert.equal(outcome.isError, true);
      assert.equal(
        outcome.text,
        `edits[1] (edit 2 of 2) could not be applied to ${filePath}: its oldText was not found, after the earlier edits ` +
          'were applied:\nconsole.error\nNo change was written. Read the file again with read_text_file and copy oldText exactly from it.',
      );
      assert.equal(await readText(filePath), source);
    });

    it('refuses an empty oldText', async () => {
      const outcome = await harness.call('edit_file', { path: 'greet.js', edits: [{ oldText: '', newText: 'x' }] });
      assert.equal(outcome.isError, true);
      assert.match(outcome.text, /^edits\[0\] for .*greet\.js has an empty oldText/);
      assert.equal(await readText(path.join(root, 'greet.js')), source);
    });

    it('keeps Windows line endings', async () => {
      const filePath = path.join(root, 'crlf.txt');
      await fs.writeFile(filePath, 'alpha\r\nbeta\r\ngamma\r\n');
      const outcome = await harness.call('edit_file', {
        path: 'crlf.txt',
        edits: [{ oldText: 'beta\n', newText: 'BETA\n' }],
      });
      assert.equal(outcome.isError, false, outcome.text);
      assert.match(outcome.text, /\n-beta\n\+BETA\n/);
      assert.equal(await readText(filePath), 'alpha\r\nBETA\r\ngamma\r\n');
    });

    it('reports a missing file', async () => {
      const outcome = await harness.call('edit_file', { path: 'absent.js', edits: [{ oldText: 'a', newText: 'b' }] });
      assert.equal(outcome.isError, true);
      assert.match(outcome.text, /^No such file or directory: "absent\.js"/);
      assert.equal(await exists(path.join(root, 'absent.js')), false);
    });
  });

  describe('create_directory', () => {
    it('creates nested directories', async () => {
      const outcome = await harness.call('create_directory', { path: 'x/y/z' });
      assert.equal(outcome.isError, false);
      assert.equal(outcome.text, 'Successfully created directory x/y/z');
      assert.equal((await fs.stat(path.join(root, 'x', 'y', 'z'))).isDirectory(), true);
    });

    it('succeeds when the directory exists', async () => {
      await fs.mkdir(path.join(root, 'there'));
      const outcome = await harness.call('create_directory', { path: 'there' });
      assert.equal(outcome.isError, false);
      assert.equal(outcome.text, 'Directory already exists: there');
    });

    it('fails when a file is in the way', async () => {
      await fs.writeFile(path.join(root, 'taken'), 'file');
      const outcome = await harness.call('create_directory', { path: 'taken' });
      assert.equal(outcome.isError, true);
      assert.equal(outcome.text, 'Cannot create directory "taken": a file already exists there. Choose another name.');
      assert.equal(await readText(path.join(root, 'taken')), 'file');
    });
  });

  describe('move_file', () => {
    it('renames a file and moves a directory', async () => {
      await fs.writeFile(path.join(root, 'a.txt'), 'A');
      await fs.mkdir(path.join(root, 'folder'));
      await fs.writeFile(path.join(root, 'folder', 'inner.txt'), 'inner');
      assert.equal(
        (await harness.call('move_file', { source: 'a.txt', destination: 'b.txt' })).text,
        'Successfully moved a.txt to b.txt',
      );
      assert.equal(await readText(path.join(root, 'b.txt')), 'A');
      assert.equal(await exists(path.join(root, 'a.txt')), false);
      const moveDirectory = await harness.call('move_file', { source: 'folder', destination: 'renamed' });
      assert.equal(moveDirectory.isError, false);
      assert.equal(await readText(path.join(root, 'renamed', 'inner.txt')), 'inner');
    });

    it('fails when the destination exists, changing neither file', async () => {
      await fs.writeFile(path.join(root, 'a.txt'), 'A');
      await fs.writeFile(path.join(root, 'b.txt'), 'B');
      const outcome = await harness.call('move_file', { source: 'a.txt', destination: 'b.txt' });
      assert.equal(outcome.isError, true);
      assert.equal(
        outcome.text,
        'Cannot move "a.txt" to "b.txt": the destination already exists. Choose a path that does not exist yet.',
      );
      assert.equal(await readText(path.join(root, 'a.txt')), 'A');
      assert.equal(await readText(path.join(root, 'b.txt')), 'B');
    });

    it("fails when the destination's parent is missing or the source is absent", async () => {
      await fs.writeFile(path.join(root, 'a.txt'), 'A');
      const noParent = await harness.call('move_file', { source: 'a.txt', destination: 'missing/dir/a.txt' });
      assert.equal(noParent.isError, true);
      assert.equal(
        noParent.text,
        `Cannot move to "missing/dir/a.txt": its parent directory ${path.join(root, 'missing', 'dir')} does not exist. ` +
          'Create it with create_directory first.',
      );
      const noSource = await harness.call('move_file', { source: 'ghost.txt', destination: 'c.txt' });
      assert.equal(noSource.isError, true);
      assert.match(noSource.text, /^No such file or directory: "ghost\.txt"/);
      assert.equal(await readText(path.join(root, 'a.txt')), 'A');
    });

    it('refuses moving a directory into itself', async () => {
      await fs.mkdir(path.join(root, 'folder'));
      const outcome = await harness.call('move_file', { source: 'folder', destination: 'folder/inside' });
      assert.equal(outcome.isError, true);
      assert.match(outcome.text, /^Cannot move "folder" to "folder\/inside": the operation is invalid here/);
      assert.equal((await fs.stat(path.join(root, 'folder'))).isDirectory(), true);
    });
  });
});
