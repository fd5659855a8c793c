import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { readHeartbeat } from '../../src/supervisor/heartbeat.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

const complete = (summary: string) => ({
  toolCalls: [{ name: 'complete', arguments: { status: 'success', summary, artifacts: [] } }],
});

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

describe('mux-swarm watch and run --watchdog, through the built CLI', { timeout: 120_000 }, () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;

  before(async () => {
    server = await startFakeOpenAIServer();
    project = createProjectFixture();
    project.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
    project.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator'),
      agents: [fakeAgent('code', { mcpServers: ['fs'] })],
    });
  });
  afterEach(() => {
    assert.deepEqual(server.unmatched, []);
    server.reset();
  });
  after(async () => {
    await server.close();
    project.remove();
  });

  it('watch -- validate: a clean exit runs the command once and exits 0, passing its output through', async () => {
    const result = await runCli(['watch', '--', 'validate'], { cwd: project.directory });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(occurrences(result.stdout, 'config.json: ok'), 1);
    assert.equal(occurrences(result.stdout, 'swarm.json: ok'), 1);
    assert.doesNotMatch(result.stderr, /mux-swarm watch:/, 'nothing crashed, nothing restarted');
    const watchdogDirectory = join(project.directory, 'work', '.mux-swarm', 'watchdog');
    assert.ok(!existsSync(watchdogDirectory) || readdirSync(watchdogDirectory).length === 0, 'no heartbeat file left');
  });

  it('watch -- validate with a broken config: exit 2, not restarted', async () => {
    const broken = createProjectFixture();
    try {
      broken.write('config.json', { providers: 'none' });
      broken.write('swarm.json', { orchestrator: fakeAgent('orchestrator'), agents: [] });
      const result = await runCli(['watch', '--max-crashes', '3', '--', 'validate'], { cwd: broken.directory });
      assert.equal(result.code, 2, result.stderr);
      assert.equal(occurrences(result.stderr, 'mux-swarm: config.json: providers:'), 1, result.stderr);
      assert.doesNotMatch(result.stderr, /restarting/);
    } finally {
      broken.remove();
    }
  });

  it('watch refuses a duration it cannot read (exit 2) and a goal from stdin (a restart would need it again)', async () => {
    const badDuration = await runCli(['watch', '--crash-window', 'soon', '--', 'validate'], { cwd: project.directory });
    assert.equal(badDuration.code, 2);
    assert.match(badDuration.stderr, /--crash-window "soon" is not a duration; use e\.g\. 90s, 10m or 1h/);

    const stdinGoal = await runCli(['run', '-', '--watchdog'], { cwd: project.directory, stdin: 'Do something.\n' });
    assert.equal(stdinGoal.code, 2);
    assert.match(stdinGoal.stderr, /under the watchdog the goal cannot come from stdin \(-\)/);
    assert.equal(server.chatRequests().length, 0);
  });

  it('run --watchdog runs the same run in a worker process and exits with its code', async () => {
    server.enqueue(complete('done under the watchdog'));
    let supervisorPid = 0;
    const result = await runCli(['run', '--task', 'Say done', '--watchdog', '--output-format', 'stream-json'], {
      cwd: project.directory,
      onSpawn: (child) => (supervisorPid = child.pid!),
    });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; result?: string; run_id: string });
    assert.equal(lines.filter((line) => line.type === 'result').length, 1, 'ran once');
    assert.equal(lines.at(-1)!.result, 'done under the watchdog');

    const database = new Database(join(project.directory, 'work', '.mux-swarm', 'state.db'), { readonly: true });
    try {
      const run = database.prepare('SELECT pid, status FROM runs WHERE id = ?').get(lines.at(-1)!.run_id) as {
        pid: number;
        status: string;
      };
      assert.equal(run.status, 'succeeded');
      assert.notEqual(run.pid, supervisorPid, 'the run happened in a worker, not in the supervisor');
    } finally {
      database.close();
    }
  });

  it('run --watchdog: a worker killed mid-run is restarted, resumes the journaled run and finishes it', async () => {
    const killedProject = createProjectFixture();
    try {
      killedProject.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
      killedProject.write('swarm.json', {
        orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'] }),
        agents: [],
      });
      killedProject.write('goal.md', '# Count\n\nAppend to count.log, then finish.\n');
      server.route(
        { model: 'orchestrator-model' },
        { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'echo once >> count.log' } }] },
        complete('counted after a restart'),
      );
      const result = await runCli(['run', 'goal.md', '--watchdog', '--output-format', 'json'], {
        cwd: killedProject.directory,
        env: { MUX_SWARM_FAIL_AT: 'turn-recorded:1', MUX_SWARM_FAIL_ON_ATTEMPT: '1' },
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /SIGKILL/, 'the watchdog saw the first worker die');
      assert.equal(
        (JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { result: string }).result,
        'counted after a restart',
      );
      assert.equal(
        readFileSync(join(killedProject.directory, 'work', 'count.log'), 'utf8'),
        'once\n',
        'the command ran once over both workers',
      );
      assert.equal(server.chatRequests().length, 2, 'no model call was made twice');
      const database = new Database(join(killedProject.directory, 'work', '.mux-swarm', 'state.db'), {
        readonly: true,
      });
      try {
        assert.deepEqual(database.prepare('SELECT status FROM runs').all(), [{ status: 'succeeded' }]);
        assert.deepEqual(database.prepare('SELECT count(*) AS n FROM run_sessions').get(), { n: 2 });
      } finally {
        database.close();
      }
    } finally {
      killedProject.remove();
    }
  });

  it('run --fresh --watchdog: the restart resumes the run the first worker started, it does not start another', async () => {
    const freshProject = createProjectFixture();
    try {
      freshProject.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
      freshProject.write('swarm.json', {
        orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'] }),
        agents: [],
      });
      freshProject.write('goal.md', '# Count\n\nAppend to count.log, then finish.\n');
      server.reset();
      server.route(
        { model: 'orchestrator-model' },
        { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'echo once >> count.log' } }] },
        complete('counted once, fresh, after a restart'),
      );
      const result = await runCli(['run', 'goal.md', '--fresh', '--watchdog', '--output-format', 'json'], {
        cwd: freshProject.directory,
        env: { MUX_SWARM_FAIL_AT: 'turn-recorded:1', MUX_SWARM_FAIL_ON_ATTEMPT: '1' },
      });
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stderr, /SIGKILL/, 'the first worker died');
      assert.equal(
        readFileSync(join(freshProject.directory, 'work', 'count.log'), 'utf8'),
        'once\n',
        'the work was not done twice',
      );
      assert.equal(server.chatRequests().length, 2);
      const database = new Database(join(freshProject.directory, 'work', '.mux-swarm', 'state.db'), { readonly: true });
      try {
        assert.deepEqual(
          database.prepare('SELECT status FROM runs').all(),
          [{ status: 'succeeded' }],
          'one run, resumed',
        );
        assert.deepEqual(database.prepare('SELECT count(*) AS n FROM run_sessions').get(), { n: 2 });
      } finally {
        database.close();
      }
      const watchdogDirectory = join(freshProject.directory, 'work', '.mux-swarm', 'watchdog');
      const left = existsSync(watchdogDirectory)
        ? readdirSync(watchdogDirectory).filter((name) => name.startsWith('run-'))
        : [];
      assert.deepEqual(left, [], 'the watchdog cleaned its run note');
    } finally {
      freshProject.remove();
    }
  });

  it('run --fresh --watchdog: a worker killed with -9 while a model call hangs is restarted; one run, every command ran once, exit 0', async () => {
    const hungProject = createProjectFixture();
    try {
      hungProject.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
      hungProject.write('swarm.json', {
        orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'] }),
        agents: [],
      });
      hungProject.write('goal.md', '# Count\n\nAppend to count.log, then finish.\n');
      const watchdogDirectory = join(hungProject.directory, 'work', '.mux-swarm', 'watchdog');
      let killed: number | undefined;
      server.route(
        { model: 'orchestrator-model' },
        { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'echo once >> count.log' } }] },
        () => {
          // The second model call hangs; the worker asking it is killed with -9 while it waits.
          const beat = readdirSync(watchdogDirectory)
            .filter((name) => name.startsWith('heartbeat-'))
            .map((name) => readHeartbeat(join(watchdogDirectory, name)))
            .find((found) => found !== undefined);
          killed = beat?.pid;
          if (killed !== undefined) process.kill(killed, 'SIGKILL');
          return { delayMs: 30_000, ...complete('too late') };
        },
        complete('counted once, after a kill during a model call'),
      );
      const result = await runCli(['run', 'goal.md', '--fresh', '--watchdog', '--output-format', 'json'], {
        cwd: hungProject.directory,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.notEqual(killed, undefined, 'the hanging call found the worker to kill');
      assert.match(result.stderr, /SIGKILL/, 'the watchdog saw the worker die');
      assert.equal(
        (JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { result: string }).result,
        'counted once, after a kill during a model call',
      );
      assert.equal(
        readFileSync(join(hungProject.directory, 'work', 'count.log'), 'utf8'),
        'once\n',
        'the journaled command ran once',
      );
      const database = new Database(join(hungProject.directory, 'work', '.mux-swarm', 'state.db'), { readonly: true });
      try {
        assert.deepEqual(database.prepare('SELECT status FROM runs').all(), [{ status: 'succeeded' }], 'one run');
        assert.deepEqual(
          database.prepare("SELECT count(*) AS n FROM tool_calls WHERE name = 'shell__run_command'").get(),
          { n: 1 },
        );
      } finally {
        database.close();
      }
    } finally {
      hungProject.remove();
    }
  });

  it('run --fresh --watchdog --retry-outage: a provider down for a while is waited out and the run resumed, the command not run again', async () => {
    const outageProject = createProjectFixture();
    try {
      outageProject.write(
        'config.json',
        fakeConfig(server.baseURL, {
          filesystem: { workdir: 'work' },
          providers: { fake: { baseURL: server.baseURL, maxRetries: 0, timeoutMs: 20_000 } },
        }),
      );
      outageProject.write('swarm.json', {
        orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'] }),
        agents: [],
      });
      outageProject.write('goal.md', '# Count\n\nAppend to count.log, then finish.\n');
      const down = { error: { status: 503, message: 'service unavailable' } };
      server.route(
        { model: 'orchestrator-model' },
        { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'echo once >> count.log' } }] },
        down, // the first worker stops on this (exit 75)
        down, // and the first resumed one too
        complete('counted once, after the outage'),
      );
      const result = await runCli(
        ['run', 'goal.md', '--fresh', '--watchdog', '--retry-outage', '30s', '--output-format', 'json'],
        { cwd: outageProject.directory },
      );
      assert.equal(result.code, 0, result.stderr);
      assert.equal(
        occurrences(result.stderr, 'its model provider is down (exit 75); resuming it in'),
        2,
        result.stderr,
      );
      assert.equal(
        (JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { result: string }).result,
        'counted once, after the outage',
      );
      assert.equal(readFileSync(join(outageProject.directory, 'work', 'count.log'), 'utf8'), 'once\n');
      const database = new Database(join(outageProject.directory, 'work', '.mux-swarm', 'state.db'), {
        readonly: true,
      });
      try {
        assert.deepEqual(
          database.prepare('SELECT status FROM runs').all(),
          [{ status: 'succeeded' }],
          'one run, resumed twice',
        );
        assert.deepEqual(database.prepare('SELECT count(*) AS n FROM run_sessions').get(), { n: 3 });
      } finally {
        database.close();
      }
    } finally {
      outageProject.remove();
    }
  });

  it('an outage that outlasts --retry-outage ends the watchdog with exit 75, the run still resumable; --retry-outage without --watchdog is refused (exit 2)', async () => {
    const outageProject = createProjectFixture();
    try {
      outageProject.write(
        'config.json',
        fakeConfig(server.baseURL, {
          filesystem: { workdir: 'work' },
          providers: { fake: { baseURL: server.baseURL, maxRetries: 0, timeoutMs: 20_000 } },
        }),
      );
      outageProject.write('swarm.json', { orchestrator: fakeAgent('orchestrator'), agents: [] });
      outageProject.write('goal.md', '# Wait\n\nNothing.\n');
      const down = { error: { status: 503, message: 'service unavailable' } };
      server.route({ model: 'orchestrator-model' }, down, down, down, down, down, down, down, down);
      const refused = await runCli(['run', 'goal.md', '--retry-outage', '1s'], { cwd: outageProject.directory });
      assert.equal(refused.code, 2);
      assert.match(refused.stderr, /--retry-outage needs --watchdog/);
      const result = await runCli(
        ['watch', '--retry-outage', '1s', '--', 'run', 'goal.md', '--output-format', 'json'],
        { cwd: outageProject.directory },
      );
      assert.equal(result.code, 75, result.stderr);
      assert.match(result.stderr, /the provider outage outlasted --retry-outage 1 s; the run stays resumable/);
      const tries = server.chatRequests().length;
      assert.ok(tries >= 2 && tries <= 8, `tried ${tries} times within the patience`);
      const database = new Database(join(outageProject.directory, 'work', '.mux-swarm', 'state.db'), {
        readonly: true,
      });
      try {
        assert.deepEqual(database.prepare('SELECT status, subtype FROM runs').all(), [
          { status: 'interrupted', subtype: 'error_provider_outage' },
        ]);
      } finally {
        database.close();
      }
      server.reset();
    } finally {
      outageProject.remove();
    }
  });

  it('run beats into MUX_SWARM_HEARTBEAT_FILE while it runs', async () => {
    server.enqueue({ ...complete('slow answer'), delayMs: 400 });
    const heartbeatFile = join(project.directory, 'beat.json');
    let runPid = 0;
    const result = await runCli(['run', '--task', 'Answer slowly'], {
      cwd: project.directory,
      env: { MUX_SWARM_HEARTBEAT_FILE: heartbeatFile, MUX_SWARM_HEARTBEAT_INTERVAL_MS: '50' },
      onSpawn: (child) => (runPid = child.pid!),
    });
    assert.equal(result.code, 0, result.stderr);
    const beat = readHeartbeat(heartbeatFile);
    assert.ok(
      beat !== undefined,
      `no beat in ${heartbeatFile}: ${existsSync(heartbeatFile) ? readFileSync(heartbeatFile, 'utf8') : 'missing'}`,
    );
    assert.equal(beat.pid, runPid);
  });
});
