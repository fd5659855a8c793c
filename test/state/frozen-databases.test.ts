import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadReportData } from '../../src/cli/report/report-data.js';
import { cassetteFromJournal } from '../../src/replay/cassette-from-journal.js';
import { openDatabase, type SqliteDatabase } from '../../src/state/database.js';
import { FailureStore } from '../../src/state/failure-store.js';
import { searchMemoryEntities } from '../../src/state/memory-graph-search.js';
import { MIGRATIONS } from '../../src/state/migrations.js';
import { getRunDetails, getTranscript, listRuns } from '../../src/state/run-queries.js';
import { RunJournal } from '../../src/state/run-journal.js';
import { TrainingStore } from '../../src/state/training-store.js';

const FIXTURES = join(fileURLToPath(import.meta.url), '..', '..', 'fixtures', 'state');

/**
 * The frozen databases of test/fixtures/state (README.md there), each made by generate-state-fixture.mjs with the
 * code of the commit that shipped its schema version: the run it holds and how many events it wrote. Everything
 * else below is what that script's run was scripted to do, the same at every version where the version had it.
 */
const FROZEN = [
  { version: 1, runId: '20261207-152454-db9a', events: 25 },
  { version: 2, runId: '20261207-152457-2c6d', events: 27 },
  { version: 3, runId: '20261207-152501-aee8', events: 27 },
  { version: 4, runId: '20261207-152506-dfac', events: 28 },
  { version: 5, runId: '20261207-152511-9e62', events: 28 },
  { version: 6, runId: '20261207-152516-ddb0', events: 28 },
  { version: 7, runId: '20261207-152520-a586', events: 28 },
  { version: 8, runId: '20261207-152527-b3b5', events: 29 },
  { version: 9, runId: '20261207-152536-277a', events: 29 },
] as const;

const fixtureFile = (version: number): string => join(FIXTURES, `state-v${version}.sqlite`);
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

