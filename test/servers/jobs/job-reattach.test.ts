import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { jobRecordSchema, type JobRecord } from '../../../src/servers/jobs/job-record.js';
import { createShellServer, type ShellServerOptions } from '../../../src/servers/shell/shell-server.js';
import {
  TSX_LOADER,
  fixturePath,
  livingMembersOfGroup,
  waitFor,
  waitUntilGroupGone,
} from '../../fixtures/process-helpers.js';
import { connectTestClient, type McpTestClient } from '../../support/mcp-test-client.js';
import {
  assertNoJobProcessLeft,
  followToEnd,
  jobStatus,
  startedGroups,
  startJob,
  waitJob,
  type JobStatusView,
} from './job-test-helpers.js';

let root: string;
let workdir: string;
const clients: McpTestClient[] = [];
let spillCount = 0;

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mux-swarm-job-reattach-'));
  workdir = path.join(root, 'work');
  await mkdir(workdir, { recursive: true });
});

after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await assertNoJobProcessLeft();
  // A closed server may still be recording how its last jobs ended: retry until the directory stays empty.
  await rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
});

/** A spill directory of its own for each test: one run's directory, shared by the crashed process and the restarted one. */
function newSpillDir(): string {
  spillCount += 1;
  return path.join(root, `spill-${spillCount}`);
}

/** The restarted mux-swarm: a new shell server on the same spill directory. */
async function restart(spillDir: string, overrides: Partial<ShellServerOptions> = {}): Promise<McpTestClient> {
  const server = createShellServer({
    workdir,
    spillDir,
    timeoutMs: 10_000,
    maxOutputChars: 10_000,
    passEnv: [],
    ...overrides,
  });
  const client = await connectTestClient(server, 'job-reattach-test');
  clients.push(client);
  return client;
}

interface StartedInFixture {
  job_id: string;
  pid: number;
}

/**
 * Runs a mux-swarm in a child process that starts these jobs and then dies without closing its server — by
 * SIGKILL, or of an uncaught exception after its process-group registry's exit handler was installed.
 */
