import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { messageText } from '../support/fake-openai-routing.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';
import {
  errorReportedIn,
  firstKnownFixDiff,
  GENERAL_LESSON,
  seedAgentReply,
  SEED_ERRORS,
  type FollowMode,
} from '../support/seed-trainer-agent.js';

const TRAINER_FILES = ['train.py', 'fake_trl.py'].map((name) =>
  join(import.meta.dirname, '..', 'fixtures', 'seed-trainer', name),
);
const GOAL = [
  '---',
  'name: qlora seed',
  '---',
  '# Fine-tune the adapter',
  '',
  '## Phase 1: Train the adapter',
  '',
  'Run `python3 train.py` until it trains.',
  '',
  'Done when:',
  '- `out/adapter_config.json` exists',
  '',
].join('\n');

interface ExportedFailure {
  type: 'failure';
  fingerprint: string;
  message: string;
  retryWorked: number;
  retryFailed: number;
}
interface ExportedFix {
  type: 'fix';
  fingerprint: string;
  description: string;
  files: string[];
  diff: string | null;
  worked: number;
  failed: number;
}

/**
 * The seed story's promise, walked through the built CLI: the training script meets four API errors in turn; run 1
 * fixes each (following the job as the skills say), and failure memory keeps exactly those four failures, each with
 * the edit that fixed it; run 2, in a new workdir sharing the user store, is handed each error's own fix in the very
 * result that reports the error, applies it, and needs fewer model calls. Whichever way the job is followed.
 */
