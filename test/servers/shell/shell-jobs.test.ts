import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createShellServer, type ShellServerOptions } from '../../../src/servers/shell/shell-server.js';
import { trackedProcessGroups } from '../../../src/supervisor/process-group-registry.js';
import { livingMembersOfGroup, waitFor, waitUntilGroupGone } from '../../fixtures/process-helpers.js';
import { connectTestClient, type McpTestClient } from '../../support/mcp-test-client.js';
import {
  assertNoJobProcessLeft,
  followToEnd,
  jobStatus,
  startJob,
  waitJob,
  type JobStatusView,
} from '../jobs/job-test-helpers.js';

let root: string;
let workdir: string;
let spillDir: string;
const clients: McpTestClient[] = [];

before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'mux-swarm-shell-jobs-'));
  workdir = path.join(root, 'work');
  spillDir = path.join(root, 'spill');
  await mkdir(workdir, { recursive: true });
});

after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await assertNoJobProcessLeft();
  // A closed server may still be recording how its last jobs ended: retry until the directory stays empty.
  await rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
});

async function connect(overrides: Partial<ShellServerOptions> = {}): Promise<McpTestClient> {
  const server = createShellServer({
    workdir,
    timeoutMs: 10_000,
    maxOutputChars: 10_000,
    passEnv: [],
    spillDir,
    ...overrides,
  });
  const client = await connectTestClient(server, 'shell-jobs-test');
  clients.push(client);
  return client;
}

