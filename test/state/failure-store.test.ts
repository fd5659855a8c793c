import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import { MuxSwarmError } from '../../src/errors/mux-swarm-error.js';
import { openDatabase } from '../../src/state/database.js';
import { FailureMemory } from '../../src/failures/failure-memory.js';
import { EXAMPLE_MAX_CHARS, FailureStore, type FixRecord, type NewFix } from '../../src/state/failure-store.js';
import { CUDA, KWARG, MODULE } from '../support/failure-signatures.js';

const at = (minute: number) => `2025-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

const fix = (overrides: Partial<NewFix> = {}): NewFix => ({
  fingerprint: KWARG.fingerprint,
  description: 'pass max_length in SFTConfig instead of max_seq_length',
  files: ['train.py'],
  source: 'runtime',
  outcome: 'worked',
  at: at(5),
  ...overrides,
});

/** The fields two stores agree on for the same fix (ids are per store; an imported fix's source is "import"). */
const portable = ({ id: _id, source: _source, ...rest }: FixRecord) => rest;

const directories: string[] = [];
function temporaryDirectory(): string {
  const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-failures-'));
  directories.push(directory);
  return directory;
}

after(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

describe('FailureStore', () => {
  let store: FailureStore;

  beforeEach(() => {
    store = new FailureStore(openDatabase(temporaryDirectory()));
  });
  afterEach(() => store.database.close());

  it('counts occurrences, keeping the first example and the first and last time seen', () => {
    const first = store.recordOccurrence(KWARG, 'Traceback (first)\nTypeError: …', at(1));
    assert.deepEqual([first.occurrences, first.firstSeenAt, first.lastSeenAt], [1, at(1), at(1)]);
    const second = store.recordOccurrence(KWARG, 'Traceback (second)', at(3));
    assert.deepEqual(
      [second.occurrences, second.example, second.firstSeenAt, second.lastSeenAt],
      [2, 'Traceback (first)\nTypeError: …', at(1), at(3)],
    );
    assert.equal(second.message, KWARG.message);
  });

  it('ensureFailure creates a failure without counting it, and leaves a known one alone', () => {
    store.ensureFailure(CUDA, 'oom', at(1));
    assert.equal(store.failure(CUDA.fingerprint)?.occurrences, 0);
    store.recordOccurrence(KWARG, 'x', at(1));
    store.ensureFailure(KWARG, 'another example', at(9));
    assert.deepEqual(
      [
        store.failure(KWARG.fingerprint)?.occurrences,
        store.failure(KWARG.fingerprint)?.example,
        store.failure(KWARG.fingerprint)?.lastSeenAt,
      ],
      [1, 'x', at(1)],
    );
  });

  it('caps a long example, keeping its start and its end', () => {
    const output = `START ${'line of a very long log\n'.repeat(2_000)}TypeError: the end`;
    const { example } = store.recordOccurrence(KWARG, output, at(1));
    assert.ok(example.length <= EXAMPLE_MAX_CHARS, `${example.length} characters`);
    assert.ok(example.startsWith('START '));
    assert.ok(example.endsWith('TypeError: the end'));
    assert.match(example, /\[… \d+ characters left out …\]/);
  });

  it('finds a failure by a unique fingerprint prefix of six characters or more, and refuses an ambiguous one', () => {
    store.recordOccurrence(KWARG, 'x', at(1));
    store.recordOccurrence({ ...CUDA, fingerprint: 'a1b2c3ffffffffff' }, 'y', at(1));
    assert.equal(store.failure('a1b2c3d4')?.fingerprint, KWARG.fingerprint);
    assert.equal(store.failure('a1b2c'), undefined, 'five characters are not enough');
    assert.throws(
      () => store.failure('a1b2c3'),
      (error: Error) => error instanceof MuxSwarmError && /a1b2c3d4e5f60718, a1b2c3ffffffffff/.test(error.message),
    );
  });

  it('records the same fix once (by uid) and counts how often it worked or failed', () => {
    store.recordOccurrence(KWARG, 'x', at(1));
    const first = store.recordFix(fix());
    const expectedUid = createHash('sha256')
      .update(`${KWARG.fingerprint}\0pass max_length in sftconfig instead of max_seq_length\0`)
      .digest('hex')
      .slice(0, 16);
    assert.equal(first.uid, expectedUid);
    assert.deepEqual([first.worked, first.failed, first.files, first.source], [1, 0, ['train.py'], 'runtime']);
    const again = store.recordFix(
      fix({ description: '  Pass max_length in SFTConfig   instead of max_seq_length ', outcome: 'failed', at: at(8) }),
    );
    assert.deepEqual(
      [again.id, again.uid, again.worked, again.failed, again.createdAt, again.updatedAt],
      [first.id, first.uid, 1, 1, at(5), at(8)],
    );
    const withDiff = store.recordFix(fix({ diff: '-max_seq_length=512\n+max_length=512\n' }));
    assert.notEqual(withDiff.uid, first.uid, 'a different diff is a different fix');
    assert.equal(store.fixesFor(KWARG.fingerprint).length, 2);
  });

  it('refuses a fix for a failure it does not hold, naming it', () => {
    assert.throws(
      () => store.recordFix(fix()),
      (error: Error) =>
        error instanceof MuxSwarmError &&
        error.message.includes(KWARG.fingerprint) &&
        /ensureFailure/.test(error.message),
    );
  });

  it('ranks fixes by worked minus failed, then worked, then the most recently used', () => {
    store.recordOccurrence(KWARG, 'x', at(1));
    const rate = (description: string, worked: number, failed: number, minute: number) => {
      for (let index = 0; index < worked; index += 1) store.recordFix(fix({ description, at: at(minute) }));
      for (let index = 0; index < failed; index += 1)
        store.recordFix(fix({ description, outcome: 'failed', at: at(minute) }));
    };
    rate('mixed', 3, 3, 50);
    rate('proven', 2, 0, 10);
    rate('once recently', 1, 0, 40);
    rate('once long ago', 1, 0, 20);
    rate('broke more than it fixed', 1, 2, 59);
    assert.deepEqual(
      store.fixesFor(KWARG.fingerprint).map((found) => found.description),
      ['proven', 'once recently', 'once long ago', 'mixed', 'broke more than it fixed'],
    );
    assert.deepEqual(
      store.fixesFor(KWARG.fingerprint, 2).map((found) => found.description),
      ['proven', 'once recently'],
    );
  });

  it('rates a fix by uid or row id, and names an unknown one', () => {
    store.recordOccurrence(KWARG, 'x', at(1));
    const recorded = store.recordFix(fix());
    assert.equal(store.rateFix(recorded.uid, 'worked', at(9)).worked, 2);
    const rated = store.rateFix(recorded.id, 'failed', at(10));
    assert.deepEqual([rated.worked, rated.failed, rated.updatedAt], [2, 1, at(10)]);
    assert.equal(store.rateFix(String(recorded.id), 'failed', at(11)).failed, 2);
    assert.throws(
      () => store.rateFix('0123456789abcdef', 'worked', at(12)),
      (error: Error) => error instanceof MuxSwarmError && error.message.includes('"0123456789abcdef"'),
    );
  });

  it('searches by words, word prefixes, fix text, any word, and fingerprint prefix', () => {
    store.recordOccurrence(KWARG, 'Traceback …\nTypeError', at(1));
    store.recordOccurrence(CUDA, 'torch.cuda.OutOfMemoryError: CUDA out of memory', at(2));
    store.recordOccurrence(MODULE, "ModuleNotFoundError: No module named 'peft'", at(3));
    store.recordFix(fix());
    store.recordFix(
      fix({
        fingerprint: CUDA.fingerprint,
        description: 'halve per_device_train_batch_size and enable gradient checkpointing',
      }),
    );
    const found = (text: string) => store.search(text).map((result) => result.failure.fingerprint);
    assert.deepEqual(found('unexpected keyword'), [KWARG.fingerprint]);
    assert.deepEqual(found('max_seq_length'), [KWARG.fingerprint]);
    assert.deepEqual(found('unexpect keyw'), [KWARG.fingerprint], 'words as prefixes');
    assert.deepEqual(found('gradient checkpointing'), [CUDA.fingerprint], 'the text of a fix');
    assert.deepEqual(found('zebra peft'), [MODULE.fingerprint], 'any word, when no failure has all');
    assert.deepEqual(found('c0ffee01'), [CUDA.fingerprint], 'a fingerprint prefix');
    assert.deepEqual(found('segmentation fault'), []);
    assert.deepEqual(
      found('(peft'),
      [MODULE.fingerprint],
      'FTS5 syntax is plain text: no unbalanced parenthesis error',
    );
    assert.deepEqual(found('peft NOT module'), [MODULE.fingerprint], 'NOT is a word, not an operator');
    assert.doesNotThrow(() => found('"AND (NEAR* -: ^'));
    const [result] = store.search('SFTTrainer');
    assert.deepEqual(
      result?.fixes.map((found) => found.description),
      ['pass max_length in SFTConfig instead of max_seq_length'],
    );
  });

  it('forgets a failure with its fixes (gone from search too), or one fix, and refuses an unknown id', () => {
    store.recordOccurrence(KWARG, 'x', at(1));
    store.recordOccurrence(CUDA, 'y', at(1));
    store.recordFix(fix());
    store.recordFix(fix({ description: 'pin trl<0.20' }));
    const cudaFix = store.recordFix(fix({ fingerprint: CUDA.fingerprint, description: 'use a smaller batch' }));
    assert.deepEqual(store.forget('a1b2c3d4'), { kind: 'failure', fingerprint: KWARG.fingerprint, fixes: 2 });
    assert.equal(store.failure(KWARG.fingerprint), undefined);
    assert.equal(
      store.database.prepare(`SELECT count(*) FROM failure_fixes WHERE fingerprint = ?`).pluck().get(KWARG.fingerprint),
      0,
    );
    assert.deepEqual(store.search('max_seq_length'), []);
    assert.deepEqual(store.search('pin trl'), []);

    assert.deepEqual(store.forget(cudaFix.uid), { kind: 'fix', uid: cudaFix.uid });
    assert.deepEqual(store.fixesFor(CUDA.fingerprint), []);
    assert.deepEqual(store.search('smaller batch'), [], 'the fix text left the index');
    assert.equal(store.failure(CUDA.fingerprint)?.occurrences, 1, 'the failure stays');
    assert.throws(
      () => store.forget('feedfacefeedface'),
      (error: Error) => error instanceof MuxSwarmError && /no failure or fix "feedfacefeedface"/.test(error.message),
    );
  });
});

describe('FailureStore export and import', () => {
  let source: FailureStore;
  let target: FailureStore;

  beforeEach(() => {
    source = new FailureStore(openDatabase(temporaryDirectory()));
    target = new FailureStore(openDatabase(temporaryDirectory()));
    source.recordOccurrence(KWARG, 'Traceback …', at(1));
    source.recordOccurrence(KWARG, 'Traceback …', at(2));
    source.recordOccurrence(CUDA, 'CUDA out of memory', at(3));
    source.recordFix(fix({ explanation: 'trl 0.20 renamed the argument', diff: '-max_seq_length\n+max_length\n' }));
    source.recordFix(
      fix({
        outcome: 'worked',
        explanation: 'trl 0.20 renamed the argument',
        diff: '-max_seq_length\n+max_length\n',
        at: at(9),
      }),
    );
    source.recordFix(
      fix({ fingerprint: CUDA.fingerprint, description: 'halve the batch size', outcome: 'failed', runId: 'run-1' }),
    );
  });
  afterEach(() => {
    source.database.close();
    target.database.close();
  });

  it('writes failures first, then fixes that name their failure', () => {
    const lines = source.exportLines().map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual(
      lines.map((line) => line.type),
      ['failure', 'failure', 'fix', 'fix'],
    );
    assert.deepEqual(lines[0], {
      type: 'failure',
      fingerprint: KWARG.fingerprint,
      kind: 'python',
      errorType: 'TypeError',
      message: KWARG.message,
      frame: KWARG.frame,
      example: 'Traceback …',
      occurrences: 2,
      firstSeenAt: at(1),
      lastSeenAt: at(2),
      retryWorked: 0,
      retryFailed: 0,
    });
    const kwargFix = lines.find((line) => line.type === 'fix' && line.fingerprint === KWARG.fingerprint)!;
    assert.deepEqual(
      [kwargFix.worked, kwargFix.failed, kwargFix.source, kwargFix.explanation, kwargFix.createdAt, kwargFix.updatedAt],
      [2, 0, 'runtime', 'trl 0.20 renamed the argument', at(5), at(9)],
    );
  });

  it('imported into an empty store, gives the same search results', () => {
    const result = target.importLines(source.exportLines(), at(30));
    assert.deepEqual(result, { failures: 2, fixes: 2, merged: 0, skipped: [] });
    for (const query of ['max_seq_length', 'out of memory', 'halve batch', 'c0ffee', 'renamed argument']) {
      const expected = source.search(query);
      const actual = target.search(query);
      assert.ok(expected.length > 0, query);
      assert.deepEqual(
        actual.map((found) => found.failure),
        expected.map((found) => found.failure),
        query,
      );
      assert.deepEqual(
        actual.map((found) => found.fixes.map(portable)),
        expected.map((found) => found.fixes.map(portable)),
        query,
      );
      assert.ok(actual.every((found) => found.fixes.every((imported) => imported.source === 'import')));
    }
  });

  it('importing twice does not double any count, and larger imported counts win', () => {
    const lines = source.exportLines();
    target.importLines(lines, at(30));
    const second = target.importLines(lines, at(31));
    assert.deepEqual(second, { failures: 2, fixes: 2, merged: 4, skipped: [] });
    assert.equal(target.failure(KWARG.fingerprint)?.occurrences, 2);
    assert.deepEqual(
      target.fixesFor(KWARG.fingerprint).map((found) => [found.worked, found.failed]),
      [[2, 0]],
    );

    source.recordOccurrence(KWARG, 'again', at(40));
    const uid = source.fixesFor(KWARG.fingerprint)[0]!.uid;
    source.rateFix(uid, 'worked', at(41));
    target.rateFix(uid, 'failed', at(42));
    target.importLines(source.exportLines(), at(43));
    const merged = target.fixesFor(KWARG.fingerprint)[0]!;
    assert.deepEqual(
      [
        target.failure(KWARG.fingerprint)?.occurrences,
        target.failure(KWARG.fingerprint)?.lastSeenAt,
        merged.worked,
        merged.failed,
        merged.updatedAt,
      ],
      [3, at(40), 3, 1, at(42)],
    );
  });

  it('skips bad lines, naming each by number and what is wrong, and imports the rest', () => {
    const [failureLine, , fixLine] = source.exportLines();
    const fixWithoutUid = JSON.stringify({ ...JSON.parse(fixLine!), uid: undefined });
    const orphan = JSON.stringify({ ...JSON.parse(fixLine!), uid: 'ffffffffffffffff', fingerprint: 'nobody' });
    const result = target.importLines(
      [
        fixLine!,
        failureLine!,
        'this is not json',
        fixWithoutUid,
        '{"type":"lesson"}',
        '',
        orphan,
        JSON.stringify({ ...JSON.parse(failureLine!), occurrences: -1 }),
      ],
      at(30),
    );
    assert.deepEqual([result.failures, result.fixes], [1, 1], 'a fix line before its failure line is fine');
    assert.deepEqual(
      result.skipped.map((skipped) => skipped.line),
      [3, 4, 5, 7, 8],
    );
    const problems = result.skipped.map((skipped) => skipped.problem);
    assert.match(problems[0]!, /^not JSON/);
    assert.match(problems[1]!, /^uid: /);
    assert.match(problems[2]!, /"failure" or "fix"/);
    assert.match(problems[3]!, /failure nobody, which is neither in the file nor in this store/);
    assert.match(problems[4]!, /^occurrences: /);
  });
});

describe('FailureMemory: the workdir store and the user store', () => {
  let home: string;
  let workdirStore: FailureStore;
  let otherWorkdirStore: FailureStore;
  let memory: FailureMemory;
  let other: FailureMemory;

  beforeEach(() => {
    home = temporaryDirectory();
    workdirStore = new FailureStore(openDatabase(join(home, 'project-a', '.mux-swarm')));
    otherWorkdirStore = new FailureStore(openDatabase(join(home, 'project-b', '.mux-swarm')));
    memory = new FailureMemory(workdirStore, FailureMemory.openUserStore(join(home, 'user')));
    other = new FailureMemory(otherWorkdirStore, FailureMemory.openUserStore(join(home, 'user')));
  });
  afterEach(() => {
    memory.close();
    other.close();
    workdirStore.database.close();
    otherWorkdirStore.database.close();
  });

  it('counts occurrences in the workdir store and only makes sure the user store knows the failure', () => {
    assert.ok(existsSync(join(home, 'user', 'memory.db')));
    memory.recordOccurrence(KWARG, 'x', at(1));
    memory.recordOccurrence(KWARG, 'x', at(2));
    assert.equal(memory.workdir.failure(KWARG.fingerprint)?.occurrences, 2);
    assert.equal(memory.user?.failure(KWARG.fingerprint)?.occurrences, 0);
    assert.equal(memory.failure(KWARG.fingerprint)?.occurrences, 2, 'merged: the larger count');
  });

  it('writes fixes through to the user store, where another workdir finds them', () => {
    memory.recordOccurrence(KWARG, 'x', at(1));
    const recorded = memory.recordFix(fix(), KWARG, 'x');
    assert.equal(memory.user?.fixesFor(KWARG.fingerprint)[0]?.uid, recorded.uid);
    assert.equal(memory.workdir.fixesFor(KWARG.fingerprint)[0]?.uid, recorded.uid);

    const [found] = other.search('unexpected keyword argument');
    assert.equal(found?.failure.fingerprint, KWARG.fingerprint, 'project-b never saw it; the user store did');
    assert.deepEqual(
      found?.fixes.map((known) => known.uid),
      [recorded.uid],
    );

    other.recordOccurrence(KWARG, 'x', at(10));
    other.recordFix(fix({ at: at(11) }), KWARG, 'x');
    other.recordFix(fix({ at: at(12) }), KWARG, 'x');
    assert.equal(memory.workdir.fixesFor(KWARG.fingerprint)[0]?.worked, 1);
    assert.equal(memory.user?.fixesFor(KWARG.fingerprint)[0]?.worked, 3);
    const [merged] = memory.fixesFor(KWARG.fingerprint);
    assert.deepEqual(
      [merged?.worked, merged?.updatedAt, merged?.id],
      [3, at(12), recorded.id],
      'the larger counts, not the sum; the workdir row id',
    );
  });

  it('rates by a workdir row id in both stores, and searches both stores together', () => {
    memory.recordOccurrence(KWARG, 'x', at(1));
    const recorded = memory.recordFix(fix(), KWARG, 'x');
    other.recordOccurrence(MODULE, "No module named 'peft'", at(2));
    const rated = memory.rateFix(recorded.id, 'worked', at(3));
    assert.equal(rated.worked, 2);
    assert.equal(memory.user?.fix(recorded.uid)?.worked, 2);
    assert.deepEqual(
      new Set(memory.search('TypeError peft').map((found) => found.failure.fingerprint)),
      new Set([KWARG.fingerprint, MODULE.fingerprint]),
    );
    assert.deepEqual(
      memory.forget(KWARG.fingerprint.slice(0, 8)).map(({ name, result }) => [name, result.kind]),
      [
        ['workdir', 'failure'],
        ['user', 'failure'],
      ],
    );
    assert.equal(memory.failure(KWARG.fingerprint), undefined);
  });

  it('close() closes the user store only', () => {
    memory.close();
    assert.equal(memory.user?.database.open, false);
    assert.equal(memory.workdir.database.open, true);
    memory = new FailureMemory(workdirStore, FailureMemory.openUserStore(join(home, 'user')));
  });
});

describe('failure memory keeps secrets out of both stores', () => {
  const KEY = 'sk-proj-Zx81mQv0pLrT7uYhN3bK5cWd2eFgHjA9';
  const KNOWN = 'corp-token-4f9a8b7c6d5e4f3a2b1c';

  it('redacts the example, description, explanation and diff before anything is written', () => {
    const home = temporaryDirectory();
    const workdir = join(home, 'work', '.mux-swarm');
    const userDirectory = join(home, 'user');
    const options = { secrets: [KNOWN] };
    const workdirStore = new FailureStore(openDatabase(workdir), options);
    const memory = new FailureMemory(workdirStore, FailureMemory.openUserStore(userDirectory, options));
    const environmentDump = `HOME=/root\nOPENAI_API_KEY=${KEY}\nPATH=/usr/bin\nTypeError: unexpected keyword argument 'max_seq_length'`;
    memory.recordOccurrence(KWARG, environmentDump, at(1));
    memory.recordFix(
      fix({
        description: `set the token ${KNOWN} and max_length`,
        explanation: `the key was OPENAI_API_KEY=${KEY}`,
        diff: `--- a/.env\n+++ b/.env\n+OPENAI_API_KEY=${KEY}\n-max_seq_length=512\n+max_length=512\n`,
      }),
      KWARG,
      environmentDump,
    );
    const exported = memory.exportLines().join('\n');
    assert.ok(exported.includes('OPENAI_API_KEY='), 'the variable name stays, for context');
    assert.ok(!exported.includes(KEY) && !exported.includes(KNOWN), `a secret in the export:\n${exported}`);

    const imported = new FailureStore(openDatabase(join(home, 'imported')), options);
    imported.importLines(
      [
        JSON.stringify({
          type: 'failure',
          fingerprint: CUDA.fingerprint,
          kind: 'training',
          errorType: 'OutOfMemoryError',
          message: 'oom',
          example: `OPENAI_API_KEY=${KEY}`,
        }),
      ],
      at(2),
    );
    assert.ok(!imported.exportLines().join('\n').includes(KEY), 'an imported line is redacted too');
    imported.database.close();

    for (const database of [workdirStore.database, memory.user!.database]) database.pragma('wal_checkpoint(TRUNCATE)');
    memory.close();
    workdirStore.database.close();
    for (const file of [
      join(workdir, 'state.db'),
      join(userDirectory, 'memory.db'),
      join(home, 'imported', 'state.db'),
    ]) {
      const bytes = readFileSync(file);
      assert.ok(
        bytes.includes(file.includes('imported') ? 'OutOfMemoryError' : 'max_length'),
        `${file} holds what was written`,
      );
      assert.equal(bytes.includes(KEY), false, `${file} holds the API key`);
      assert.equal(
        bytes.toString('latin1').toLowerCase().includes(KEY.slice(8).toLowerCase()),
        false,
        `${file} holds part of the API key (the full-text index keeps tokens in lower case)`,
      );
      assert.equal(bytes.includes(KNOWN), false, `${file} holds the known secret`);
      for (const sidecar of [`${file}-wal`, `${file}-journal`])
        if (existsSync(sidecar)) assert.equal(readFileSync(sidecar).includes(KEY), false, sidecar);
    }
  });
});

describe('a failure memory written before migration 7', () => {
  it('turns the old "ran again with no change" fixes into retry observations and keeps the real fixes', async () => {
    const { default: Database } = await import('better-sqlite3');
    const { MIGRATIONS } = await import('../../src/state/migrations.js');
    const directory = temporaryDirectory();
    const old = new Database(join(directory, 'memory.db'));
    for (const [index, migration] of MIGRATIONS.slice(0, 6).entries()) {
      old.exec(migration);
      old.pragma(`user_version = ${index + 1}`);
    }
    old
      .prepare(
        `INSERT INTO failures (fingerprint, kind, type, message, frame, example, occurrences, first_seen_at, last_seen_at) VALUES (?, 'python', 'TypeError', 'm', NULL, 'e', 4, ?, ?)`,
      )
      .run(KWARG.fingerprint, at(1), at(2));
    const insertFix = old.prepare(
      `INSERT INTO failure_fixes (uid, fingerprint, description, files_json, diff, source, created_at, updated_at, worked, failed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
    );
    insertFix.run(
      '1111111111111111',
      KWARG.fingerprint,
      "Ran again with no change to the workdir's source files (a transient failure, or a change outside the workdir: packages, environment, hardware)",
      '[]',
      null,
      'runtime',
      at(3),
      at(3),
      3,
    );
    insertFix.run(
      '2222222222222222',
      KWARG.fingerprint,
      'Changed train.py',
      '["train.py"]',
      '-a\n+b\n',
      'runtime',
      at(3),
      at(3),
      1,
    );
    old.close();

    const store = new FailureStore(openDatabase(directory, 'memory.db'));
    try {
      assert.deepEqual(
        store.listFixes().map((fix) => fix.uid),
        ['2222222222222222'],
      );
      const failure = store.failure(KWARG.fingerprint)!;
      assert.deepEqual([failure.retryWorked, failure.retryFailed, failure.occurrences], [3, 0, 4]);
      assert.deepEqual(
        store.search('Ran again').map((result) => result.failure.fingerprint),
        [],
        'the old text is gone from the index too',
      );
    } finally {
      store.database.close();
    }
  });
});
