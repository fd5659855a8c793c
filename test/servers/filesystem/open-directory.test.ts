/**
 * The descriptor mechanics under the race test, step by step and without a race: what an open directory
 * reaches after its path was swapped for a link, and which descriptors the guard refuses.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { PathOutsideRootsError } from '../../../src/errors/path-outside-roots-error.js';
import { writeFileAtomic } from '../../../src/servers/filesystem/atomic-write.js';
import { descriptorPathsWork, descriptorRealPath } from '../../../src/servers/filesystem/descriptor-path.js';
import { readSortedEntries } from '../../../src/servers/filesystem/directory-entries.js';
import { OpenDirectory } from '../../../src/servers/filesystem/open-directory.js';
import { PathGuard } from '../../../src/servers/filesystem/path-guard.js';
import { openReadableFile, readAndClose } from '../../../src/servers/filesystem/readable-file.js';
import { exists, makeTemporaryDirectory, readText } from './filesystem-harness.js';

describe(
  'open directories and descriptor checks',
  { skip: descriptorPathsWork ? false : 'needs /proc/self/fd (Linux)' },
  () => {
    let base: string;
    let root: string;
    let outside: string;
    let guard: PathGuard;

    beforeEach(async () => {
      base = await makeTemporaryDirectory();
      root = path.join(base, 'root');
      outside = path.join(base, 'outside');
      await fs.mkdir(path.join(root, 'dir'), { recursive: true });
      await fs.mkdir(outside);
      await fs.writeFile(path.join(root, 'dir', 'file.txt'), 'inside');
      guard = await PathGuard.create([root]);
    });

    afterEach(async () => {
      await fs.rm(base, { recursive: true, force: true });
    });

    it('keeps working in the directory it opened after that path is swapped for a link to the outside', async () => {
      const directory = await OpenDirectory.open(guard, 'dir', path.join(root, 'dir'));
      try {
        await fs.rename(path.join(root, 'dir'), path.join(root, 'moved'));
        await fs.symlink(outside, path.join(root, 'dir'));
        await writeFileAtomic(directory, 'new.txt', 'written');
        await (await directory.makeSubdirectory('sub')).close();
        assert.deepEqual(
          (await readSortedEntries(directory)).map((entry) => entry.name),
          ['file.txt', 'new.txt', 'sub'],
        );
      } finally {
        await directory.close();
      }
      assert.equal(await readText(path.join(root, 'moved', 'new.txt')), 'written');
      assert.equal(await exists(path.join(root, 'moved', 'sub')), true);
      assert.deepEqual(await fs.readdir(outside), []);
    });

    it('refuses a directory path that leads outside by the time it is opened', async () => {
      await fs.rename(path.join(root, 'dir'), path.join(root, 'moved'));
      await fs.symlink(outside, path.join(root, 'dir'));
      await assert.rejects(OpenDirectory.open(guard, 'dir/new.txt', path.join(root, 'dir')), PathOutsideRootsError);
    });

    it('refuses and removes a file created in a directory moved out of the root after it was opened', async () => {
      const directory = await OpenDirectory.open(guard, 'dir/new.txt', path.join(root, 'dir'));
      try {
        await fs.rename(path.join(root, 'dir'), path.join(outside, 'dir'));
        await assert.rejects(writeFileAtomic(directory, 'new.txt', 'written'), PathOutsideRootsError);
      } finally {
        await directory.close();
      }
      assert.deepEqual(await fs.readdir(path.join(outside, 'dir')), ['file.txt']);
    });

    it('never opens a subdirectory through a symbolic link', async () => {
      await fs.symlink(outside, path.join(root, 'dir', 'link'));
      const directory = await OpenDirectory.open(guard, 'dir', path.join(root, 'dir'));
      try {
        await assert.rejects(directory.openSubdirectory('link'), { code: 'ENOTDIR' });
        await assert.rejects(directory.makeSubdirectory('link'), { code: 'ENOTDIR' });
      } finally {
        await directory.close();
      }
    });

    it('reads a file moved out of the root after its descriptor was checked (the documented limit)', async () => {
      const file = await openReadableFile(guard, 'dir/file.txt');
      await fs.rename(path.join(root, 'dir', 'file.txt'), path.join(outside, 'file.txt'));
      assert.equal(await readAndClose(file, async (handle) => handle.readFile({ encoding: 'utf8' })), 'inside');
    });

    it('checks a descriptor by where the open file is, not by the path it was opened by', async () => {
      const secret = path.join(outside, 'secret.txt');
      await fs.writeFile(secret, 'outside');
      const handle = await fs.open(secret, 'r');
      try {
        assert.equal(descriptorRealPath(handle.fd, path.join(root, 'dir', 'file.txt')), secret);
        assert.throws(
          () => guard.checkDescriptor('dir/file.txt', handle.fd, path.join(root, 'dir', 'file.txt')),
          PathOutsideRootsError,
        );
      } finally {
        await handle.close();
      }
      const inside = await fs.open(path.join(root, 'dir', 'file.txt'), 'r');
      try {
        await fs.rename(path.join(root, 'dir', 'file.txt'), path.join(root, 'renamed.txt'));
        assert.equal(guard.checkDescriptor('dir/file.txt', inside.fd, 'unused'), path.join(root, 'renamed.txt'));
      } finally {
        await inside.close();
      }
    });
  },
);