async function startJobsThenCrash(
  spillDir: string,
  jobs: { command: string; time_limit_ms?: number; wait_for?: string }[],
  death: 'kill' | 'throw' = 'kill',
): Promise<StartedInFixture[]> {
  const child = spawn(
    process.execPath,
    ['--import', TSX_LOADER, fixturePath('job-owner-crash.ts'), spillDir, workdir, JSON.stringify(jobs), death],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  if (death === 'kill') assert.equal(signal, 'SIGKILL', `the fixture killed itself; stderr: ${stderr}`);
  else assert.equal(code, 1, `the fixture died of its uncaught exception; stderr: ${stderr}`);
  const started = JSON.parse(stdout.trim()) as StartedInFixture[];
  for (const job of started) startedGroups.add(job.pid);
  return started;
}

function onlyJob(jobs: StartedInFixture[]): StartedInFixture {
  assert.equal(jobs.length, 1);
  return jobs[0] as StartedInFixture;
}

async function listJobs(client: McpTestClient): Promise<JobStatusView[]> {
  return (await client.call('list_jobs')).structured?.jobs as JobStatusView[];
}

describe('jobs across a restart of mux-swarm', () => {
  it('re-attaches a running job: same pid, output from before and after the restart, exit code at its end', async () => {
    const spillDir = newSpillDir();
    const goFile = path.join(root, 'go-reattach');
    const job = onlyJob(
      await startJobsThenCrash(spillDir, [
        {
          command: `echo before; while [ ! -e '${goFile}' ]; do sleep 0.05; done; echo after; exit 3`,
          wait_for: 'before',
        },
      ]),
    );
    assert.ok(livingMembersOfGroup(job.pid).includes(job.pid), 'the job outlived the mux-swarm that started it');

    const client = await restart(spillDir);
    const [listed] = await listJobs(client);
    assert.equal(listed?.job_id, job.job_id);
    assert.equal(listed?.pid, job.pid);
    assert.equal(listed?.state, 'running');
    assert.equal(listed?.reattached, true);
    assert.equal(listed?.stdin_open, false);

    const before = await waitJob(client, { job_id: job.job_id, cursor: 0, timeout_ms: 20_000 });
    assert.equal(before.result.output, 'before\n');
    assert.equal(before.result.running, true);

    const input = await client.call('send_job_input', { job_id: job.job_id, text: 'hello\n' });
    assert.equal(input.isError, true);
    assert.match(input.text, /re-attached after a restart: its standard input .* is gone, so no input can be sent/);

    await writeFile(goFile, '');
    const rest = await followToEnd(client, job.job_id, before.result.next_cursor);
    assert.equal(rest.output, 'after\n');
    assert.equal(rest.last.state, 'exited');
    assert.equal(rest.last.exit_code, 3);

    const { outcome, status } = await jobStatus(client, job.job_id);
    assert.equal(status.state, 'exited');
    assert.equal(status.exit_code, 3);
    assert.equal(status.exit_status_unknown, undefined);
    assert.match(outcome.text, /failed: exit code 3/);
    const all = await waitJob(client, { job_id: job.job_id, cursor: 0 });
    assert.equal(all.result.output, 'before\nafter\n', 'one cursor runs through both lives of mux-swarm');

    const next = await startJob(client, { command: 'true' });
    assert.ok(
      Number(next.job_id.split('-')[1]) > Number(job.job_id.split('-')[1]),
      'ids continue after the recorded ones',
    );
    await followToEnd(client, next.job_id);
  });

  it('keeps jobs running when mux-swarm dies of an uncaught exception, whose exit handler kills other groups', async () => {
    const spillDir = newSpillDir();
    const job = onlyJob(
      await startJobsThenCrash(spillDir, [{ command: 'echo up; sleep 60', wait_for: 'up' }], 'throw'),
    );
    assert.ok(livingMembersOfGroup(job.pid).includes(job.pid), 'the job outlived the crash');
    const client = await restart(spillDir);
    assert.equal((await jobStatus(client, job.job_id)).status.state, 'running');
    await client.call('kill_job', { job_id: job.job_id, grace_ms: 500 });
  });

  it('kills the whole process group of a re-attached job with kill_job, and counts it towards maxJobs', async () => {
    const spillDir = newSpillDir();
    const job = onlyJob(
      await startJobsThenCrash(spillDir, [{ command: 'sleep 60 & sleep 60 & echo ready; wait', wait_for: 'ready' }]),
    );
    assert.ok(await waitFor(() => livingMembersOfGroup(job.pid).length >= 4), 'wrapper, shell and both sleeps run');

    const client = await restart(spillDir, { maxJobs: 1 });
    const refused = await client.call('start_job', { argv: ['sleep', '60'] });
    assert.equal(refused.isError, true);
    assert.match(refused.text, new RegExp(`1 job is running.*maxJobs 1.*${job.job_id}`));

    const killed = await client.call('kill_job', { job_id: job.job_id, grace_ms: 500 });
    const status = killed.structured as unknown as JobStatusView;
    assert.equal(status.state, 'killed');
    assert.equal(status.running, false);
    assert.match(killed.text, /was killed with its process group/);
    assert.deepEqual(livingMembersOfGroup(job.pid), [], 'no process of the group survives');
  });

  it('reports the exit code of a job that ended while no mux-swarm was attached, from its exit file', async () => {
    const spillDir = newSpillDir();
    const goFile = path.join(root, 'go-unattended');
    const job = onlyJob(
      await startJobsThenCrash(spillDir, [
        {
          command: `echo waiting; while [ ! -e '${goFile}' ]; do sleep 0.05; done; echo done; exit 4`,
          wait_for: 'waiting',
        },
      ]),
    );
    await writeFile(goFile, '');
    assert.deepEqual(await waitUntilGroupGone(job.pid, 10_000), []);
    assert.equal(await readFile(path.join(spillDir, 'jobs', `${job.job_id}.exit`), 'utf8'), '4\n');

    const client = await restart(spillDir);
    const { outcome, status } = await jobStatus(client, job.job_id);
    assert.equal(status.state, 'exited');
    assert.equal(status.exit_code, 4);
    assert.equal(status.reattached, true);
    assert.match(outcome.text, /failed: exit code 4/);
    assert.equal((await waitJob(client, { job_id: job.job_id })).result.output, 'waiting\ndone\n');
  });

  it('says the exit status is unknown when a job ended unattached without an exit file', async () => {
    const spillDir = newSpillDir();
    const job = onlyJob(await startJobsThenCrash(spillDir, [{ command: 'echo up; sleep 60', wait_for: 'up' }]));
    process.kill(-job.pid, 'SIGKILL'); // the wrapper dies with the program: nothing records the end
    assert.deepEqual(await waitUntilGroupGone(job.pid, 10_000), []);

    const client = await restart(spillDir);
    const { outcome, status } = await jobStatus(client, job.job_id);
    assert.equal(status.state, 'exited');
    assert.equal(status.exit_code, null);
    assert.equal(status.exit_status_unknown, true);
    assert.match(outcome.text, /ended while mux-swarm was not running; exit status unknown/);
  });

  it('does not take a recorded pid that now belongs to another process for the job, nor signal it', async () => {
    const spillDir = newSpillDir();
    const job = onlyJob(await startJobsThenCrash(spillDir, [{ command: 'echo up; sleep 60', wait_for: 'up' }]));
    process.kill(-job.pid, 'SIGKILL');
    assert.deepEqual(await waitUntilGroupGone(job.pid, 10_000), []);

    // Another process now has the recorded pid: fake it with a live process and a start time that is not its own.
    const other = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
    const otherPid = other.pid as number;
    startedGroups.add(otherPid);
    const recordFile = path.join(spillDir, 'jobs', `${job.job_id}.job.json`);
    const record: JobRecord = jobRecordSchema.parse(JSON.parse(await readFile(recordFile, 'utf8')));
    await writeFile(recordFile, JSON.stringify({ ...record, pid: otherPid, processStartTime: '1' }));
    try {
      const client = await restart(spillDir);
      const { status } = await jobStatus(client, job.job_id);
      assert.equal(status.running, false, 'the other process is not taken for the job');
      assert.equal(status.exit_status_unknown, true);
      assert.ok(livingMembersOfGroup(otherPid).includes(otherPid), 'the other process was not signalled');
      const again = await client.call('kill_job', { job_id: job.job_id });
      assert.match(again.text, /had already ended/);
      assert.ok(livingMembersOfGroup(otherPid).includes(otherPid));
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('keeps the time limit of a re-attached job: its deadline is in the record', async () => {
    const spillDir = newSpillDir();
    const job = onlyJob(
      await startJobsThenCrash(spillDir, [{ command: 'echo up; sleep 60', time_limit_ms: 1_500, wait_for: 'up' }]),
    );
    const client = await restart(spillDir);
    const { last } = await followToEnd(client, job.job_id);
    assert.equal(last.state, 'timed_out');
    assert.deepEqual(livingMembersOfGroup(job.pid), []);
  });

  it('kills re-attached jobs when the restarted server is closed in an orderly way', async () => {
    const spillDir = newSpillDir();
    const job = onlyJob(
      await startJobsThenCrash(spillDir, [{ command: 'sleep 60 & echo ready; wait', wait_for: 'ready' }]),
    );
    const client = await restart(spillDir);
    assert.equal((await jobStatus(client, job.job_id)).status.running, true);
    await client.close();
    assert.deepEqual(await waitUntilGroupGone(job.pid, 10_000), []);
    const recordFile = path.join(spillDir, 'jobs', `${job.job_id}.job.json`);
    const readRecord = (): JobRecord => jobRecordSchema.parse(JSON.parse(readFileSync(recordFile, 'utf8')));
    assert.ok(await waitFor(() => readRecord().end !== undefined, 10_000), 'the end is recorded');
    assert.equal(readRecord().end?.state, 'killed', 'the record says how it ended, for the next restart');
  });
});