describe('failure memory on the seed story: four errors, four lessons, a quicker second run', () => {
  let server: FakeOpenAIServer;
  let mode: FollowMode = 'wait';
  const projects: ProjectFixture[] = [];
  const homes: string[] = [];

  before(async () => {
    server = await startFakeOpenAIServer({
      fallback: (body) => seedAgentReply(body, { mode, writeLesson: mode === 'wait' }),
    });
  });
  after(async () => {
    await server.close();
    for (const project of projects) project.remove();
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  function project(userStore: string): ProjectFixture {
    const fixture = createProjectFixture('mux-swarm-seed-');
    projects.push(fixture);
    fixture.write(
      'config.json',
      fakeConfig(server.baseURL, {
        filesystem: { workdir: 'work' },
        memory: { userStore },
        mcpServers: {
          fs: { builtin: 'filesystem' },
          shell: { builtin: 'shell', options: { timeoutMs: 20_000 } },
          training: { builtin: 'training', options: { progressEventIntervalMs: 0 } },
          memory: { builtin: 'memory' },
        },
      }),
    );
    fixture.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator', { mcpServers: ['fs', 'shell', 'training', 'memory'], maxTurns: 80 }),
      agents: [],
    });
    fixture.write('goal.md', GOAL);
    fixture.write('work/.keep', '');
    for (const file of TRAINER_FILES) copyFileSync(file, join(fixture.directory, 'work', file.split('/').at(-1)!));
    return fixture;
  }

  /** Runs the goal; returns the chat requests it made. */
  async function run(fixture: ProjectFixture) {
    server.reset();
    const result = await runCli(['run', 'goal.md'], { cwd: fixture.directory, timeoutMs: 120_000 });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(server.unmatched, []);
    return server.chatRequests();
  }

  async function exported(fixture: ProjectFixture, store: 'user' | 'workdir') {
    const file = join(fixture.directory, `${store}.jsonl`);
    const result = await runCli(['memory', 'export', '-o', file, '--store', store], { cwd: fixture.directory });
    assert.equal(result.code, 0, result.stderr);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string });
    return {
      failures: lines.filter((line): line is ExportedFailure => line.type === 'failure'),
      fixes: lines.filter((line): line is ExportedFix => line.type === 'fix'),
    };
  }

  /** The text of every message that reported a failed end of the job: tool results (wait/status) and notices. */
  function reports(requests: ReturnType<FakeOpenAIServer['chatRequests']>, followedBy: FollowMode): string[] {
    const texts = requests.map((request) => {
      const messages = request.body.messages;
      const last = messages.findLastIndex((message) => message.role === 'assistant');
      const after = messages.slice(last + 1);
      const wanted =
        followedBy === 'notices'
          ? after.filter((message) => message.role === 'user')
          : after.filter((message) => message.role === 'tool');
      return wanted.map(messageText).join('\n');
    });
    return texts.filter(
      (text) => SEED_ERRORS.some((error) => text.includes(error.tell)) && /ended|python_exception/.test(text),
    );
  }

  for (const followedBy of ['wait', 'status', 'notices'] as const) {
    it(`following the job with ${followedBy === 'wait' ? 'training__wait' : followedBy === 'status' ? 'training__status polling' : 'job-end notices only'}`, async () => {
      mode = followedBy;
      const home = mkdtempSync(join(tmpdir(), 'mux-swarm-seed-home-'));
      homes.push(home);
      const userStore = join(home, '.mux-swarm');

      const first = project(userStore);
      const run1 = await run(first);
      const firstReports = reports(run1, followedBy);
      assert.equal(
        firstReports.length,
        4,
        `each of the four errors was reported once:\n${firstReports.join('\n---\n')}`,
      );
      for (const report of firstReports) assert.doesNotMatch(report, /known fixes/, 'nothing was known in run 1');

      // Memory holds exactly the four failures, each with exactly its own fix: the edit of train.py that got past it.
      for (const store of ['workdir', 'user'] as const) {
        const { failures, fixes } = await exported(first, store);
        assert.equal(failures.length, 4, `${store}: ${failures.map((failure) => failure.message).join(' | ')}`);
        assert.equal(fixes.length, 4, `${store}: ${fixes.map((fix) => fix.description).join(' | ')}`);
        for (const error of SEED_ERRORS) {
          const failure = failures.find((candidate) => candidate.message.includes(error.tell));
          assert.ok(failure, `a failure for ${error.tell}`);
          assert.deepEqual([failure.retryWorked, failure.retryFailed], [0, 0], 'no run was repeated unchanged');
          const own = fixes.filter((fix) => fix.fingerprint === failure.fingerprint);
          assert.equal(own.length, 1, `one fix for ${error.tell}`);
          const fix = own[0]!;
          assert.deepEqual(
            fix.files,
            ['train.py'],
            "only the agent's edit: no checkpoint or adapter the trainer wrote",
          );
          assert.deepEqual([fix.worked, fix.failed], [1, 0]);
          assertDiffMakes(fix.diff ?? '', error);
          assert.doesNotMatch(fix.description, /no change/);
        }
      }

      const second = project(userStore);
      const run2 = await run(second);
      const secondReports = reports(run2, followedBy);
      assert.equal(secondReports.length, 4, secondReports.join('\n---\n'));
      for (const report of secondReports) {
        // The error's own fix comes first, in the very result (or notice) that reports the error.
        const error = errorReportedIn(
          report.slice(0, report.indexOf('[mux-swarm memory]') < 0 ? undefined : report.indexOf('[mux-swarm memory]')),
        );
        const diff = firstKnownFixDiff(report);
        assert.ok(diff, `the report carries a known fix:\n${report}`);
        assertDiffMakes(diff, error);
      }
      assert.ok(run2.length < run1.length, `run 2 used ${run2.length} model calls, run 1 ${run1.length}`);
      if (followedBy === 'wait') {
        // Run 1 ended by writing a general lesson to the memory graph: run 2's phase 0, in another workdir, has it.
        const phase0 = run2[0]!.body.messages.map(messageText).join('\n');
        assert.ok(
          phase0.includes(GENERAL_LESSON.observations[0]!),
          `run 2's first request holds run 1's lesson:\n${phase0}`,
        );
        assert.ok(
          !run1[0]!.body.messages.map(messageText).join('\n').includes(GENERAL_LESSON.observations[0]!),
          'run 1 did not know it yet',
        );
      }
      assert.equal(
        readFileSync(join(second.directory, 'work', 'train.py'), 'utf8'),
        readFileSync(join(first.directory, 'work', 'train.py'), 'utf8'),
        'run 2 applied the same fixes',
      );

      // Run 2's own lessons are the same fixes, counted again; still four failures in the user store.
      const { failures, fixes } = await exported(second, 'user');
      assert.equal(failures.length, 4);
      assert.deepEqual(
        fixes.map((fix) => fix.worked),
        [2, 2, 2, 2],
      );
    });
  }
});

/** The diff makes exactly the error's edits: a removed line holding each old text, an added line holding each new one. */
function assertDiffMakes(diff: string, error: (typeof SEED_ERRORS)[number]): void {
  const lines = diff.split('\n');
  const removed = lines.filter((line) => line.startsWith('-') && !line.startsWith('---'));
  const added = lines.filter((line) => line.startsWith('+') && !line.startsWith('+++'));
  assert.equal(
    removed.length,
    error.edits.length,
    `the fix of ${error.tell} changes ${error.edits.length} line(s):\n${diff}`,
  );
  for (const edit of error.edits) {
    assert.ok(
      removed.some((line) => line.includes(edit.oldText.trim())),
      `the fix of ${error.tell} removes ${edit.oldText.trim()}:\n${diff}`,
    );
    if (edit.newText !== '')
      assert.ok(
        added.some((line) => line.includes(edit.newText.trim())),
        `the fix of ${error.tell} adds ${edit.newText.trim()}:\n${diff}`,
      );
  }
}
