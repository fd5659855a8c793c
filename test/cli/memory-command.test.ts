import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase } from '../../src/state/database.js';
import { FailureMemory } from '../../src/failures/failure-memory.js';
import type { FailureRecord, FixRecord } from '../../src/state/failure-records.js';
import { FailureStore, type FailureSignatureInput } from '../../src/state/failure-store.js';
import { createProjectFixture, type ProjectFixture } from '../support/project-fixture.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { CUDA, KWARG, MODULE } from '../support/failure-signatures.js';

const at = (minute: number) => `2025-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;
const TWIN_A: FailureSignatureInput = {
  fingerprint: 'abcdef0000000001',
  kind: 'tool',
  type: 'Error',
  message: 'first twin',
  frame: null,
};
const TWIN_B: FailureSignatureInput = { ...TWIN_A, fingerprint: 'abcdef0000000002', message: 'second twin' };
const KWARG_FIX = 'pass max_length in SFTConfig instead of max_seq_length';

type SearchJson = Array<{ failure: FailureRecord; fixes: FixRecord[] }>;

/**
 * Workdir A has run into three failures (two with fixes) and shares the user store user-a, which also holds a
 * failure that only another workdir met. Workdir B and user-b start empty.
 */
describe('mux-swarm memory', () => {
  let project: ProjectFixture;
  let workdirA: string;
  let workdirB: string;
  let kwargFixUid: string;
  const cli = (args: string[]): Promise<CliResult> =>
    runCli(['memory', ...args], { cwd: project.directory, env: { HOME: join(project.directory, 'home') } });
  const inA = ['--workdir', 'a', '--user-store', 'user-a'];
  const inB = ['--workdir', 'b', '--user-store', 'user-b'];

  before(() => {
    project = createProjectFixture('mux-swarm-memory-');
    workdirA = join(project.directory, 'a');
    workdirB = join(project.directory, 'b');
    const workdirStore = new FailureStore(openDatabase(join(workdirA, '.mux-swarm')));
    const memory = new FailureMemory(workdirStore, FailureMemory.openUserStore(join(project.directory, 'user-a')));
    memory.recordOccurrence(
      KWARG,
      'Traceback (most recent call last):\n  File "train.py", line 12\nTypeError: SFTTrainer.__init__() got an unexpected keyword argument \'max_seq_length\'',
      at(1),
    );
    memory.recordOccurrence(KWARG, 'again', at(2));
    kwargFixUid = memory.recordFix(
      {
        fingerprint: KWARG.fingerprint,
        description: KWARG_FIX,
        explanation: 'trl 0.20 moved the argument to SFTConfig',
        files: ['train.py'],
        diff: '-    max_seq_length=512,\n+    max_length=512,\n',
        source: 'runtime',
        runId: 'run-7',
        outcome: 'worked',
        at: at(3),
      },
      KWARG,
      'x',
    ).uid;
    memory.recordOccurrence(CUDA, 'torch.OutOfMemoryError: CUDA out of memory', at(4));
    memory.recordFix(
      {
        fingerprint: CUDA.fingerprint,
        description: 'halve the batch size',
        source: 'agent',
        outcome: 'failed',
        at: at(5),
      },
      CUDA,
      'x',
    );
    memory.recordOccurrence(TWIN_A, 'one', at(6));
    memory.recordOccurrence(TWIN_B, 'two', at(6));
    memory.user!.ensureFailure(MODULE, "ModuleNotFoundError: No module named 'peft'", at(7));
    memory.user!.recordFix({
      fingerprint: MODULE.fingerprint,
      description: 'pip install peft',
      source: 'runtime',
      outcome: 'worked',
      at: at(8),
    });
    memory.close();
    workdirStore.database.close();
  });

  after(() => project.remove());

  it('search: each matching failure with its fixes, best first; exit 0', async () => {
    const result = await cli(['search', 'unexpected', 'keyword', ...inA]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      `${KWARG.fingerprint}  TypeError (python), seen 2 times, last 2025-03-01 10:02:00\n  ${KWARG.message}\n  at train.py:<module>\n  fix ${kwargFixUid}  worked 1, failed 0  ${KWARG_FIX}  [train.py]\n`,
    );
  });

  it('search: finds what only the user store knows, unless --no-user-store; nothing found exits 1', async () => {
    const shared = await cli(['search', 'peft', ...inA]);
    assert.equal(shared.code, 0, shared.stderr);
    assert.match(shared.stdout, new RegExp(`^${MODULE.fingerprint}  ModuleNotFoundError \\(shell\\), seen 0 times`));
    assert.match(shared.stdout, /worked 1, failed 0  pip install peft/);

    const alone = await cli(['search', 'peft', '--workdir', 'a', '--no-user-store']);
    assert.equal(alone.code, 1);
    assert.match(alone.stdout, /^No remembered failure matches "peft" in .*a\/\.mux-swarm\/state\.db\.\n$/);

    const none = await cli(['search', 'segmentation', 'fault', ...inA, '--json']);
    assert.equal(none.code, 1);
    assert.deepEqual(JSON.parse(none.stdout), []);
  });

  it('search --json: [{failure, fixes}], the larger counts of both stores', async () => {
    const result = await cli(['search', 'c0ffee', ...inA, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const [found, ...rest] = JSON.parse(result.stdout) as SearchJson;
    assert.deepEqual(rest, []);
    assert.deepEqual(found?.failure, {
      fingerprint: CUDA.fingerprint,
      kind: 'training',
      type: 'OutOfMemoryError',
      message: CUDA.message,
      frame: null,
      example: 'torch.OutOfMemoryError: CUDA out of memory',
      occurrences: 1,
      firstSeenAt: at(4),
      lastSeenAt: at(4),
      retryWorked: 0,
      retryFailed: 0,
    });
    assert.deepEqual(
      found?.fixes.map(({ description, worked, failed, source, files }) => ({
        description,
        worked,
        failed,
        source,
        files,
      })),
      [{ description: 'halve the batch size', worked: 0, failed: 1, source: 'agent', files: [] }],
    );
  });

  it('show: the signature, the example and every fix with its explanation and diff', async () => {
    const result = await cli(['show', 'a1b2c3', ...inA]);
    assert.equal(result.code, 0, result.stderr);
    for (const expected of [
      `failure ${KWARG.fingerprint}`,
      'type:     TypeError',
      `message:  ${KWARG.message}`,
      'seen:     2 times, first 2025-03-01 10:01:00, last 2025-03-01 10:02:00',
      '  File "train.py", line 12',
      `fix ${kwargFixUid}: worked 1, failed 0 — ${KWARG_FIX}`,
      '  from runtime (run run-7)',
      '  files: train.py',
      '    trl 0.20 moved the argument to SFTConfig',
      '    -    max_seq_length=512,\n    +    max_length=512,',
    ]) {
      assert.ok(result.stdout.includes(expected), `missing ${JSON.stringify(expected)} in:\n${result.stdout}`);
    }
  });

  it('show --json, an unknown fingerprint (exit 1) and an ambiguous prefix (exit 2)', async () => {
    const json = await cli(['show', KWARG.fingerprint, ...inA, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const shown = JSON.parse(json.stdout) as { failure: FailureRecord; fixes: FixRecord[] };
    assert.equal(shown.failure.occurrences, 2);
    assert.deepEqual(
      shown.fixes.map((fix) => [fix.uid, fix.diff]),
      [[kwargFixUid, '-    max_seq_length=512,\n+    max_length=512,\n']],
    );

    const unknown = await cli(['show', 'feedface', ...inA]);
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.stderr,
      /No remembered failure feedface in .*; find one with `mux-swarm memory search <words>`/,
    );

    const ambiguous = await cli(['show', 'abcdef', ...inA]);
    assert.equal(ambiguous.code, 2);
    assert.match(
      ambiguous.stderr,
      /"abcdef" is the start of 2 fingerprints \(abcdef0000000001, abcdef0000000002\); give more of it/,
    );
  });

  it("export from one workdir, import into another box's user store: the same answers, and twice changes no count", async () => {
    const file = join(project.directory, 'lessons.jsonl');
    const exported = await cli(['export', '-o', file, ...inA]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(
      exported.stdout,
      /^Exported 5 failures and 3 fixes \(from .*state\.db and .*memory\.db\) to .*lessons\.jsonl\.\n$/,
    );
    assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 8);

    const imported = await cli(['import', file, ...inB]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /^Imported 5 failures and 3 fixes into the user store \(.*user-b\/memory\.db\)\.\n$/);
    assert.equal(existsSync(join(workdirB, '.mux-swarm', 'state.db')), false, 'the default target is the user store');

    const search = async (args: string[]) =>
      JSON.parse((await cli(['search', 'max_seq_length', '--json', ...args])).stdout) as SearchJson;
    const original = await search(inA);
    const moved = await search(inB);
    assert.deepEqual(
      moved.map((found) => found.failure),
      original.map((found) => found.failure),
    );
    assert.deepEqual(
      moved[0]?.fixes.map(({ uid, worked, failed, description, diff }) => ({ uid, worked, failed, description, diff })),
      original[0]?.fixes.map(({ uid, worked, failed, description, diff }) => ({
        uid,
        worked,
        failed,
        description,
        diff,
      })),
    );
    assert.equal(moved[0]?.fixes[0]?.source, 'import');

    const again = await cli(['import', file, ...inB, '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), {
      store: join(project.directory, 'user-b', 'memory.db'),
      failures: 5,
      fixes: 3,
      entities: 0,
      relations: 0,
      merged: 8,
      skipped: [],
    });
    assert.deepEqual(
      (await search(inB)).map((found) => [found.failure.occurrences, found.fixes[0]?.worked]),
      [[2, 1]],
    );

    const intoWorkdir = await cli(['import', file, ...inB, '--store', 'workdir']);
    assert.equal(intoWorkdir.code, 0, intoWorkdir.stderr);
    assert.match(intoWorkdir.stdout, /into the workdir store \(.*b\/\.mux-swarm\/state\.db\)/);
    const fromWorkdir = await cli([
      'export',
      '-o',
      join(project.directory, 'b.jsonl'),
      '--workdir',
      'b',
      '--no-user-store',
      '--store',
      'workdir',
    ]);
    assert.match(fromWorkdir.stdout, /^Exported 5 failures and 3 fixes/);
  });

  it('import: bad lines are skipped by number; a file with nothing to import, or none at all, exits 2', async () => {
    const lines = readFileSync(join(project.directory, 'lessons.jsonl'), 'utf8').split('\n');
    const partial = project.write('partial.jsonl', `${lines[0]}\n{"type":"failure"}\n`);
    const imported = await cli(['import', partial, '--workdir', 'c', '--user-store', 'user-c']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /^Imported 1 failure and 0 fixes/);
    assert.match(imported.stderr, /^skipped .*partial\.jsonl line 2: fingerprint: /);

    const bad = project.write('bad.jsonl', 'fingerprint,type\nabc,TypeError\n');
    const refused = await cli(['import', bad, '--workdir', 'c', '--user-store', 'user-c']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /^mux-swarm: .*bad\.jsonl line 1: not JSON .*\(nothing imported\)\n$/);

    const missing = await cli([
      'import',
      join(project.directory, 'nowhere.jsonl'),
      '--workdir',
      'c',
      '--user-store',
      'user-c',
    ]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nowhere\.jsonl/);

    const offline = await cli(['import', partial, '--workdir', 'c', '--no-user-store']);
    assert.equal(offline.code, 2);
    assert.match(offline.stderr, /--store user needs the user store.*pass --user-store <dir>/);
  });

  it('forget: one fix or a failure with its fixes, in the chosen stores; an unknown id exits 2', async () => {
    const fix = await cli(['forget', kwargFixUid, ...inB, '--json']);
    assert.equal(fix.code, 0, fix.stderr);
    assert.deepEqual(JSON.parse(fix.stdout), [
      { store: 'workdir', path: join(workdirB, '.mux-swarm', 'state.db'), result: { kind: 'fix', uid: kwargFixUid } },
      {
        store: 'user',
        path: join(project.directory, 'user-b', 'memory.db'),
        result: { kind: 'fix', uid: kwargFixUid },
      },
    ]);
    const shown = JSON.parse((await cli(['show', KWARG.fingerprint, ...inB, '--json'])).stdout) as {
      fixes: FixRecord[];
    };
    assert.deepEqual(shown.fixes, []);

    const failure = await cli(['forget', 'c0ffee01', ...inB, '--store', 'user']);
    assert.equal(failure.code, 0, failure.stderr);
    assert.match(
      failure.stdout,
      /^Forgot failure c0ffee0123456789 and its 1 fix in the user store \(.*user-b\/memory\.db\)\.\n$/,
    );
    const workdirOnly = await cli(['search', 'c0ffee', '--workdir', 'b', '--no-user-store', '--json']);
    assert.equal((JSON.parse(workdirOnly.stdout) as SearchJson).length, 1, 'the workdir store still has it');

    const unknown = await cli(['forget', 'feedfacefeedface', ...inB]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^mux-swarm: no failure or fix "feedfacefeedface" in failure memory/);
  });

  it('the user store comes from memory.userStore in config.json, relative to its directory', async () => {
    const config = project.write('config/config.json', {
      providers: { local: { baseURL: 'http://127.0.0.1:9/v1' } },
      memory: { userStore: 'lessons' },
    });
    const imported = await cli([
      'import',
      join(project.directory, 'lessons.jsonl'),
      '--config',
      config,
      '--workdir',
      'd',
    ]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.ok(existsSync(join(project.directory, 'config', 'lessons', 'memory.db')));
    const shared = await cli(['search', 'peft', '--config', config, '--workdir', 'd']);
    assert.equal(shared.code, 0, shared.stderr);
    assert.match(shared.stdout, /pip install peft/);

    writeFileSync(
      config,
      JSON.stringify({
        providers: { local: { baseURL: 'http://127.0.0.1:9/v1' } },
        memory: { userStore: 'lessons', shareWithUserStore: false },
      }),
    );
    const unshared = await cli(['search', 'peft', '--config', config, '--workdir', 'd']);
    assert.equal(unshared.code, 1, 'with shareWithUserStore false only the workdir store is read');
  });
});
