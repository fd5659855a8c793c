import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { chromium, type Browser } from 'playwright-core';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { REPOSITORY_ROOT, runCli } from '../support/run-cli.js';
import { trainerCommand } from '../servers/training/training-test-helpers.js';
import { httpRequest, readEvents, startServe, waitFor, type ServeProcess } from '../support/dashboard-client.js';

/** Screenshots a person can look at (gitignored). */
const SHOTS = join(REPOSITORY_ROOT, 'test-output', 'dashboard');

const shell = (command: string) => ({ name: 'shell__run_command', arguments: { command } });

describe('the dashboard in a real browser (headless Chromium)', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;
  let serve: ServeProcess;
  let browser: Browser;
  let release: () => void = () => undefined;

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startFakeOpenAIServer();
    const released = new Promise<void>((resolve) => (release = resolve));
    server.route(
      { model: 'orchestrator-model' },
      { content: 'Starting with step one.', toolCalls: [shell('echo step one')] },
      // Held until the page is open: what it shows next arrives while the page is watching.
      async () => {
        await released;
        return { content: 'Step one done; now step two.', toolCalls: [shell('echo step two')] };
      },
      { delayMs: 60_000, content: 'never answered' },
      { toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'both steps ran', artifacts: [] } }] },
    );
    project = createProjectFixture('mux-swarm-dashboard-browser-');
    project.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
    project.write('swarm.json', { orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'] }), agents: [] });
    project.write('goal.md', '# Two steps\n\nRun step one, then step two.\n');
    serve = await startServe([], { cwd: project.directory });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  });
  after(async () => {
    release();
    await browser?.close();
    await serve?.stop();
    await server.close();
    project.remove();
  });

  it('a live run: the page updates as the model answers; Stop ends the run (exit 130), Resume finishes it', async () => {
    const running = runCli(['run', 'goal.md'], { cwd: project.directory, timeoutMs: 120_000 });
    const runId = await waitFor('the run to start', async () => {
      const { runs } = JSON.parse((await httpRequest(`${serve.base}/api/runs`)).body);
      return runs[0]?.status === 'running' ? (runs[0].id as string) : undefined;
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    // A Content-Security-Policy violation, a failed request or a script error shows as a console error.
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(`${serve.base}/runs/${runId}`);
    await page.locator('.tool-result', { hasText: 'step one' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.tool-result', { hasText: 'step two' }).count(), 0, 'step two had not run yet');
    assert.match((await page.locator('#run-status').textContent()) ?? '', /running/);
    await page.screenshot({ path: join(SHOTS, 'run-live.png'), fullPage: true });

    release();
    await page.locator('.assistant', { hasText: 'Step one done; now step two.' }).waitFor({ timeout: 30_000 });
    await page.locator('.tool-result', { hasText: 'step two' }).waitFor({ timeout: 30_000 });
    await page.locator('#delegations', { hasText: 'orchestrator-model' }).waitFor({ timeout: 30_000 });

    await page.locator('#stop:not([disabled])').click({ timeout: 30_000 });
    const stopped = await running;
    assert.equal(stopped.code, 130, stopped.stderr);
    await page.locator('#run-outcome', { hasText: 'error_interrupted, exit 130' }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'run-stopped.png'), fullPage: true });

    await page.locator('#resume:not([disabled])').click({ timeout: 30_000 });
    await page.waitForSelector('body[data-status="succeeded"]', { timeout: 90_000 });
    await page.locator('.runtime.result', { hasText: 'result: success (exit 0)' }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'run-finished.png'), fullPage: true });

    await page.goto(`${serve.base}/`);
    await page.locator('#runs tr[data-run]', { hasText: 'succeeded' }).waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(SHOTS, 'runs.png'), fullPage: true });
    await page.goto(`${serve.base}/memory`);
    await page.locator('h1', { hasText: 'Memory' }).waitFor();
    assert.deepEqual(problems, [], 'no script or policy error on any page');
    await page.close();
  });

  it('a run page with 5,000 events loads (measured, not asserted)', async () => {
    const database = new Database(join(project.directory, 'work', '.mux-swarm', 'state.db'));
    const runId = database.prepare('SELECT id FROM runs').pluck().get() as string;
    const sample = database
      .prepare(`SELECT type, agent, json FROM events WHERE run_id = ? AND type IN ('assistant', 'user') ORDER BY seq`)
      .all(runId) as Array<{ type: string; agent: string; json: string }>;
    let seq = database.prepare('SELECT max(seq) FROM events WHERE run_id = ?').pluck().get(runId) as number;
    const insert = database.prepare('INSERT INTO events (run_id, seq, type, agent, json) VALUES (?, ?, ?, ?, ?)');
    database.transaction(() => {
      while (seq < 4_999) {
        const row = sample[seq % sample.length]!;
        seq += 1;
        insert.run(runId, seq, row.type, row.agent, JSON.stringify({ ...JSON.parse(row.json), seq }));
      }
    })();
    database.close();
    const apiStarted = Date.now();
    const json = await httpRequest(`${serve.base}/api/runs/${runId}`);
    const apiMs = Date.now() - apiStarted;
    const streamStarted = Date.now();
    const streamed = await readEvents(`${serve.base}/api/runs/${runId}/events`, (events) => events.length === seq + 1);
    const streamMs = Date.now() - streamStarted;
    console.log(
      `5,000 events: /api/runs/<id> ${apiMs} ms (${json.body.length} bytes); the event stream ${streamMs} ms (${streamed.raw.length} bytes)`,
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const started = Date.now();
    await page.goto(`${serve.base}/runs/${runId}`);
    const documentMs = Date.now() - started;
    await page.waitForSelector(`body[data-last-seq="${seq}"]`, { timeout: 60_000 });
    const loadedMs = Date.now() - started;
    // Evaluated in the page (a string: this file is compiled without the DOM's types).
    const timing = await page.evaluate(
      `({ domContentLoaded: Math.round(performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd), now: Math.round(performance.now()), drawing: window.muxSwarmDrawing })`,
    );
    console.log(`document loaded ${documentMs} ms; in the page: ${JSON.stringify(timing)}`);
    const entries = await page.locator('ol.entries li').count();
    console.log(`run page with ${seq + 1} events: drawn in ${loadedMs} ms (${entries} transcript entries)`);
    assert.ok(entries > 0 && entries <= 302, `the newest entries are drawn, the earlier ones wait (${entries})`);
    await page.locator('button.more').first().click();
    assert.ok((await page.locator('ol.entries li').count()) > 4_000, 'and the earlier ones on demand');
    await page.screenshot({ path: join(SHOTS, 'run-5000-events.png') });
    await page.close();
  });

  it('a training job: the loss curve grows on the page while the job runs', async () => {
    const training = createProjectFixture('mux-swarm-dashboard-training-');
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    server.reset();
    const command = trainerCommand('--steps', '40', '--step-seconds', '0.15', '--eval-every', '10');
    server.route(
      { model: 'orchestrator-model' },
      { toolCalls: [{ name: 'training__start', arguments: { command, name: 'live-curve' } }] },
      // Held while the job trains: the page is watched meanwhile.
      async () => {
        await finished;
        return {
          toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'trained', artifacts: [] } }],
        };
      },
    );
    training.write(
      'config.json',
      fakeConfig(server.baseURL, {
        filesystem: { workdir: 'work' },
        mcpServers: { training: { builtin: 'training', options: { progressEventIntervalMs: 0 } } },
      }),
    );
    training.write('swarm.json', { orchestrator: fakeAgent('orchestrator', { mcpServers: ['training'] }), agents: [] });
    training.write('goal.md', '# Train\n\nTrain the model.\n');
    const trainingServe = await startServe([], { cwd: training.directory });
    const running = runCli(['run', 'goal.md'], { cwd: training.directory, timeoutMs: 120_000 });
    try {
      const runId = await waitFor('the run to start', async () => {
        const { runs } = JSON.parse((await httpRequest(`${trainingServe.base}/api/runs`)).body);
        return runs[0]?.id as string | undefined;
      });
      const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
      await page.goto(`${trainingServe.base}/runs/${runId}`);
      const chart = page.locator('#training-chart');
      await chart.waitFor({ timeout: 60_000 });
      const stepOf = async () =>
        Number(/^(\d+)/.exec((await page.locator('#training-jobs td:nth-child(3)').textContent()) ?? '')?.[1] ?? 0);
      const early = { step: await stepOf(), src: await chart.getAttribute('src') };
      await page.screenshot({ path: join(SHOTS, 'training-early.png'), fullPage: true });
      const svgAt = (src: string | null) => httpRequest(`${trainingServe.base}${src}`).then((answer) => answer.body);
      const earlySvg = await svgAt(early.src);
      await waitFor('the job to reach step 40 on the page', async () => ((await stepOf()) >= 40 ? true : undefined));
      await page.waitForFunction(
        `document.querySelector('#training-chart')?.getAttribute('src') !== ${JSON.stringify(early.src)}`,
      );
      const late = { step: await stepOf(), src: await chart.getAttribute('src') };
      const lateSvg = await svgAt(late.src);
      await page.screenshot({ path: join(SHOTS, 'training-late.png'), fullPage: true });
      assert.ok(early.step < 40, `the page showed the job before its end (step ${early.step})`);
      assert.notEqual(late.src, early.src, 'the chart was drawn again');
      assert.ok(lateSvg.length > earlySvg.length, 'with more points');
      assert.match(lateSvg, /eval_loss/);
      await page.close();
      done();
      const ended = await running;
      assert.equal(ended.code, 0, ended.stderr);
    } finally {
      done();
      await trainingServe.stop();
      training.remove();
    }
  });
});