describe('shell server jobs', () => {
  it('lists the job tools beside run_command', async () => {
    const client = await connect();
    const names = await client.toolNames();
    for (const name of [
      'run_command',
      'start_job',
      'job_status',
      'wait_job',
      'send_job_input',
      'kill_job',
      'list_jobs',
    ]) {
      assert.ok(names.includes(name), `${name} is listed`);
    }
  });

  it('returns the job id, pid and log paths at once, and wait_job returns only the output after the cursor', async () => {
    const client = await connect();
    const started = await startJob(client, {
      command: 'echo first; read a; echo "second $a"; read b; echo "third $b"',
      name: 'steps',
    });
    assert.match(started.job_id, /^shell-\d+$/);
    assert.equal(started.state, 'running');
    assert.equal(started.name, 'steps');
    assert.equal(started.output_log, path.join(spillDir, 'jobs', `${started.job_id}.output.log`));
    assert.equal(started.reattached, false);
    assert.ok(
      !trackedProcessGroups().includes(started.pid),
      'a running job is not in the registry that kills groups at process exit: it must outlive a crash of mux-swarm',
    );

    const first = await waitJob(client, { job_id: started.job_id, cursor: 0, timeout_ms: 20_000 });
    assert.equal(first.result.output, 'first\n');
    assert.equal(first.result.next_cursor, 6);
    assert.equal(first.result.running, true, 'it returned on output, before the job ended');
    assert.equal(first.result.returned_on, 'output');
    assert.match(first.outcome.text, /cursor 6/);

    await client.call('send_job_input', { job_id: started.job_id, text: 'A\n' });
    const second = await waitJob(client, {
      job_id: started.job_id,
      cursor: first.result.next_cursor,
      timeout_ms: 20_000,
    });
    assert.equal(second.result.cursor, 6);
    assert.equal(second.result.output, 'second A\n', 'only the new output, not "first" again');
    assert.equal(second.result.next_cursor, 15);

    const sent = await client.call('send_job_input', { job_id: started.job_id, text: 'B\n', close_stdin: true });
    assert.equal(sent.structured?.delivered, true);
    assert.equal(sent.structured?.stdin_open, false);
    const rest = await followToEnd(client, started.job_id, second.result.next_cursor);
    assert.equal(rest.output, 'third B\n');
    assert.equal(rest.last.state, 'exited');
    assert.equal(rest.last.exit_code, 0);
    assert.equal(await readFile(started.output_log, 'utf8'), 'first\nsecond A\nthird B\n');
  });

  it('feeds send_job_input lines to a read loop and reports stdin closed afterwards', async () => {
    const client = await connect();
    const job = await startJob(client, {
      command: 'while read line; do echo "got:$line"; echo "err:$line" >&2; done; echo done',
    });
    await client.call('send_job_input', { job_id: job.job_id, text: 'one\ntwo\n' });
    await client.call('send_job_input', { job_id: job.job_id, text: 'three\n', close_stdin: true });
    const { output, last } = await followToEnd(client, job.job_id);
    assert.equal(
      output
        .split('\n')
        .filter((line) => line.startsWith('got:'))
        .join(','),
      'got:one,got:two,got:three',
    );
    assert.equal(last.exit_code, 0);
    assert.equal(
      await readFile(job.output_log, 'utf8'),
      'got:one\nerr:one\ngot:two\nerr:two\ngot:three\nerr:three\ndone\n',
      'stdout and stderr land in the one log in the order they were written',
    );

    const refused = await client.call('send_job_input', { job_id: job.job_id, text: 'four\n' });
    assert.equal(refused.isError, true);
    assert.match(refused.text, /standard input is closed/);
  });

  it('returns from wait_job as soon as the job exits, with its exit code', async () => {
    const client = await connect();
    const job = await startJob(client, { command: 'echo bye >&2; exit 7' });
    let result = (await waitJob(client, { job_id: job.job_id, timeout_ms: 45_000 })).result;
    if (result.running)
      result = (await waitJob(client, { job_id: job.job_id, cursor: result.next_cursor, timeout_ms: 45_000 })).result;
    assert.equal(result.running, false);
    assert.equal(result.returned_on, 'ended', 'not the timeout');
    assert.equal(result.state, 'exited');
    assert.equal(result.exit_code, 7);
    const { outcome, status } = await jobStatus(client, job.job_id);
    assert.equal(status.exit_code, 7);
    assert.equal(status.output_bytes, 4);
    assert.equal(status.tail, 'bye\n');
    assert.match(outcome.text, /failed: exit code 7/);
  });

  it('returns from wait_job at the timeout when nothing comes, and a cancelled wait leaves the job running', async () => {
    const client = await connect();
    const job = await startJob(client, { argv: ['sleep', '60'] });
    const quiet = await waitJob(client, { job_id: job.job_id, timeout_ms: 100 });
    assert.equal(quiet.result.returned_on, 'timeout');
    assert.equal(quiet.result.output, '');
    assert.equal(quiet.result.next_cursor, 0);
    assert.equal(quiet.result.running, true);
    assert.match(quiet.outcome.text, /No new output in 100 ms/);

    const controller = new AbortController();
    const call = client.call('wait_job', { job_id: job.job_id, timeout_ms: 45_000 }, { signal: controller.signal });
    const rejected = assert.rejects(call);
    controller.abort();
    await rejected;
    const { status } = await jobStatus(client, job.job_id);
    assert.equal(status.running, true, 'cancelling the wait does not stop the job');
    assert.ok(livingMembersOfGroup(job.pid).length > 0);
    await client.call('kill_job', { job_id: job.job_id, grace_ms: 500 });
  });

  it('kills the whole process group with kill_job, escalating to SIGKILL when SIGTERM is ignored', async () => {
    const client = await connect();
    const polite = await startJob(client, { command: 'sleep 60 & sleep 60 & echo ready; wait' });
    assert.ok(await waitFor(() => livingMembersOfGroup(polite.pid).length >= 3), 'the shell and both sleeps run');
    const killed = await client.call('kill_job', { job_id: polite.job_id });
    const status = killed.structured as unknown as JobStatusView;
    assert.equal(status.state, 'killed');
    assert.equal(status.running, false);
    assert.match(killed.text, /was killed with its process group/);
    assert.deepEqual(livingMembersOfGroup(polite.pid), [], 'no process of the group survives');

    const stubborn = await startJob(client, { command: 'trap "" TERM; sleep 60 & sleep 60 & echo ready; wait' });
    assert.ok(await waitFor(() => livingMembersOfGroup(stubborn.pid).length >= 3));
    const forced = (await client.call('kill_job', { job_id: stubborn.job_id, grace_ms: 200 }))
      .structured as unknown as JobStatusView;
    assert.equal(forced.state, 'killed');
    assert.equal(forced.signal, 'SIGKILL');
    assert.deepEqual(livingMembersOfGroup(stubborn.pid), []);

    const again = await client.call('kill_job', { job_id: stubborn.job_id });
    assert.match(again.text, /had already ended/);
  });

  it('stops processes a job leaves behind when its leader exits', async () => {
    const client = await connect();
    const job = await startJob(client, { command: 'sleep 60 & echo started' });
    const { last } = await followToEnd(client, job.job_id);
    assert.equal(last.exit_code, 0);
    const { status } = await jobStatus(client, job.job_id);
    assert.equal(status.background_processes_stopped, true);
    assert.deepEqual(livingMembersOfGroup(job.pid), []);
  });

  it('kills a job at its time limit', async () => {
    const client = await connect();
    const job = await startJob(client, { argv: ['sleep', '60'], time_limit_ms: 200 });
    const { result } = await waitJob(client, { job_id: job.job_id, timeout_ms: 45_000 });
    assert.equal(result.returned_on, 'ended');
    assert.equal(result.state, 'timed_out');
    assert.deepEqual(livingMembersOfGroup(job.pid), []);
  });

  it('refuses a job beyond maxJobs until one ends', async () => {
    const client = await connect({ maxJobs: 2 });
    const first = await startJob(client, { argv: ['sleep', '60'] });
    await startJob(client, { argv: ['sleep', '60'] });
    const refused = await client.call('start_job', { argv: ['sleep', '60'] });
    assert.equal(refused.isError, true);
    assert.match(refused.text, /2 jobs are running.*maxJobs 2/);
    assert.match(refused.text, new RegExp(`${first.job_id} \\(sleep 60\\)`));

    await client.call('kill_job', { job_id: first.job_id, grace_ms: 500 });
    const third = await startJob(client, { argv: ['sleep', '60'] });
    const listed = await client.call('list_jobs');
    const jobs = listed.structured?.jobs as JobStatusView[];
    assert.deepEqual(
      jobs.map((job) => job.state),
      ['killed', 'running', 'running'],
    );
    assert.equal(listed.structured?.running, 2);
    assert.equal(jobs[2]?.job_id, third.job_id);
  });

  it('kills running jobs, their children included, when the server closes', async () => {
    const client = await connect();
    const one = await startJob(client, { command: 'sleep 60 & sleep 60; wait' });
    const two = await startJob(client, { command: 'while :; do sleep 1; done' });
    assert.ok(
      await waitFor(() => livingMembersOfGroup(one.pid).length >= 3 && livingMembersOfGroup(two.pid).length >= 1),
    );
    await client.close();
    assert.deepEqual(await waitUntilGroupGone(one.pid, 5_000), []);
    assert.deepEqual(await waitUntilGroupGone(two.pid, 5_000), []);
  });

  it('cuts long new output to head and tail, naming the log that holds all of it', async () => {
    const client = await connect({ maxOutputChars: 1_000 });
    const job = await startJob(client, { command: 'seq 1 20000' });
    await followToEnd(client, job.job_id);
    const { outcome, result } = await waitJob(client, { job_id: job.job_id, cursor: 0 });
    const full = Array.from({ length: 20_000 }, (_, index) => `${index + 1}\n`).join('');
    assert.equal(result.output_truncated, true);
    assert.equal(result.next_cursor, full.length);
    assert.equal(result.cut_bytes, full.length - 1_000);
    assert.ok(result.output.startsWith('1\n2\n3\n'), 'head kept');
    assert.ok(result.output.endsWith('19999\n20000\n'), 'tail kept');
    assert.ok(result.output.length < 1_300);
    assert.ok(outcome.text.includes(job.output_log), 'the text names the log file');
    assert.equal(await readFile(job.output_log, 'utf8'), full);

    // A cursor far behind the in-memory tail is read back from the log file.
    const middle = await waitJob(client, { job_id: job.job_id, cursor: full.indexOf('5000\n') });
    assert.ok(middle.result.output.startsWith('5000\n5001\n'));
  });

  it('never splits a multi-byte character at a cut or a cursor', async () => {
    const client = await connect({ maxOutputChars: 101 });
    const job = await startJob(client, { argv: ['printf', `${'é'.repeat(600)}\\n`] });
    await followToEnd(client, job.job_id);
    const { result } = await waitJob(client, { job_id: job.job_id, cursor: 0 });
    assert.equal(result.output_truncated, true);
    assert.ok(!result.output.includes('\uFFFD'), 'no replacement character');
    assert.match(result.output, /^é+\n\[… \d+ bytes of output cut/);
    const fromOddCursor = await waitJob(client, { job_id: job.job_id, cursor: 1_151 });
    assert.ok(!fromOddCursor.result.output.includes('\uFFFD'));
    assert.match(fromOddCursor.result.output, /^é+\n$/);
  });

  it('applies the allow-list, the cwd check and the minimal environment to jobs', async () => {
    process.env.FAKE_JOB_SECRET = 'sk-job-should-not-leak';
    try {
      const client = await connect({ allowedCommands: ['echo', 'sh'] });
      const refused = await client.call('start_job', { argv: ['rm', '-rf', '.'] });
      assert.equal(refused.isError, true);
      assert.match(refused.text, /Not allowed by the shell server's allowedCommands: "rm"/);
      const outside = await client.call('start_job', { command: 'echo hi', cwd: '..' });
      assert.match(outside.text, /outside the workdir/);
      assert.deepEqual((await client.call('list_jobs')).structured?.jobs, [], 'nothing was started');

      const job = await startJob(client, { command: 'echo "[$FAKE_JOB_SECRET]"' });
      assert.equal((await followToEnd(client, job.job_id)).output, '[]\n');
    } finally {
      delete process.env.FAKE_JOB_SECRET;
    }
  });

  it('reports unknown job ids, a cursor past the end and a missing program as errors', async () => {
    const client = await connect();
    for (const tool of ['job_status', 'wait_job', 'kill_job', 'send_job_input']) {
      const outcome = await client.call(tool, { job_id: 'shell-999', text: 'x' });
      assert.equal(outcome.isError, true, tool);
      assert.match(outcome.text, /No job "shell-999" on the shell server/);
    }
    const job = await startJob(client, { command: 'echo abc' });
    await followToEnd(client, job.job_id);
    const past = await client.call('wait_job', { job_id: job.job_id, cursor: 100 });
    assert.equal(past.isError, true);
    assert.match(past.text, /Cursor 100 is past the end of job shell-\d+'s output \(4 bytes so far\)/);

    const missing = await client.call('start_job', { argv: ['mux-swarm-no-such-program'] });
    assert.equal(missing.isError, true);
    assert.match(missing.text, /"mux-swarm-no-such-program" was not found/);
  });
});
