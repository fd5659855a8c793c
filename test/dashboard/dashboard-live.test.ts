import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { httpRequest, readEvents, startServe, waitFor, type ServeProcess } from '../support/dashboard-client.js';

const COMPLETE = {
  toolCalls: [
    { name: 'complete', arguments: { status: 'success', summary: 'finished after the resume', artifacts: [] } },
  ],
};

/** A run in another process: one shell call, then a reply the fake model holds for a minute (until stopped). */
function scriptSlowRun(server: FakeOpenAIServer): void {
  server.reset();
  server.route(
    { model: 'orchestrator-model' },
    { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'echo step one' } }] },
    { delayMs: 60_000, content: 'never answered' },
    COMPLETE,
  );
}

describe('the dashboard over a live run in another process', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;
  let serve: ServeProcess;

  before(async () => {
    server = await startFakeOpenAIServer();
    project = createProjectFixture('mux-swarm-dashboard-live-');
    project.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
    project.write('swarm.json', { orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'] }), agents: [] });
    project.write('goal.md', '# Step\n\nRun one step, then think it over.\n');
    // Started before any run: the pages are empty until the run creates the database.
    serve = await startServe([], { cwd: project.directory });
  });
  after(async () => {
    await serve?.stop();
    await server.close();
    project.remove();
  });

  it('shows the run as it goes, streams its events live, stops it (exit 130) and resumes it to the end', async () => {
    assert.deepEqual(JSON.parse((await httpRequest(`${serve.base}/api/runs`)).body), { runs: [] });
    scriptSlowRun(server);
    const running = runCli(['run', 'goal.md', '--output-format', 'stream-json'], {
      cwd: project.directory,
      env: { MUX_SWARM_PULSE_MS: '300' },
      timeoutMs: 120_000,
    });
    const runId = await waitFor('the run to be listed as running', async () => {
      const { runs } = JSON.parse((await httpRequest(`${serve.base}/api/runs`)).body);
      return runs[0]?.status === 'running' ? (runs[0].id as string) : undefined;
    });
    // The shell result arrives over the stream while the model's next reply is held: the run is live.
    const live = await readEvents(`${serve.base}/api/runs/${runId}/events`, (events) =>
      events.some((streamed) => streamed.event.type === 'heartbeat' && streamed.event.seq > 3),
    );
    const types = live.events.map((streamed) => streamed.event.type);
    assert.equal(types[0], 'system');
    assert.ok(types.includes('user'), 'the tool result was streamed');
    assert.ok(!types.includes('result'), 'the run had not ended');
    assert.deepEqual(
      live.events.map((streamed) => streamed.id),
      live.events.map((_, index) => index),
      'in order, none missing',
    );
    // Heartbeats every 300 ms: how long from the worker writing one to it arriving here (reported, not asserted).
    const arrived = Date.now();
    const lastBeat = live.events.filter((streamed) => streamed.event.type === 'heartbeat').at(-1)!;
    console.log(
      `last heartbeat arrived ${arrived - Date.parse(String(lastBeat.event.timestamp))} ms after it was written`,
    );

    for (const path of ['/', `/runs/${runId}`, '/memory', `/static/run.js`])
      assert.equal((await httpRequest(`${serve.base}${path}`)).status, 200, path);
    const details = JSON.parse((await httpRequest(`${serve.base}/api/runs/${runId}`)).body);
    assert.equal(details.run.status, 'running');
    assert.equal(details.driven, true);
    assert.equal(details.delegations[0].agent, 'orchestrator');
    assert.equal(details.delegations[0].status, null, 'the orchestrator is still at work');

    const resumeWhileLive = await httpRequest(`${serve.base}/api/runs/${runId}/resume`, { method: 'POST' });
    assert.equal(resumeWhileLive.status, 409, 'a live run is not resumed twice');
    const stop = await httpRequest(`${serve.base}/api/runs/${runId}/stop`, {
      method: 'POST',
      headers: { origin: serve.base },
    });
    assert.equal(stop.status, 202, stop.body);
    const stopped: CliResult = await running;
    assert.equal(stopped.code, 130, stopped.stderr);
    const afterStop = JSON.parse((await httpRequest(`${serve.base}/api/runs/${runId}`)).body);
    assert.equal(afterStop.run.subtype, 'error_interrupted');
    assert.equal(afterStop.run.exit_code, 130);
    assert.equal(afterStop.driven, false);

    const resume = await httpRequest(`${serve.base}/api/runs/${runId}/resume`, { method: 'POST' });
    assert.equal(resume.status, 202, resume.body);
    const finished = await waitFor(
      'the resumed run to succeed',
      async () => {
        const run = JSON.parse((await httpRequest(`${serve.base}/api/runs/${runId}`)).body).run;
        return run.status === 'succeeded' ? run : undefined;
      },
      90_000,
    );
    assert.equal(finished.exit_code, 0);
    assert.equal(finished.result, 'finished after the resume');
    assert.ok(existsSync(join(project.directory, 'work', '.mux-swarm', 'runs', runId, 'dashboard-resume.log')));
    const all = await readEvents(
      `${serve.base}/api/runs/${runId}/events`,
      (events) => events.filter((streamed) => streamed.event.type === 'result').length === 2,
    );
    assert.deepEqual(
      all.events.filter((streamed) => streamed.event.type === 'result').map((streamed) => streamed.event.subtype),
      ['error_interrupted', 'success'],
      'both sessions, in one stream',
    );
    assert.equal(server.pendingResponses(), 0);
  });

  it('run --serve serves the dashboard from inside the run, whose stop ends it with exit 130', async () => {
    scriptSlowRun(server);
    let stderr = '';
    const running = runCli(['run', 'goal.md', '--fresh', '--serve', '0'], {
      cwd: project.directory,
      timeoutMs: 120_000,
      onSpawn: (child) => child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8'))),
    });
    const base = await waitFor(
      'the dashboard address',
      async () => /mux-swarm dashboard: (http:\/\/\S+)\//.exec(stderr)?.[1],
    );
    const runId = await waitFor('the new run to be driven', async () => {
      const { runs } = JSON.parse((await httpRequest(`${base}/api/runs`)).body);
      const newest = runs[0];
      if (!newest || newest.status !== 'running') return undefined;
      const details = JSON.parse((await httpRequest(`${base}/api/runs/${newest.id}`)).body);
      return details.driven && details.delegations.length > 0 ? (newest.id as string) : undefined;
    });
    assert.equal((await httpRequest(`${base}/runs/${runId}`)).status, 200);
    const stop = await httpRequest(`${base}/api/runs/${runId}/stop`, { method: 'POST' });
    assert.equal(stop.status, 202, stop.body);
    const stopped = await running;
    assert.equal(stopped.code, 130, stopped.stderr);
    await assert.rejects(httpRequest(`${base}/api/runs`), 'the dashboard stopped with the run');
  });
});
