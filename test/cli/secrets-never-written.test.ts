import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { extract } from 'tar';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, type ProjectFixture } from '../support/project-fixture.js';
import { runCli, type CliResult } from '../support/run-cli.js';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function randomText(length: number): string {
  return Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');
}

/** Fresh for every run of the test, so that no file can hold them by accident. */
const SERVICE_TOKEN = `sk-live-${randomText(40)}`;
const DATABASE_PASSWORD = randomText(24);
const DATABASE_URL = `postgres://u:${DATABASE_PASSWORD}@h/db`;
const PROVIDER_KEY = `sk-or-v1-${randomText(48)}`;
const PLANTED = {
  MY_SERVICE_TOKEN: SERVICE_TOKEN,
  DATABASE_URL: DATABASE_PASSWORD,
  FAKE_PROVIDER_API_KEY: PROVIDER_KEY,
};

/** Every file under `directory`, with its path. */
function filesUnder(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** The planted secrets `text` holds, by variable name. */
function plantedIn(text: string): string[] {
  return Object.entries(PLANTED).flatMap(([name, value]) => (text.includes(value) ? [name] : []));
}

/** A job's own output log: the file the job's stdout and stderr are, written by the job, not by mux-swarm. */
const JOB_OUTPUT_LOG = /\/spill\/jobs\/(?:shell|python)-\d+\.output\.log$/;

describe('secrets planted in the environment are never stored, exported or sent to the model', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;
  let home: string;
  let unpacked: string;
  const env = { MY_SERVICE_TOKEN: SERVICE_TOKEN, DATABASE_URL, FAKE_PROVIDER_API_KEY: PROVIDER_KEY, HOME: '' };

  before(async () => {
    server = await startFakeOpenAIServer({ requireApiKey: PROVIDER_KEY });
    project = createProjectFixture();
    home = mkdtempSync(join(tmpdir(), 'mux-swarm-secrets-home-'));
    unpacked = mkdtempSync(join(tmpdir(), 'mux-swarm-secrets-export-'));
    env.HOME = home;
    // The test passes every planted variable to shell and python on purpose: what is passed must still be scrubbed.
    const passEnv = ['MY_SERVICE_TOKEN', 'DATABASE_URL', 'FAKE_PROVIDER_API_KEY'];
    project.write('config.json', {
      providers: {
        fake: { baseURL: server.baseURL, apiKeyEnv: 'FAKE_PROVIDER_API_KEY', maxRetries: 1, timeoutMs: 20_000 },
      },
      mcpServers: {
        fs: { builtin: 'filesystem' },
        shell: { builtin: 'shell', options: { timeoutMs: 20_000, passEnv } },
        python: { builtin: 'python', options: { timeoutMs: 20_000, passEnv } },
        memory: { builtin: 'memory' },
      },
      filesystem: { workdir: 'work' },
    });
    project.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator', { mcpServers: ['fs', 'shell', 'python', 'memory'], maxTurns: 40 }),
      agents: [fakeAgent('helper', { mcpServers: ['fs'] })],
      limits: { maxToolResultChars: 4_000, maxTurns: 40 },
    });
    project.write(
      'goal.md',
      '---\nname: secrets\n---\n# Look around\n\nPrint the environment, run some Python, start jobs.\n',
    );
  });

  after(async () => {
    await server.close();
    project.remove();
    rmSync(home, { recursive: true, force: true });
    rmSync(unpacked, { recursive: true, force: true });
  });

  it('runs env, python (snippet, script, job), a background job, a large result and a failure; then report, show, export, memory export', async () => {
    const call = (name: string, args: Record<string, unknown>) => ({ toolCalls: [{ name, arguments: args }] });
    server.route(
      { model: 'orchestrator-model' },
      call('shell__run_command', { command: 'env' }),
      call('python__run_python', {
        code: 'import os\nfor name in ("MY_SERVICE_TOKEN", "DATABASE_URL", "FAKE_PROVIDER_API_KEY"):\n    print(name, os.environ[name])',
      }),
      call('fs__write_file', {
        path: 'show_env.py',
        content:
          'import os, sys\nprint("token", os.environ["MY_SERVICE_TOKEN"])\nprint("url", os.environ["DATABASE_URL"], file=sys.stderr)\n',
      }),
      call('python__run_python', { script: 'show_env.py' }),
      call('shell__start_job', {
        command:
          'printf "job-token=%s\\njob-url=%s\\njob-key=%s\\n" "$MY_SERVICE_TOKEN" "$DATABASE_URL" "$FAKE_PROVIDER_API_KEY"',
        name: 'printer',
      }),
      call('shell__wait_job', { job_id: 'shell-1', timeout_ms: 20_000 }),
      call('shell__job_status', { job_id: 'shell-1' }),
      call('python__start_job', {
        code: 'import os\nprint("py-job-token=" + os.environ["MY_SERVICE_TOKEN"])\nprint("py-job-url=" + os.environ["DATABASE_URL"])',
      }),
      call('python__wait_job', { job_id: 'python-1', timeout_ms: 20_000 }),
      // Longer than the shell's maxOutputChars (its own spill files) and than maxToolResultChars (the runtime's spill).
      call('shell__run_command', { command: 'env; seq 1 8000; env' }),
      // A failure: failure memory keeps an example of its output in state.db and the user store.
      call('shell__run_command', {
        command:
          'python3 -c "import os, urllib.parse as p; print(\'password:\', p.urlparse(os.environ[\'DATABASE_URL\']).password)"; echo "$MY_SERVICE_TOKEN" >&2; exit 3',
      }),
      call('memory__create_entities', {
        entities: [
          {
            name: 'service token',
            entityType: 'quirk',
            observations: ['the service reads MY_SERVICE_TOKEN from its environment'],
            general: true,
          },
        ],
      }),
      call('complete', { status: 'success', summary: 'looked around', artifacts: [] }),
    );

    const run = await runCli(['run', 'goal.md', '--output-format', 'stream-json'], {
      cwd: project.directory,
      env,
      timeoutMs: 120_000,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(server.unmatched, []);
    assert.equal(server.pendingResponses(), 0, 'every scripted step ran');

    const report = await runCli(['report', 'last', '-o', 'report.md'], { cwd: project.directory, env });
    const reportOut = await runCli(['report', 'last'], { cwd: project.directory, env });
    const show = await runCli(['show', 'last', '--transcript'], { cwd: project.directory, env });
    const showJson = await runCli(['show', 'last', '--transcript', '--json'], { cwd: project.directory, env });
    const exported = await runCli(['export', 'last', '-o', 'run.tar.gz'], { cwd: project.directory, env });
    const memoryExport = await runCli(['memory', 'export', '-o', 'lessons.jsonl'], { cwd: project.directory, env });
    const commands: Array<[string, CliResult]> = [
      ['run', run],
      ['report -o', report],
      ['report', reportOut],
      ['show', show],
      ['show --json', showJson],
      ['export', exported],
      ['memory export', memoryExport],
    ];
    for (const [label, result] of commands) {
      assert.equal(result.code, 0, `${label}: ${result.stderr}`);
      assert.deepEqual(plantedIn(result.stdout), [], `${label} printed a planted secret on stdout`);
      assert.deepEqual(plantedIn(result.stderr), [], `${label} printed a planted secret on stderr`);
    }
    await extract({ file: join(project.directory, 'run.tar.gz'), cwd: unpacked });

    // What the agent saw: the variables exist, their values do not, however the output reached it.
    const requests = server.chatRequests();
    const sent = JSON.stringify(requests.map((request) => request.body));
    assert.deepEqual(plantedIn(sent), [], 'the model received a planted secret');
    for (const seen of [
      'MY_SERVICE_TOKEN=[REDACTED]',
      'DATABASE_URL=postgres://u:[REDACTED]@h/db',
      'FAKE_PROVIDER_API_KEY=[REDACTED]',
      'job-token=[REDACTED]',
      'py-job-token=[REDACTED]',
      'token [REDACTED]',
      'password: [REDACTED]',
    ]) {
      assert.ok(sent.includes(JSON.stringify(seen).slice(1, -1)), `the model saw ${seen}`);
    }
    // The runtime spilled the large result, and the shell its cut output.
    const runFiles = filesUnder(join(project.directory, 'work', '.mux-swarm', 'runs'));
    assert.ok(
      runFiles.some((file) => /\/results\/[^/]+\.txt$/.test(file)),
      'the runtime spilled a large result',
    );
    assert.ok(
      runFiles.some((file) => /\/spill\/shell-[^/]+\.stdout\.txt$/.test(file)),
      'the shell spilled cut output',
    );
    assert.ok(
      runFiles.some((file) => /\/spill\/python\/snippet-[^/]+\.py$/.test(file)),
      'a python snippet was saved',
    );
    assert.ok(
      filesUnder(home).some((file) => file.endsWith('memory.db')),
      'the user store was written',
    );

    // Every file of the project (workdir, state directory, run directory, report, memory export), of the user store
    // and of the unpacked export: only the jobs' own output logs, which the jobs wrote themselves, hold a secret.
    const holding = [project.directory, home, unpacked].flatMap(filesUnder).flatMap((file) => {
      const found = plantedIn(readFileSync(file).toString('latin1'));
      return found.length === 0 ? [] : [`${relative(tmpdir(), file)}: ${found.join(', ')}`];
    });
    const notJobLogs = holding.filter((entry) => !JOB_OUTPUT_LOG.test(entry.split(':')[0]!));
    assert.deepEqual(notJobLogs, [], 'files other than job output logs hold planted secrets');
    const jobLogs = holding.filter((entry) => JOB_OUTPUT_LOG.test(entry.split(':')[0]!));
    assert.equal(
      jobLogs.length,
      2,
      `the shell and python jobs' own logs hold what they printed: ${jobLogs.join('; ')}`,
    );
    assert.ok(
      jobLogs.every((entry) => entry.startsWith(relative(tmpdir(), project.directory))),
      'the export carries scrubbed copies of the job logs',
    );
    const unpackedLogs = filesUnder(unpacked).filter((file) => JOB_OUTPUT_LOG.test(file));
    assert.equal(unpackedLogs.length, 2);
    assert.ok(unpackedLogs.every((file) => readFileSync(file, 'utf8').includes('[REDACTED]')));
  });
});
