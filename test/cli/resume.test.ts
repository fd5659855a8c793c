import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { startFakeOpenAIServer, type FakeOpenAIServer, type ScriptedReply } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

const INTERRUPTED = /not known whether this call took effect: mux-swarm stopped/;

/**
 * The orchestrator runs a shell command that appends a line to ran.log (so a second run of it would show), then
 * delegates notes.txt to the writer (two model turns), then completes. Fail points are counted in that order:
 * model calls orchestrator 1, 2, writer 1, 2, orchestrator 3; tool calls shell, delegate, write, writer's complete,
 * orchestrator's complete.
 */
function script(repeat?: { model: string; index: number }): Record<string, ScriptedReply[]> {
  const replies: Record<string, ScriptedReply[]> = {
    'orchestrator-model': [
      { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'echo once >> ran.log' } }] },
      {
        toolCalls: [
          { name: 'delegate', arguments: { agent: 'writer', task: 'Write notes.txt saying "resumed fine".' } },
        ],
      },
      {
        toolCalls: [
          { name: 'complete', arguments: { status: 'success', summary: 'all done', artifacts: ['notes.txt'] } },
        ],
      },
    ],
    'writer-model': [
      { toolCalls: [{ name: 'fs__write_file', arguments: { path: 'notes.txt', content: 'resumed fine\n' } }] },
      {
        toolCalls: [
          { name: 'complete', arguments: { status: 'success', summary: 'wrote notes.txt', artifacts: ['notes.txt'] } },
        ],
      },
    ],
  };
  // A reply lost to the kill is asked for again: the fake model answers the same.
  if (repeat) replies[repeat.model]!.splice(repeat.index, 0, replies[repeat.model]![repeat.index]!);
  return replies;
}

interface Outcome {
  project: ProjectFixture;
  workdir: string;
  requests: Record<string, number>;
  toolMessagesSeen: string[];
  database: Database.Database;
}

