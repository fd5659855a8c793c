import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { exists, readText, startFilesystemHarness, type FilesystemHarness } from './filesystem-harness.js';

const secret = 'outside secret\n';

describe('filesystem server containment', () => {
  let harness: FilesystemHarness;
  let secretPath: string;

  beforeEach(async () => {
    harness = await startFilesystemHarness();
    secretPath = path.join(harness.outside, 'secret.txt');
    await fs.writeFile(secretPath, secret);
  });

  afterEach(async () => {
    await harness.close();
  });

  async function assertOutsideUntouched(): Promise<void> {
    assert.equal(await readText(secretPath), secret);
    assert.deepEqual(await fs.readdir(harness.outside), ['secret.txt']);
  }

  function assertOutsideRefusal(outcome: { text: string; isError: boolean }, requested: string): void {
    assert.equal(outcome.isError, true, outcome.text);
    assert.match(outcome.text, /^Access denied: /);
    assert.ok(outcome.text.includes(JSON.stringify(requested)), outcome.text);
    assert.ok(outcome.text.includes(`Allowed directories: ${harness.root}`), outcome.text);
    assert.match(outcome.text, /list_allowed_directories/);
  }

  it('refuses ../ escapes for reads, writes, edits and directory creation', async () => {
    const requested = '../outside/secret.txt';
    assertOutsideRefusal(await harness.call('read_text_file', { path: requested }), requested);
    assertOutsideRefusal(await harness.call('write_file', { path: requested, content: 'pwned' }), requested);
    assertOutsideRefusal(
      await harness.call('edit_file', { path: requested, edits: [{ oldText: 'outside', newText: 'pwned' }] }),
      requested,
    );
    assertOutsideRefusal(
      await harness.call('write_file', { path: '../outside/new.txt', content: 'x' }),
      '../outside/new.txt',
    );
    assertOutsideRefusal(await harness.call('create_directory', { path: '../outside/made' }), '../outside/made');
    assertOutsideRefusal(await harness.call('list_directory', { path: '..' }), '..');
    await assertOutsideUntouched();
  });

  it('refuses a ../ escape hidden inside an in-root path', async () => {
    await fs.mkdir(path.join(harness.root, 'sub'));
    const requested = 'sub/../../outside/secret.txt';
    assertOutsideRefusal(await harness.call('read_text_file', { path: requested }), requested);
    assertOutsideRefusal(await harness.call('write_file', { path: requested, content: 'pwned' }), requested);
    await assertOutsideUntouched();
  });

  it('refuses absolute paths outside the roots', async () => {
    assertOutsideRefusal(await harness.call('read_text_file', { path: secretPath }), secretPath);
    assertOutsideRefusal(await harness.call('get_file_info', { path: secretPath }), secretPath);
    assertOutsideRefusal(await harness.call('write_file', { path: secretPath, content: 'pwned' }), secretPath);
    assertOutsideRefusal(await harness.call('search_files', { path: harness.outside, pattern: '*' }), harness.outside);
    assertOutsideRefusal(await harness.call('directory_tree', { path: '/' }), '/');
    await assertOutsideUntouched();
  });

  it("refuses a sibling directory that shares the root's name as a prefix", async () => {
    const evil = `${harness.root}-evil`;
    await fs.mkdir(evil);
    const evilFile = path.join(evil, 'secret.txt');
    await fs.writeFile(evilFile, 'evil secret');
    assertOutsideRefusal(await harness.call('read_text_file', { path: evilFile }), evilFile);
    assertOutsideRefusal(await harness.call('list_directory', { path: evil }), evil);
    assertOutsideRefusal(await harness.call('write_file', { path: evilFile, content: 'pwned' }), evilFile);
    assertOutsideRefusal(
      await harness.call('write_file', { path: '../root-evil/new.txt', content: 'x' }),
      '../root-evil/new.txt',
    );
    assert.equal(await readText(evilFile), 'evil secret');
    assert.deepEqual(await fs.readdir(evil), ['secret.txt']);
  });

  it('refuses reads and writes through a symbolic link that points outside', async () => {
    await fs.symlink(secretPath, path.join(harness.root, 'link.txt'));
    assertOutsideRefusal(await harness.call('read_text_file', { path: 'link.txt' }), 'link.txt');
    assertOutsideRefusal(await harness.call('read_media_file', { path: 'link.txt' }), 'link.txt');
    assertOutsideRefusal(await harness.call('get_file_info', { path: 'link.txt' }), 'link.txt');
    const multiple = await harness.call('read_multiple_files', { paths: ['link.txt'] });
    assert.equal(multiple.isError, true);
    assert.match(multiple.text, /^link\.txt: Error - Access denied/);
    assertOutsideRefusal(await harness.call('write_file', { path: 'link.txt', content: 'pwned' }), 'link.txt');
    assertOutsideRefusal(
      await harness.call('edit_file', { path: 'link.txt', edits: [{ oldText: 'outside', newText: 'pwned' }] }),
      'link.txt',
    );
    await assertOutsideUntouched();
    // The link itself is still there, unchanged.
    assert.equal(await fs.readlink(path.join(harness.root, 'link.txt')), secretPath);
  });

  it('refuses a symbolically linked directory that points outside, for reads, listings and writes', async () => {
    await fs.symlink(harness.outside, path.join(harness.root, 'linked-dir'));
    assertOutsideRefusal(await harness.call('list_directory', { path: 'linked-dir' }), 'linked-dir');
    assertOutsideRefusal(await harness.call('directory_tree', { path: 'linked-dir' }), 'linked-dir');
    assertOutsideRefusal(
      await harness.call('read_text_file', { path: 'linked-dir/secret.txt' }),
      'linked-dir/secret.txt',
    );
    assertOutsideRefusal(
      await harness.call('write_file', { path: 'linked-dir/secret.txt', content: 'pwned' }),
      'linked-dir/secret.txt',
    );
    assertOutsideRefusal(
      await harness.call('write_file', { path: 'linked-dir/new.txt', content: 'x' }),
      'linked-dir/new.txt',
    );
    assertOutsideRefusal(await harness.call('create_directory', { path: 'linked-dir/made' }), 'linked-dir/made');
    assertOutsideRefusal(
      await harness.call('move_file', { source: 'linked-dir/secret.txt', destination: 'stolen.txt' }),
      'linked-dir/secret.txt',
    );
    await assertOutsideUntouched();
    assert.equal(await exists(path.join(harness.root, 'stolen.txt')), false);
  });

  it('refuses a new file whose missing parents lie under a symbolic link to the outside', async () => {
    await fs.symlink(harness.outside, path.join(harness.root, 'linked-dir'));
    const requested = 'linked-dir/deeper/still/new.txt';
    assertOutsideRefusal(await harness.call('write_file', { path: requested, content: 'x' }), requested);
    assertOutsideRefusal(
      await harness.call('create_directory', { path: 'linked-dir/deeper/still' }),
      'linked-dir/deeper/still',
    );
    await assertOutsideUntouched();
  });

  it('refuses writing through a dangling symbolic link that points outside', async () => {
    const target = path.join(harness.outside, 'created-by-link.txt');
    await fs.symlink(target, path.join(harness.root, 'dangling.txt'));
    const outcome = await harness.call('write_file', { path: 'dangling.txt', content: 'pwned' });
    assert.equal(outcome.isError, true);
    assert.equal(await exists(target), false);
    const nested = await harness.call('write_file', { path: 'dangling.txt/new.txt', content: 'pwned' });
    assert.equal(nested.isError, true);
    await assertOutsideUntouched();
  });

  it('refuses writes, edits and moves through a symbolic link even when it points inside the root', async () => {
    const target = path.join(harness.root, 'target.txt');
    await fs.writeFile(target, 'original\n');
    await fs.symlink(target, path.join(harness.root, 'inner-link.txt'));

    const write = await harness.call('write_file', { path: 'inner-link.txt', content: 'changed' });
    assert.equal(write.isError, true);
    assert.equal(
      write.text,
      'Refused: "inner-link.txt" is a symbolic link; writes, edits and moves never go through links. Use the real path of the file instead.',
    );
    const edit = await harness.call('edit_file', {
      path: 'inner-link.txt',
      edits: [{ oldText: 'original', newText: 'changed' }],
    });
    assert.equal(edit.isError, true);
    assert.match(edit.text, /is a symbolic link/);
    const move = await harness.call('move_file', { source: 'inner-link.txt', destination: 'moved.txt' });
    assert.equal(move.isError, true);
    assert.match(move.text, /is a symbolic link/);

    assert.equal(await readText(target), 'original\n');
    assert.equal((await fs.lstat(path.join(harness.root, 'inner-link.txt'))).isSymbolicLink(), true);
    assert.equal(await exists(path.join(harness.root, 'moved.txt')), false);
    // Reading through an in-root link is allowed.
    assert.equal((await harness.call('read_text_file', { path: 'inner-link.txt' })).text, 'original\n');
  });

  it('refuses writing or editing a file hard-linked from outside the root', async () => {
    await fs.link(secretPath, path.join(harness.root, 'hard.txt'));
    const write = await harness.call('write_file', { path: 'hard.txt', content: 'pwned' });
    assert.equal(write.isError, true);
    assert.match(write.text, /^Refused: "hard\.txt" is a file with 2 hard links/);
    const edit = await harness.call('edit_file', {
      path: 'hard.txt',
      edits: [{ oldText: 'outside', newText: 'pwned' }],
    });
    assert.equal(edit.isError, true);
    assert.match(edit.text, /hard links/);
    await assertOutsideUntouched();
    assert.equal(await readText(path.join(harness.root, 'hard.txt')), secret);
  });

  it('refuses moving a file out of the root or in from outside', async () => {
    await fs.writeFile(path.join(harness.root, 'mine.txt'), 'mine');
    assertOutsideRefusal(
      await harness.call('move_file', { source: 'mine.txt', destination: '../outside/mine.txt' }),
      '../outside/mine.txt',
    );
    assertOutsideRefusal(
      await harness.call('move_file', { source: secretPath, destination: 'stolen.txt' }),
      secretPath,
    );
    assert.equal(await readText(path.join(harness.root, 'mine.txt')), 'mine');
    assert.equal(await exists(path.join(harness.root, 'stolen.txt')), false);
    await assertOutsideUntouched();
  });

  it('refuses moving the root itself', async () => {
    const outcome = await harness.call('move_file', { source: harness.root, destination: 'elsewhere' });
    assert.equal(outcome.isError, true);
    assert.equal(
      outcome.text,
      `Cannot move ${JSON.stringify(harness.root)}: it is, or contains, an allowed root directory.`,
    );
    assert.equal((await fs.stat(harness.root)).isDirectory(), true);
  });

  it('expands ~ to the home directory before checking it', async () => {
    const savedHome = process.env.HOME;
    try {
      process.env.HOME = harness.outside;
      assertOutsideRefusal(await harness.call('read_text_file', { path: '~/secret.txt' }), '~/secret.txt');
      assertOutsideRefusal(
        await harness.call('write_file', { path: '~/secret.txt', content: 'pwned' }),
        '~/secret.txt',
      );
      const home = path.join(harness.root, 'home');
      await fs.mkdir(home);
      await fs.writeFile(path.join(home, 'note.txt'), 'at home');
      process.env.HOME = home;
      const inside = await harness.call('read_text_file', { path: '~/note.txt' });
      assert.equal(inside.isError, false);
      assert.equal(inside.text, 'at home');
    } finally {
      if (savedHome === undefined) delete process.env.HOME;
      else process.env.HOME = savedHome;
    }
    await assertOutsideUntouched();
  });

  it('refuses paths containing a null byte', async () => {
    const outcome = await harness.call('write_file', { path: 'a\u0000b.txt', content: 'x' });
    assert.equal(outcome.isError, true);
    assert.match(outcome.text, /^Invalid path "a\\u0000b\.txt": it contains a null byte/);
    assert.deepEqual(await fs.readdir(harness.root), []);
  });

  it('keeps symbolic links to the outside out of listings, trees and searches', async () => {
    await fs.symlink(harness.outside, path.join(harness.root, 'linked-dir'));
    await fs.symlink(secretPath, path.join(harness.root, 'secret-link.txt'));
    await fs.writeFile(path.join(harness.root, 'own.txt'), 'own');

    const tree = await harness.call('directory_tree', { path: '.' });
    assert.deepEqual(JSON.parse(tree.text), [
      { name: 'linked-dir', type: 'symlink' },
      { name: 'own.txt', type: 'file' },
      { name: 'secret-link.txt', type: 'symlink' },
    ]);
    const search = await harness.call('search_files', { path: '.', pattern: '*.txt' });
    assert.equal(search.text, path.join(harness.root, 'own.txt'));
    const listing = await harness.call('list_directory', { path: '.' });
    assert.equal(listing.text, '[LINK] linked-dir\n[FILE] own.txt\n[LINK] secret-link.txt');
  });
});
