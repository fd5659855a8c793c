/**
 * Confinement under a race: a child process swaps a directory inside the root with a symbolic link to the
 * outside, as fast as it can, while the tools read, list, write, edit, create directories and move files
 * through that directory. Asserted on
 * correctness only (nothing outside was read or changed, every failure an "Access denied" result), never on
 * speed: the machine's load only changes how many calls are raced, so the test holds on a busy CI box.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { startFilesystemHarness, type ToolOutcome } from './filesystem-harness.js';
import { startSwapper, swapperUnavailable } from './path-swapper.js';

const raceSeconds = 2;
const insideText = 'inside\n';
const outsideText = 'OUTSIDE SECRET\n';

/** One kind of call made in a loop during the race, and how to tell that it reached the outside. */
interface Probe {
  tool: string;
  args: (index: number) => Record<string, unknown>;
  /** Whether a result shows something outside the root was read (writes are checked afterwards, on disk). */
  leaked: (outcome: ToolOutcome) => boolean;
  /** Called after each call that succeeded. */
  succeeded?: () => void;
  /** A failure other than "Access denied" that is still a right answer under the race. */
  alsoRefusedWith?: RegExp;
}

interface Tally {
  calls: number;
  succeeded: number;
  /** Failed with "Access denied". */
  refused: number;
  leaked: number;
  /** Failed otherwise. */
  unexpected: number;
  /** The first few messages of those failures. */
  unexpectedMessages: string[];
}

const probes: Record<string, Probe> = {
  read_text_file: {
    tool: 'read_text_file',
    args: () => ({ path: 'dir/file.txt' }),
    leaked: (outcome) => !outcome.isError && outcome.text.includes('OUTSIDE'),
  },
  'read_text_file head': {
    tool: 'read_text_file',
    args: () => ({ path: 'dir/file.txt', head: 1 }),
    leaked: (outcome) => !outcome.isError && outcome.text.includes('OUTSIDE'),
  },
  get_file_info: {
    tool: 'get_file_info',
    args: () => ({ path: 'dir/file.txt' }),
    leaked: (outcome) => !outcome.isError && outcome.text.includes(`size: ${outsideText.length}\n`),
  },
  list_directory: {
    tool: 'list_directory',
    args: () => ({ path: 'dir' }),
    leaked: (outcome) => !outcome.isError && outcome.text.includes('only-outside.txt'),
  },
  edit_file: {
    tool: 'edit_file',
    args: () => ({ path: 'dir/file.txt', edits: [{ oldText: 'inside', newText: 'inside' }] }),
    // The outside file has no "inside": an edit that read it fails to match.
    leaked: (outcome) => outcome.isError && outcome.text.includes('could not be applied'),
  },
  'write_file new': {
    tool: 'write_file',
    args: (index) => ({ path: `dir/new-${index}.txt`, content: insideText }),
    leaked: () => false,
  },
  'write_file replace': {
    tool: 'write_file',
    args: () => ({ path: 'dir/written.txt', content: insideText }),
    leaked: () => false,
  },
  create_directory: {
    tool: 'create_directory',
    args: (index) => ({ path: `dir/made-${index}/sub` }),
    leaked: () => false,
  },
  move_file: movePingPong(),
};

/**
 * move_file back and forth between dir/ping.txt and dir/pong.txt. The outside holds a ping.txt of its own
 * and no pong.txt, so a source checked through the link at one step and through the directory at the next
 * may also be reported missing, and a destination dir/ping.txt checked through the link reported as already there:
 * true of the path at one of those moments, and nothing outside is touched.
 */
function movePingPong(): Probe {
  let atPing = true;
  return {
    tool: 'move_file',
    args: () =>
      atPing
        ? { source: 'dir/ping.txt', destination: 'dir/pong.txt' }
        : { source: 'dir/pong.txt', destination: 'dir/ping.txt' },
    leaked: () => false,
    succeeded: () => (atPing = !atPing),
    alsoRefusedWith:
      /^(No such file or directory: "dir\/p[io]ng\.txt"|Cannot move "dir\/p[io]ng\.txt": it does not exist\.|Cannot move "dir\/pong\.txt" to "dir\/ping\.txt": the destination already exists\.)/,
  };
}

/** How many descriptors this process has open (Linux). */
async function openDescriptorCount(): Promise<number> {
  return (await fs.readdir('/proc/self/fd')).length;
}