function assertClose(actual: number, expected: number, what: string): void {
  assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual}, expected ${expected}`);
}

describe(
  'frozen state databases of every released schema version open, migrate and read back',
  { concurrency: true },
  () => {
    const hashes = new Map<number, string>();
    let scratch: string;
    before(() => {
      scratch = mkdtempSync(join(tmpdir(), 'mux-swarm-frozen-'));
      for (const { version } of FROZEN) hashes.set(version, sha256(fixtureFile(version)));
    });
    after(() => {
      rmSync(scratch, { recursive: true, force: true });
      for (const { version } of FROZEN)
        assert.equal(sha256(fixtureFile(version)), hashes.get(version), `state-v${version}.sqlite is never written`);
    });

    it('there is one for every migration', () => {
      assert.deepEqual(
        FROZEN.map((frozen) => frozen.version),
        MIGRATIONS.map((_, index) => index + 1),
        'a new migration adds a frozen database (test/fixtures/state/README.md)',
      );
    });

    for (const frozen of FROZEN) {
      it(`schema version ${frozen.version}`, () => {
        const directory = join(scratch, `v${frozen.version}`);
        const database = openCopy(frozen.version, directory);
        try {
          assert.equal(
            database.pragma('user_version', { simple: true }),
            MIGRATIONS.length,
            'migrated to the current schema',
          );
          assertRun(database, frozen);
          assertWhatTheVersionHeld(database, frozen, directory);
        } finally {
          database.close();
        }
      });
    }
  },
);

/** A copy of the fixture as a workdir's state.db, opened (and so migrated) the way a run opens it. */
function openCopy(version: number, directory: string): SqliteDatabase {
  mkdirSync(directory, { recursive: true });
  copyFileSync(fixtureFile(version), join(directory, 'state.db'));
  return openDatabase(directory);
}

/** The run, its delegations, model calls with usage and cost, tool calls, transcript and events: every version has them. */
function assertRun(database: SqliteDatabase, { version, runId, events }: (typeof FROZEN)[number]): void {
  const writerCalls = version >= 2 ? 3 : 2; // from version 2 the writer also remembered the project
  const [run, ...others] = listRuns(database);
  assert.deepEqual(others, []);
  assert.equal(run?.id, runId);
  assert.equal(run.goal_name, `frozen state v${version}`);
  assert.equal(run.goal_source, 'goal.md');
  assert.equal(run.status, 'succeeded');
  assert.equal(run.exit_code, 0);
  assert.equal(run.num_turns, 6 + writerCalls);
  assert.equal(run.input_tokens, 3510 + (version >= 2 ? 1050 : 700));
  assert.equal(run.output_tokens, 400 + (version >= 2 ? 105 : 60));
  assertClose(run.cost_usd, 0.0351 + (version >= 2 ? 0.0105 : 0.007), 'run cost');
  assert.deepEqual(run.cost_unknown_models, []);
  assert.deepEqual(run.phases, version >= 6 ? { done: 0, total: 1, unchecked: 1, first_unmet: null } : null);

  const details = getRunDetails(database, runId)!;
  assert.match(
    details.run.goal_text,
    /^# Frozen state\n\nWrite notes\.txt, remember the project, and run a command\.\n?$/,
  );
  assert.equal(details.run.result, 'notes written and the check ran');
  assert.deepEqual(
    details.delegations.map((row) => [row.agent, row.status, row.summary]),
    [
      ['orchestrator', 'success', 'notes written and the check ran'],
      ['writer', 'success', 'wrote notes.txt'],
      ['runner', 'success', 'the check ran'],
    ],
  );
  assert.deepEqual(
    details.usageByAgent.map((row) => [row.key, row.calls, row.input_tokens, row.output_tokens]),
    [
      ['orchestrator', 2, 2500, 300],
      ['runner', 4, 1010, 100],
      ['writer', writerCalls, version >= 2 ? 1050 : 700, version >= 2 ? 105 : 60],
    ],
  );
  assertClose(details.usageByAgent[0]!.cost_usd, 0.025, 'orchestrator cost');
  assertClose(details.usageByAgent[1]!.cost_usd, 0.0101, 'runner cost');
  assert.deepEqual(
    details.usageByModel.map((row) => row.key),
    ['fake/orchestrator-model', 'fake/runner-model', 'fake/writer-model'],
  );

  const calls = new RunJournal(database).completedModelCalls(runId);
  assert.equal(calls.length, 6 + writerCalls);
  assert.deepEqual(
    calls.filter((call) => call.cached_input_tokens > 0).map((call) => [call.agent, call.cached_input_tokens]),
    [['orchestrator', 400]],
  );
  assert.deepEqual(
    calls.filter((call) => call.reasoning_tokens > 0).map((call) => [call.agent, call.reasoning_tokens]),
    [['orchestrator', 30]],
  );

  const tools = details.toolCalls.map((call) => call.name).sort();
  const expectedTools = [
    'complete',
    'complete',
    'complete',
    'delegate',
    'delegate',
    'fs__write_file',
    ...(version >= 2 ? ['memory__create_entities'] : []),
    ...Array<string>(3).fill('shell__run_command'),
  ];
  assert.deepEqual(tools, expectedTools);
  const failed = details.toolCalls.filter((call) => call.is_error === 1);
  assert.deepEqual(
    failed.map((call) => [call.agent, call.name, call.arguments_json]),
    [['runner', 'shell__run_command', '{"command":"./check.sh"}']],
  );
  const shown = new RunJournal(database).toolCall(runId, failed[0]!.id);
  assert.equal(shown?.completed, true);
  assert.match(shown?.replyText ?? '', /Command failed: exit code 127/);

  assert.equal(getTranscript(database, runId).length, 19 + 2 * writerCalls);
  assert.equal(new RunJournal(database).nextEventSeq(runId), events, 'every event kept, numbering goes on after them');
}

/** What came with later versions: the memory graph (2), sessions (3), training (5), failure memory (6), failovers (8), request hashes (9). */
function assertWhatTheVersionHeld(
  database: SqliteDatabase,
  { version, runId }: (typeof FROZEN)[number],
  directory: string,
): void {
  const report = loadReportData(database, runId);
  assert.equal(report.events[0]?.type, 'system');
  assert.deepEqual([report.events.at(-1)?.type, report.events.at(-1)?.run_id], ['result', runId]);
  assert.equal(report.sessions.length, version >= 3 ? 1 : 0);

  const remembered = searchMemoryEntities([database], ['frozen-project'], { limit: 5, observationsPerEntity: 5 });
  assert.deepEqual(
    remembered,
    version >= 2
      ? [
          {
            name: 'frozen-project',
            entityType: 'project',
            observations: [`made at schema version ${version}`],
            moreObservations: 0,
          },
        ]
      : [],
  );

  const jobs = new TrainingStore(database).jobs(runId);
  assert.deepEqual(
    jobs.map((job) => [
      job.job_id,
      job.name,
      job.state,
      job.classification,
      job.last_step,
      job.total_steps,
      job.gpu_hourly_usd,
    ]),
    version >= 5 ? [['job-1', 'frozen-train', 'exited', 'success', 20, 20, 2.5]] : [],
  );
  assert.deepEqual(
    report.trainingMetrics.map((row) => [row.event, row.step, JSON.parse(row.data_json)]),
    version >= 5
      ? [
          ['log', 10, { loss: 1.25 }],
          ['eval', 20, { eval_loss: 0.75 }],
        ]
      : [],
  );

  const failures = new FailureStore(database);
  assert.deepEqual(
    failures
      .listFailures()
      .map((failure) => [failure.fingerprint, failure.kind, failure.type, failure.message, failure.occurrences]),
    version >= 6 ? [['164c1f8d022e88b2', 'shell', 'command not found', 'command not found: check.sh', 1]] : [],
  );
  assert.deepEqual(
    failures.listFixes().map((fix) => [fix.uid, fix.fingerprint, fix.files, fix.source, fix.runId, fix.worked]),
    version >= 6 ? [['0914dc3a1b761f9b', '164c1f8d022e88b2', ['check.sh'], 'runtime', runId, 1]] : [],
  );
  assert.deepEqual(
    report.failureSteps.map((step) => [step.step_key, step.fingerprint, step.fix_uid]),
    version >= 6 ? [['shell__run_command:./check.sh', '164c1f8d022e88b2', '0914dc3a1b761f9b']] : [],
  );

  assert.deepEqual(
    report.chainUsage.map((row) => [row.agent, row.entry, row.answered, row.failovers]),
    version >= 8
      ? [
          ['orchestrator', 'fake/orchestrator-model', 2, 0],
          ['runner', 'fake/runner-missing', 0, 1],
          ['runner', 'fake/runner-model', 4, 0],
          ['writer', 'fake/writer-model', 3, 0],
        ]
      : [],
  );

  const cassette = () =>
    cassetteFromJournal(database, runId, { workdir: directory, stateDirectory: directory, muxSwarmVersion: 'frozen' });
  if (version < 9) {
    assert.throws(cassette, /did not yet record what each call asked/);
    return;
  }
  const recorded = cassette();
  assert.equal(recorded.modelCalls.length, 9);
  assert.ok(recorded.modelCalls.every((call) => /^[0-9a-f]{64}$/.test(call.hash)));
  assert.equal(recorded.modelCalls[0]?.hash, '3dd0ac62a450a250637559f876c52f1d82f3e264ff8191e28ddfb543cd14b956');
  assert.deepEqual(recorded.toolSets.map((set) => set.hash).sort(), [
    '26a5ed33a877a0500a8e8369af9aebae',
    '3330fb82995de6085f72a6f9439fe169',
    '6eb4d50945eaa2c7945bb7654bc45a73',
  ]);
}
