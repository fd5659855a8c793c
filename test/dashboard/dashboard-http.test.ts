import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';
import { httpRequest, readEvents, startServe, type ServeProcess } from '../support/dashboard-client.js';

/** Named like a key, so the scrubber knows it; echoed by a shell command into a tool result. */
const SERVICE_TOKEN = `svc-${randomBytes(18).toString('hex')}`;
const ENV = { MY_SERVICE_TOKEN: SERVICE_TOKEN };

describe('the dashboard over a finished run', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;
  let serve: ServeProcess;
  let runId: string;
  /** Every body the dashboard answered in these tests: none may hold the secret. */
  const bodies: string[] = [];
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const answer = await httpRequest(`${serve.base}${path}`, { headers });
    bodies.push(answer.body);
    return answer;
  };

  before(async () => {
    server = await startFakeOpenAIServer();
    server.route(
      { model: 'orchestrator-model' },
      { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'echo "token is $MY_SERVICE_TOKEN"' } }] },
      { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'python3 -c "import nosuchmodule"' } }] },
      { toolCalls: [{ name: 'delegate', arguments: { agent: 'writer', task: 'Write notes.txt.' } }] },
      { toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'all done', artifacts: [] } }] },
    );
    server.route(
      { model: 'writer-model' },
      {
        content: 'Writing the notes now.',
        toolCalls: [{ name: 'fs__write_file', arguments: { path: 'notes.txt', content: 'hi\n' } }],
      },
      {
        toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'wrote notes.txt', artifacts: [] } }],
      },
    );
    project = createProjectFixture('mux-swarm-dashboard-');
    project.write(
      'config.json',
      fakeConfig(server.baseURL, {
        filesystem: { workdir: 'work' },
        mcpServers: {
          fs: { builtin: 'filesystem' },
          shell: { builtin: 'shell', options: { timeoutMs: 20_000, passEnv: ['MY_SERVICE_TOKEN'] } },
        },
      }),
    );
    project.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'], canDelegateTo: ['writer'] }),
      agents: [fakeAgent('writer', { mcpServers: ['fs'] })],
    });
    project.write('goal.md', '# Notes\n\nEcho the token, then have notes.txt written.\n');
    const ran = await runCli(['run', 'goal.md', '--output-format', 'json'], { cwd: project.directory, env: ENV });
    assert.equal(ran.code, 0, ran.stderr);
    runId = JSON.parse(ran.stdout.trim().split('\n').at(-1)!).run_id;
    serve = await startServe([], { cwd: project.directory, env: ENV });
  });

  after(async () => {
    await serve?.stop();
    await server.close();
    project.remove();
  });

  it('serves every page and its client files', async () => {
    for (const path of ['/', `/runs/${runId}`, '/memory']) {
      const page = await get(path);
      assert.equal(page.status, 200, path);
      assert.match(String(page.headers['content-type']), /text\/html/);
      assert.match(page.body, /<script src="\/static\/common\.js">/);
    }
    for (const file of [
      'common.js',
      'runs.js',
      'run.js',
      'run-summary.js',
      'run-reports.js',
      'run-loop.js',
      'run-transcript.js',
      'memory.js',
      'dashboard.css',
    ]) {
      const answer = await get(`/static/${file}`);
      assert.equal(answer.status, 200, file);
    }
    assert.equal((await get('/static/../package.json')).status, 404);
    assert.equal((await get('/nothing-here')).status, 404);
  });

  it('answers the JSON API: the runs, one run with its delegations and usage, memory; 404 for an unknown run', async () => {
    const runs = JSON.parse((await get('/api/runs')).body);
    assert.equal(runs.runs.length, 1);
    assert.equal(runs.runs[0].id, runId);
    assert.equal(runs.runs[0].status, 'succeeded');
    assert.equal(runs.runs[0].exit_code, 0);
    const run = JSON.parse((await get(`/api/runs/${runId}`)).body);
    assert.equal(run.run.goal_name, 'Notes');
    assert.equal(run.driven, false);
    assert.deepEqual(
      run.delegations.map((delegation: { agent: string; status: string }) => [delegation.agent, delegation.status]),
      [
        ['orchestrator', 'success'],
        ['writer', 'success'],
      ],
    );
    assert.deepEqual(
      run.usage_by_agent.map((row: { key: string; calls: number }) => [row.key, row.calls]),
      [
        ['orchestrator', 4],
        ['writer', 2],
      ],
    );
    assert.deepEqual(run.usage_by_model.map((row: { key: string }) => row.key).sort(), [
      'fake/orchestrator-model',
      'fake/writer-model',
    ]);
    assert.equal(run.tool_calls.total, 6);
    assert.equal(run.tool_calls.failed, 1);
    const [step] = run.failures.steps;
    assert.equal(run.failures.steps.length, 1);
    assert.match(step.fingerprint, /^[0-9a-f]{16}$/);
    assert.deepEqual(step.error, { type: 'ModuleNotFoundError', message: "No module named 'nosuchmodule'" });
    assert.deepEqual(run.training.jobs, []);
    assert.equal(run.loop, null);
    assert.equal((await get(`/api/runs/${runId}/training.svg`)).status, 404, 'no training, no curve');
    assert.equal((await get('/api/runs/20990101-000000-ffff')).status, 404);
    assert.equal((await get('/api/runs/20990101-000000-ffff/events')).status, 404);
    const memory = JSON.parse((await get('/api/memory?q=nosuchmodule')).body);
    assert.deepEqual(Object.keys(memory).sort(), ['entities', 'failures', 'query', 'relations']);
    assert.deepEqual(
      memory.failures.map((found: { failure: { fingerprint: string } }) => found.failure.fingerprint),
      [step.fingerprint],
      'failure memory found by a word of its message',
    );
  });

  it('streams the events table in order, each with its seq as id, and resumes after Last-Event-ID', async () => {
    const database = new Database(join(project.directory, 'work', '.mux-swarm', 'state.db'), { readonly: true });
    const stored = database.prepare('SELECT seq, type FROM events WHERE run_id = ? ORDER BY seq').all(runId) as Array<{
      seq: number;
      type: string;
    }>;
    database.close();
    const all = await readEvents(`${serve.base}/api/runs/${runId}/events`, (events) => events.length >= stored.length);
    bodies.push(all.raw);
    assert.deepEqual(
      all.events.map((streamed) => [streamed.id, streamed.event.seq, streamed.event.type]),
      stored.map((row) => [row.seq, row.seq, row.type]),
    );
    assert.equal(all.events.at(-1)!.event.type, 'result');
    const from = stored[Math.floor(stored.length / 2)]!.seq;
    const rest = await readEvents(
      `${serve.base}/api/runs/${runId}/events`,
      (events) => events.length >= stored.length - from - 1,
      { headers: { 'last-event-id': String(from) } },
    );
    bodies.push(rest.raw);
    assert.deepEqual(
      rest.events.map((streamed) => streamed.id),
      stored.filter((row) => row.seq > from).map((row) => row.seq),
    );
  });

  it('refuses cross-origin requests, actions by GET, and a Host that is not loopback', async () => {
    const evil = { origin: 'http://evil.example' };
    assert.equal((await get('/api/runs', evil)).status, 403);
    assert.equal((await get('/api/runs', { 'sec-fetch-site': 'cross-site' })).status, 403);
    assert.equal((await get(`/api/runs/${runId}/events`, { 'sec-fetch-site': 'same-site' })).status, 403);
    const post = await httpRequest(`${serve.base}/api/runs/${runId}/stop`, { method: 'POST', headers: evil });
    assert.equal(post.status, 403);
    assert.equal((await get(`/api/runs/${runId}/stop`)).status, 405, 'actions are POST only');
    assert.equal((await get('/api/runs', { host: 'attacker.example:80' })).status, 403, 'DNS rebinding');
    const sameOrigin = await get('/api/runs', { origin: serve.base, 'sec-fetch-site': 'same-origin' });
    assert.equal(sameOrigin.status, 200);
    const finished = await httpRequest(`${serve.base}/api/runs/${runId}/resume`, {
      method: 'POST',
      headers: { origin: serve.base },
    });
    assert.equal(finished.status, 409, 'a succeeded run is not resumed');
  });

  it('requires the token off loopback, compared exactly; a ?token= address keeps it in a cookie', async () => {
    const token = `t-${randomBytes(16).toString('hex')}`;
    const open = await startServe(['--host', '0.0.0.0'], {
      cwd: project.directory,
      env: { ...ENV, MUX_SWARM_DASHBOARD_TOKEN: token },
    });
    try {
      assert.match(open.printed, new RegExp(`\\?token=${token}$`));
      const api = `${open.base}/api/runs`;
      assert.equal((await httpRequest(api)).status, 401);
      assert.equal((await httpRequest(`${open.base}/`)).status, 401);
      assert.equal((await httpRequest(`${open.base}/api/runs/${runId}/events`)).status, 401);
      assert.equal((await httpRequest(api, { headers: { authorization: `Bearer ${token}x` } })).status, 401);
      assert.equal((await httpRequest(api, { headers: { authorization: `Bearer ${token}` } })).status, 200);
      const withQuery = await httpRequest(`${open.base}/runs/${runId}?token=${token}`);
      assert.equal(withQuery.status, 303);
      assert.equal(withQuery.headers.location, `/runs/${runId}`);
      const cookie = String(withQuery.headers['set-cookie']).split(';')[0]!;
      assert.match(String(withQuery.headers['set-cookie']), /HttpOnly; SameSite=Strict/);
      assert.equal((await httpRequest(api, { headers: { cookie } })).status, 200);
      const events = await readEvents(`${open.base}/api/runs/${runId}/events`, (got) => got.length > 0, {
        headers: { cookie },
      });
      assert.equal(events.events[0]!.id, 0);
    } finally {
      await open.stop();
    }
  });

  it('turns the actions off with --read-only', async () => {
    const readOnly = await startServe(['--read-only'], { cwd: project.directory, env: ENV });
    try {
      const stop = await httpRequest(`${readOnly.base}/api/runs/${runId}/stop`, { method: 'POST' });
      assert.equal(stop.status, 403);
      const run = JSON.parse((await httpRequest(`${readOnly.base}/api/runs/${runId}`)).body);
      assert.equal(run.read_only, true);
    } finally {
      await readOnly.stop();
    }
  });

  it('never sends the secret echoed into a tool result, even one stored unscrubbed', async () => {
    // As a run recorded before stored text was scrubbed would hold it: the dashboard's own scrubbing must catch it.
    const database = new Database(join(project.directory, 'work', '.mux-swarm', 'state.db'));
    const planted = database
      .prepare(`UPDATE events SET json = replace(json, '[REDACTED]', ?) WHERE run_id = ? AND json LIKE '%[REDACTED]%'`)
      .run(SERVICE_TOKEN, runId).changes;
    database.prepare(`UPDATE runs SET goal_name = goal_name || ' ' || ? WHERE id = ?`).run(SERVICE_TOKEN, runId);
    database.close();
    assert.ok(planted > 0, 'the secret is in the stored events now');
    const run = JSON.parse((await get(`/api/runs/${runId}`)).body);
    assert.equal(run.run.goal_name, 'Notes [REDACTED]');
    const events = await readEvents(`${serve.base}/api/runs/${runId}/events`, (got) =>
      got.some((streamed) => streamed.event.type === 'result'),
    );
    bodies.push(events.raw);
    assert.match(events.raw, /token is \[REDACTED\]/, 'the shell result was streamed, scrubbed');
    bodies.push((await get(`/api/runs/${runId}/events.json`)).body);
    for (const path of ['/', `/runs/${runId}`, '/memory', '/api/runs', '/api/memory', '/api/memory?q=token'])
      await get(path);
    assert.ok(bodies.length > 20);
    for (const body of bodies) assert.ok(!body.includes(SERVICE_TOKEN), 'a response held the secret');
  });

  it('refuses a bad port (exit 2) and says so when the port is taken (exit 2)', async () => {
    const bad = await runCli(['serve', '--port', 'eighty'], { cwd: project.directory });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /must be a port number, 0 to 65535/);
    const taken = await runCli(['serve', '--port', new URL(serve.base).port], { cwd: project.directory });
    assert.equal(taken.code, 2, taken.stderr);
    assert.match(taken.stderr, /the dashboard cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\); choose another --port/);
  });
});