describe('filesystem server confinement under a concurrent directory swap', () => {
  it(
    'never reads, lists or writes outside the root while a directory is swapped with a link to the outside',
    { timeout: 120_000 },
    async (t) => {
      // The race needs Linux and python3 with ctypes (as .ci/run has): where it cannot run, that is a failure, not a skip.
      assert.equal(swapperUnavailable(), undefined);
      const harness = await startFilesystemHarness();
      try {
        const directory = path.join(harness.root, 'dir');
        const link = path.join(harness.root, 'link');
        await fs.mkdir(directory);
        const outsideNames = ['file.txt', 'only-outside.txt', 'ping.txt', 'written.txt'];
        for (const name of ['file.txt', 'written.txt', 'ping.txt'])
          await fs.writeFile(path.join(directory, name), insideText);
        for (const name of outsideNames) await fs.writeFile(path.join(harness.outside, name), outsideText);
        await fs.symlink(harness.outside, link);

        const descriptorsBefore = await openDescriptorCount();
        const swapper = await startSwapper(directory, link, raceSeconds);
        let racing = true;
        const stopped = swapper.finished.finally(() => (racing = false));
        const tallies: Record<string, Tally> = {};
        await Promise.all(
          Object.entries(probes).map(async ([name, probe]) => {
            const tally: Tally = {
              calls: 0,
              succeeded: 0,
              refused: 0,
              leaked: 0,
              unexpected: 0,
              unexpectedMessages: [],
            };
            tallies[name] = tally;
            for (let index = 0; racing; index++) {
              const outcome = await harness.call(probe.tool, probe.args(index));
              tally.calls++;
              if (probe.leaked(outcome)) tally.leaked++;
              else if (!outcome.isError) {
                tally.succeeded++;
                probe.succeeded?.();
              } else if (
                /^Access denied: "dir[/"]/.test(outcome.text) ||
                probe.alsoRefusedWith?.test(outcome.text) === true
              )
                tally.refused++;
              else if (++tally.unexpected <= 3) tally.unexpectedMessages.push(outcome.text);
            }
          }),
        );
        const swaps = await stopped;
        const descriptorsAfter = await openDescriptorCount();
        const outsideNow = (await fs.readdir(harness.outside)).sort();
        const outsideChanged: string[] = []; // replaced, or moved away
        for (const name of outsideNames) {
          const content = await fs.readFile(path.join(harness.outside, name), 'utf8').catch(() => undefined);
          if (content !== outsideText) outsideChanged.push(name);
        }
        const outsideCreated = outsideNow.filter((name) => !outsideNames.includes(name)).length;
        const summary = JSON.stringify({
          swaps,
          tallies,
          outsideCreated,
          outsideChanged,
          descriptorsBefore,
          descriptorsAfter,
        });
        t.diagnostic(summary);

        // Nothing outside was read, listed, created or replaced.
        for (const [name, tally] of Object.entries(tallies))
          assert.equal(tally.leaked, 0, `${name} reached the outside: ${summary}`);
        assert.deepEqual(outsideNow, outsideNames, summary);
        assert.deepEqual(outsideChanged, [], summary);
        // Every new file and directory landed in the real directory, wherever the swaps left it, with no temporary file left over.
        const realDirectory = (await fs.lstat(directory)).isDirectory() ? directory : link;
        const names = await fs.readdir(realDirectory);
        assert.equal(
          names.filter((name) => /^new-\d+\.txt$/.test(name)).length,
          tallies['write_file new']?.succeeded,
          summary,
        );
        assert.equal(
          names.filter((name) => /^made-\d+$/.test(name)).length,
          tallies.create_directory?.succeeded,
          summary,
        );
        assert.equal(names.filter((name) => /^p[io]ng\.txt$/.test(name)).length, 1, summary);
        assert.deepEqual(
          names.filter((name) => name.startsWith('.')),
          [],
          summary,
        );
        // No descriptor was left open, whichever way a call ended.
        assert.equal(descriptorsAfter, descriptorsBefore, summary);
        // A raced call fails as "Access denied" (or, for move_file, a missing source), never with anything else.
        for (const [name, tally] of Object.entries(tallies)) assert.equal(tally.unexpected, 0, `${name}: ${summary}`);
        // The race really ran: many swaps, and calls both succeeded (a fair share, about a quarter where the
        // machine is idle) and were refused. Counted over all probes: a busy machine makes few calls of some.
        assert.ok(swaps > 100, summary);
        const all = Object.values(tallies);
        const count = (field: 'calls' | 'succeeded' | 'refused'): number =>
          all.reduce((sum, tally) => sum + tally[field], 0);
        assert.ok(count('succeeded') >= count('calls') / 10, summary);
        assert.ok(count('refused') > 0, summary);
      } finally {
        await harness.close();
      }
    },
  );
});