describe('resuming a run killed at a fail point', { concurrency: 1 }, () => {
  let server: FakeOpenAIServer;
  const projects: ProjectFixture[] = [];
  const databases: Database.Database[] = [];

  before(async () => {
    server = await startFakeOpenAIServer();
  });
  after(async () => {
    for (const database of databases) database.close();
    for (const project of projects) project.remove();
    await server.close();
  });

  async function killThenResume(
    failAt: string | undefined,
    repeat?: { model: string; index: number },
    options: { stream?: boolean } = {},
  ): Promise<Outcome> {
    server.reset();
    for (const [model, replies] of Object.entries(script(repeat))) server.route({ model }, ...replies);
    const project = createProjectFixture('mux-swarm-resume-');
    projects.push(project);
    project.write(
      'config.json',
      fakeConfig(server.baseURL, {
        filesystem: { workdir: 'work' },
        ...(options.stream
          ? { providers: { fake: { baseURL: server.baseURL, maxRetries: 1, timeoutMs: 20_000, stream: true } } }
          : {}),
      }),
    );
    project.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'], canDelegateTo: ['writer'] }),
      agents: [fakeAgent('writer', { mcpServers: ['fs'] })],
    });
    project.write('goal.md', '# Notes\n\nLog a line, then have notes.txt written.\n');
    if (failAt) {
      const killed = await runCli(['run', 'goal.md'], { cwd: project.directory, env: { MUX_SWARM_FAIL_AT: failAt } });
      assert.equal(
        killed.signal,
        'SIGKILL',
        `the run died at ${failAt} (code ${killed.code}; stderr: ${killed.stderr})`,
      );
    }
    const resumed = await runCli(['run', 'goal.md', '--output-format', 'json'], { cwd: project.directory });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(server.pendingResponses(), 0, 'every scripted reply was used');
    const requests: Record<string, number> = {};
    for (const request of server.chatRequests()) requests[request.body.model] = (requests[request.body.model] ?? 0) + 1;
    const toolMessagesSeen = server
      .chatRequests()
      .flatMap((request) =>
        request.body.messages.filter((message) => message.role === 'tool').map((message) => String(message.content)),
      );
    const workdir = join(project.directory, 'work');
    const database = new Database(join(workdir, '.mux-swarm', 'state.db'), { readonly: true });
    databases.push(database);
    return { project, workdir, requests, toolMessagesSeen, database };
  }

  function assertFinished(outcome: Outcome, sessions: number): void {
    const { database, workdir } = outcome;
    assert.equal(
      readFileSync(join(workdir, 'notes.txt'), 'utf8'),
      'resumed fine\n',
      'the artifact is what an uninterrupted run writes',
    );
    assert.deepEqual(
      database.prepare('SELECT status, subtype FROM runs').all(),
      [{ status: 'succeeded', subtype: 'success' }],
      'one run, resumed to success',
    );
    assert.equal(
      (database.prepare('SELECT count(*) AS n FROM run_sessions WHERE ended_at IS NOT NULL').get() as { n: number }).n,
      sessions,
    );
    assert.deepEqual(database.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
    assert.deepEqual(database.pragma('foreign_key_check'), []);
    assert.deepEqual(
      database.prepare(`SELECT id FROM tool_calls WHERE duration_ms IS NULL`).all(),
      [],
      'every journaled tool call has an outcome',
    );
    assert.deepEqual(database.prepare(`SELECT count(*) AS n FROM model_calls WHERE status = 'started'`).get(), {
      n: 0,
    });
    const seqs = (database.prepare('SELECT seq FROM events ORDER BY seq').all() as Array<{ seq: number }>).map(
      (row) => row.seq,
    );
    assert.deepEqual(
      seqs,
      seqs.map((_, index) => index),
      'one event stream, numbered on across the restart',
    );
  }

  function ranLines(outcome: Outcome): number {
    const file = join(outcome.workdir, 'ran.log');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).length : 0;
  }

  it('an uninterrupted run makes 5 model calls and runs the command once (the baseline)', async () => {
    const outcome = await killThenResume(undefined);
    assertFinished(outcome, 1);
    assert.deepEqual(outcome.requests, { 'orchestrator-model': 3, 'writer-model': 2 });
    assert.equal(ranLines(outcome), 1);
  });

  it('killed after the command ran but before its outcome was journaled: not run again, the agent is told', async () => {
    const outcome = await killThenResume('tool-ran:1');
    assertFinished(outcome, 2);
    assert.equal(ranLines(outcome), 1, 'the command ran once');
    assert.deepEqual(outcome.requests, { 'orchestrator-model': 3, 'writer-model': 2 }, 'no model call was made twice');
    assert.ok(
      outcome.toolMessagesSeen.some((text) => INTERRUPTED.test(text)),
      'the orchestrator heard that the call was interrupted',
    );
  });

  it("killed after a tool call's intent, before it ran: reported as interrupted, not run", async () => {
    const outcome = await killThenResume('tool-intent:1');
    assertFinished(outcome, 2);
    assert.equal(ranLines(outcome), 0);
    assert.ok(outcome.toolMessagesSeen.some((text) => INTERRUPTED.test(text)));
  });

  it("killed inside a delegation, before the writer's second model call: the orchestrator's turn and the writer resume where they were", async () => {
    const outcome = await killThenResume('model-intent:4');
    assertFinished(outcome, 2);
    assert.deepEqual(outcome.requests, { 'orchestrator-model': 3, 'writer-model': 2 }, 'no model call was made twice');
    assert.equal(ranLines(outcome), 1);
    assert.deepEqual(outcome.database.prepare(`SELECT id, status FROM delegations ORDER BY id`).all(), [
      { id: 'd1', status: 'success' },
      { id: 'd1.2.0', status: 'success' },
    ]);
  });

  it('killed after the model answered but before its reply was journaled: that one call is made again, nothing else', async () => {
    const outcome = await killThenResume('model-reply:3', { model: 'writer-model', index: 0 });
    assertFinished(outcome, 2);
    assert.deepEqual(
      outcome.requests,
      { 'orchestrator-model': 3, 'writer-model': 3 },
      'only the lost writer reply was asked for again',
    );
    assert.equal(ranLines(outcome), 1);
    assert.deepEqual(
      outcome.database.prepare(`SELECT count(*) AS n FROM model_calls WHERE status = 'completed'`).get(),
      { n: 5 },
      'five replies paid for and kept',
    );
  });

  it('killed while a streamed reply was arriving: that one call is made again, nothing else', async () => {
    const outcome = await killThenResume('model-stream:3', { model: 'writer-model', index: 0 }, { stream: true });
    assertFinished(outcome, 2);
    assert.deepEqual(outcome.requests, { 'orchestrator-model': 3, 'writer-model': 3 });
    assert.ok(
      server.chatRequests().every((request) => request.body.stream === true),
      'the provider streamed',
    );
    assert.equal(ranLines(outcome), 1);
  });

  it('killed after a whole turn was journaled: the next turn starts from the journal', async () => {
    const outcome = await killThenResume('turn-recorded:1');
    assertFinished(outcome, 2);
    assert.deepEqual(outcome.requests, { 'orchestrator-model': 3, 'writer-model': 2 });
    assert.equal(ranLines(outcome), 1);
    assert.ok(!outcome.toolMessagesSeen.some((text) => INTERRUPTED.test(text)), 'nothing was interrupted');
  });

  it("killed after a completing turn was journaled but before the delegation's outcome: the completion stands, no further model call", async () => {
    // Turn-recorded points: 1 orchestrator (shell), 2 writer (write), 3 writer (complete), 4 orchestrator (delegate), 5 orchestrator (complete).
    for (const point of ['turn-recorded:3', 'turn-recorded:5']) {
      const outcome = await killThenResume(point);
      assertFinished(outcome, 2);
      assert.deepEqual(
        outcome.requests,
        { 'orchestrator-model': 3, 'writer-model': 2 },
        `${point}: no model call after the completion`,
      );
      assert.equal(ranLines(outcome), 1);
    }
  });

  it('killed right after starting a background job: the job lives on and the resumed run re-attaches to it', async () => {
    server.reset();
    server.route(
      { model: 'orchestrator-model' },
      {
        toolCalls: [
          { name: 'shell__start_job', arguments: { command: 'echo started; sleep 30; echo late', name: 'sleeper' } },
        ],
      },
      { toolCalls: [{ name: 'shell__list_jobs', arguments: {} }] },
      { toolCalls: [{ name: 'shell__kill_job', arguments: { job_id: 'shell-1', grace_ms: 100 } }] },
      {
        toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'found the job after the restart' } }],
      },
    );
    const fixture = createProjectFixture('mux-swarm-resume-job-');
    projects.push(fixture);
    fixture.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
    fixture.write('swarm.json', { orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'] }), agents: [] });
    fixture.write('goal.md', '# Sleeper\n\nStart a long job and keep track of it.\n');
    const killed = await runCli(['run', 'goal.md'], {
      cwd: fixture.directory,
      env: { MUX_SWARM_FAIL_AT: 'job-spawned:1' },
    });
    assert.equal(killed.signal, 'SIGKILL');
    const resumed = await runCli(['run', 'goal.md', '--output-format', 'json'], { cwd: fixture.directory });
    assert.equal(resumed.code, 0, resumed.stderr);
    const results = server
      .chatRequests()
      .flatMap((request) =>
        request.body.messages.filter((message) => message.role === 'tool').map((message) => String(message.content)),
      );
    assert.ok(
      results.some((text) => INTERRUPTED.test(text)),
      'start_job was reported as interrupted, not run again',
    );
    const listing = results.find((text) => text.includes('shell-1') && /running/.test(text));
    assert.ok(listing, `list_jobs showed the re-attached job running:\n${results.join('\n---\n')}`);
    assert.ok(!results.some((text) => text.includes('shell-2')), 'no second job was started');
  });

  describe('choosing the run', () => {
    function project(): ProjectFixture {
      const fixture = createProjectFixture('mux-swarm-resume-choice-');
      projects.push(fixture);
      fixture.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
      fixture.write('swarm.json', { orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'] }), agents: [] });
      fixture.write('goal.md', '# Tally\n\nAppend a line to tally.log, then finish.\n');
      return fixture;
    }
    const turns = (): ScriptedReply[] => [
      { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'echo x >> tally.log' } }] },
      { toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'tallied' } }] },
    ];
    const runStatuses = (fixture: ProjectFixture) => {
      const database = new Database(join(fixture.directory, 'work', '.mux-swarm', 'state.db'), { readonly: true });
      try {
        return (
          database.prepare('SELECT status FROM runs ORDER BY started_at, rowid').all() as Array<{ status: string }>
        ).map((row) => row.status);
      } finally {
        database.close();
      }
    };

    it('mux-swarm resume continues the newest unfinished run without naming the goal, and refuses a run that succeeded', async () => {
      server.reset();
      server.route({ model: 'orchestrator-model' }, ...turns());
      const fixture = project();
      const killed = await runCli(['run', 'goal.md'], {
        cwd: fixture.directory,
        env: { MUX_SWARM_FAIL_AT: 'turn-recorded:1' },
      });
      assert.equal(killed.signal, 'SIGKILL');
      const listed = await runCli(['runs', '--json'], { cwd: fixture.directory });
      assert.deepEqual(
        (JSON.parse(listed.stdout) as Array<{ status: string }>).map((run) => run.status),
        ['crashed'],
        'runs tells a crashed run from a running one',
      );
      const resumed = await runCli(['resume', '--output-format', 'json'], { cwd: fixture.directory });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal((JSON.parse(resumed.stdout) as { result: string }).result, 'tallied');
      assert.deepEqual(runStatuses(fixture), ['succeeded']);
      assert.equal(readFileSync(join(fixture.directory, 'work', 'tally.log'), 'utf8'), 'x\n');
      const again = await runCli(['resume', 'last'], { cwd: fixture.directory });
      assert.equal(again.code, 1);
      assert.match(again.stderr, /already succeeded; there is nothing to resume/);
      const none = await runCli(['resume'], { cwd: fixture.directory });
      assert.match(none.stderr, /no unfinished run in this workdir/);
    });

    it('--fresh starts a new run beside the unfinished one', async () => {
      server.reset();
      server.route({ model: 'orchestrator-model' }, ...turns(), ...turns());
      const fixture = project();
      assert.equal(
        (await runCli(['run', 'goal.md'], { cwd: fixture.directory, env: { MUX_SWARM_FAIL_AT: 'turn-recorded:1' } }))
          .signal,
        'SIGKILL',
      );
      server.reset();
      server.route({ model: 'orchestrator-model' }, ...turns());
      const fresh = await runCli(['run', 'goal.md', '--fresh'], { cwd: fixture.directory });
      assert.equal(fresh.code, 0, fresh.stderr);
      assert.deepEqual(
        runStatuses(fixture),
        ['running', 'succeeded'],
        'the crashed run is left as it was; a second run did the work',
      );
      assert.equal(readFileSync(join(fixture.directory, 'work', 'tally.log'), 'utf8'), 'x\nx\n');
    });

    it('a run stopped with Ctrl-C is resumed by the next run of the goal, and finishes its interrupted task', async () => {
      server.reset();
      server.route(
        { model: 'orchestrator-model' },
        { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'echo x >> tally.log' } }] },
        { delayMs: 10_000, content: 'never heard' },
      );
      const fixture = project();
      let child: import('node:child_process').ChildProcess | undefined;
      const interrupted = runCli(['run', 'goal.md'], {
        cwd: fixture.directory,
        onSpawn: (spawned) => (child = spawned),
      });
      for (let attempt = 0; attempt < 200 && server.chatRequests().length < 2; attempt += 1)
        await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(server.chatRequests().length, 2, 'the second model call is in flight');
      child!.kill('SIGINT');
      assert.equal((await interrupted).code, 130);
      assert.deepEqual(runStatuses(fixture), ['interrupted']);

      server.reset();
      server.route(
        { model: 'orchestrator-model' },
        { toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'tallied after Ctrl-C' } }] },
      );
      const resumed = await runCli(['run', 'goal.md', '--output-format', 'json'], { cwd: fixture.directory });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal((JSON.parse(resumed.stdout) as { result: string }).result, 'tallied after Ctrl-C');
      assert.deepEqual(runStatuses(fixture), ['succeeded'], 'the same run, continued');
      assert.equal(readFileSync(join(fixture.directory, 'work', 'tally.log'), 'utf8'), 'x\n');
    });

    it('refuses a second process on a run that is being driven (exit 2), naming the one that drives it', async () => {
      server.reset();
      server.route({ model: 'orchestrator-model' }, { delayMs: 4_000, content: 'thinking slowly' }, ...turns());
      const fixture = project();
      const first = runCli(['run', 'goal.md'], { cwd: fixture.directory });
      await waitForRunRow(fixture);
      const second = await runCli(['run', 'goal.md'], { cwd: fixture.directory });
      assert.equal(second.code, 2, second.stderr);
      assert.match(second.stderr, /is being driven by pid \d+ on .*; two processes must not drive one run/);
      assert.equal((await first).code, 0);
    });

    async function waitForRunRow(fixture: ProjectFixture): Promise<void> {
      const file = join(fixture.directory, 'work', '.mux-swarm', 'state.db');
      for (let attempt = 0; attempt < 200; attempt += 1) {
        if (existsSync(file)) {
          const database = new Database(file, { readonly: true, fileMustExist: true });
          try {
            const row = database
              .prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name = 'run_sessions'`)
              .get() as { n: number };
            if (row.n > 0 && (database.prepare('SELECT count(*) AS n FROM run_sessions').get() as { n: number }).n > 0)
              return;
          } finally {
            database.close();
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.fail('the first run never took its session');
    }
  });
});
