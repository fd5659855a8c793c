import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPythonServer, type PythonServerOptions } from '../../../src/servers/python/python-server.js';
import { waitUntilGroupGone } from '../../fixtures/process-helpers.js';
import { connectTestClient, type McpTestClient } from '../../support/mcp-test-client.js';
import { assertNoJobProcessLeft, followToEnd, jobStatus, startJob, waitJob } from '../jobs/job-test-helpers.js';

let root: string;
let workdir: string;
let spillDir: string;
const clients: McpTestClient[] = [];

before(async () => {
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'mux-swarm-python-')));
  workdir = path.join(root, 'work');
  spillDir = path.join(root, 'spill');
  await mkdir(path.join(workdir, 'sub'), { recursive: true });
  await writeFile(path.join(workdir, 'sub', 'helper_module.py'), 'VALUE = "imported from the working directory"\n');
  await mkdir(path.join(workdir, 'pipeline'), { recursive: true });
  // A real multi-frame crash: main() → build_batch() → scale(), which raises the TypeError.
  await writeFile(
    path.join(workdir, 'pipeline', 'model_utils.py'),
    [
      'def scale(values, factor):',
      '    return [value * factor for value in values] + factor',
      '',
      '',
      'def build_batch(tokens):',
      '    lengths = [len(token) for token in tokens]',
      '    return scale(lengths, 2)',
      '',
    ].join('\n'),
  );
  await writeFile(
    path.join(workdir, 'pipeline', 'train.py'),
    [
      'from model_utils import build_batch',
      '',
      '',
      'def main():',
      '    print("building the batch")',
      '    batch = build_batch(["a", "bb"])',
      '    print(batch)',
      '',
      '',
      'if __name__ == "__main__":',
      '    main()',
      '',
    ].join('\n'),
  );
});

after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await assertNoJobProcessLeft();
  // A closed server may still be recording how its last jobs ended: retry until the directory stays empty.
  await rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
});

async function connect(overrides: Partial<PythonServerOptions> = {}): Promise<McpTestClient> {
  const server = createPythonServer({
    workdir,
    spillDir,
    interpreter: 'python3',
    timeoutMs: 20_000,
    maxOutputChars: 10_000,
    passEnv: [],
    env: {},
    maxJobs: 4,
    ...overrides,
  });
  const client = await connectTestClient(server, 'python-test');
  clients.push(client);
  return client;
}

interface ExceptionView {
  type: string;
  message: string;
  frame?: { file: string; line: number; function: string; code?: string };
  summary: string;
}

describe('python server', () => {
  it('lists run_python and the job tools', async () => {
    const client = await connect();
    const names = await client.toolNames();
    for (const name of [
      'run_python',
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

  it('runs a code snippet with arguments, saved to a file in the spill directory', async () => {
    const client = await connect();
    const { isError, structured } = await client.call('run_python', {
      code: 'import sys\nprint("hello", sys.argv[1:])\nprint("warn", file=sys.stderr)',
      args: ['a b', 'c'],
    });
    assert.equal(isError, false);
    assert.equal(structured?.exit_code, 0);
    assert.equal(structured?.stdout, "hello ['a b', 'c']\n");
    assert.equal(structured?.stderr, 'warn\n');
    assert.equal(structured?.exception, undefined);
    const script = structured?.script as string;
    assert.ok(script.startsWith(path.join(spillDir, 'python', 'snippet-')), script);
    assert.match(await readFile(script, 'utf8'), /print\("hello"/);
  });

  it('imports modules from the working directory in a snippet, as python -c would', async () => {
    const client = await connect();
    const { structured } = await client.call('run_python', {
      code: 'import helper_module\nprint(helper_module.VALUE)',
      cwd: 'sub',
    });
    assert.equal(structured?.stdout, 'imported from the working directory\n');
  });

  it('runs a snippet whose functions spawned worker processes can import', async () => {
    const client = await connect();
    const { isError, structured } = await client.call('run_python', {
      code: [
        'import multiprocessing',
        'def square(value):',
        '    return value * value',
        'if __name__ == "__main__":',
        '    with multiprocessing.get_context("spawn").Pool(2) as pool:',
        '        print(pool.map(square, [1, 2, 3]))',
      ].join('\n'),
    });
    assert.equal(isError, false, String(structured?.stderr));
    assert.equal(structured?.stdout, '[1, 4, 9]\n');
  });

  it('runs a script file with stdin and reports its exit code as an error result', async () => {
    const client = await connect();
    await writeFile(
      path.join(workdir, 'sub', 'shout.py'),
      'import os, sys\ndata = sys.stdin.read()\nprint(f"{sys.argv[1]}:{data.upper()}:{os.getcwd()}")\nsys.exit(3)\n',
    );
    const { isError, text, structured } = await client.call('run_python', {
      script: 'sub/shout.py',
      args: ['loud'],
      stdin: 'quiet',
      cwd: 'sub',
    });
    assert.equal(isError, true);
    assert.equal(structured?.exit_code, 3);
    assert.equal(structured?.stdout, `loud:QUIET:${path.join(workdir, 'sub')}\n`);
    assert.equal(structured?.script, path.join(workdir, 'sub', 'shout.py'));
    assert.equal(structured?.exception, undefined, 'sys.exit prints no traceback');
    assert.match(text, /Python failed: exit code 3/);
  });

  it('refuses scripts outside the workdir, missing scripts, and both or neither of script and code', async () => {
    const client = await connect();
    await writeFile(path.join(root, 'outside.py'), 'print("escaped")\n');
    await symlink(path.join(root, 'outside.py'), path.join(workdir, 'linked.py'));
    for (const script of ['../outside.py', 'linked.py', path.join(root, 'outside.py')]) {
      const { isError, text, structured } = await client.call('run_python', { script });
      assert.equal(isError, true, script);
      assert.match(text, /outside the workdir/);
      assert.equal(structured, undefined, 'nothing ran');
    }
    assert.match(
      (await client.call('run_python', { script: 'nope.py' })).text,
      /Script "nope.py" does not exist under the workdir/,
    );
    for (const args of [{}, { script: 'sub/shout.py', code: 'print(1)' }]) {
      assert.match((await client.call('run_python', args)).text, /exactly one of "script".*or "code"/);
    }
  });

  it('returns the parsed exception with its innermost frame when Python crashes', async () => {
    const client = await connect();
    const { isError, text, structured } = await client.call('run_python', {
      script: 'pipeline/train.py',
      cwd: 'pipeline',
    });
    assert.equal(isError, true);
    assert.equal(structured?.exit_code, 1);
    assert.equal(structured?.stdout, 'building the batch\n');
    const exception = structured?.exception as ExceptionView;
    assert.equal(exception.type, 'TypeError');
    assert.match(exception.message, /can only concatenate list \(not "int"\) to list/);
    assert.equal(exception.frame?.file, path.join(workdir, 'pipeline', 'model_utils.py'));
    assert.equal(exception.frame?.line, 2);
    assert.equal(exception.frame?.function, 'scale');
    assert.equal(exception.frame?.code, 'return [value * factor for value in values] + factor');
    assert.match(text, /TypeError/);
    assert.match(text, /model_utils\.py/);
    assert.ok(text.indexOf('TypeError') < text.indexOf('--- stdout'), 'the exception comes before the output');
  });

  it('finds the exception after long stderr that was cut and spilled', async () => {
    const client = await connect({ maxOutputChars: 1_000 });
    const { structured } = await client.call('run_python', {
      code: 'import sys\nfor index in range(5000):\n    print("noise", index, file=sys.stderr)\nraise ValueError("bad value at the end")',
    });
    assert.equal(structured?.output_truncated, true);
    assert.ok((structured?.stderr_file as string).startsWith(path.join(spillDir, 'python-')));
    const exception = structured?.exception as ExceptionView;
    assert.equal(exception.type, 'ValueError');
    assert.equal(exception.message, 'bad value at the end');
  });

  it('kills Python at the timeout', async () => {
    const client = await connect();
    const { isError, structured } = await client.call('run_python', {
      code: 'import time\ntime.sleep(60)',
      timeout_ms: 300,
    });
    assert.equal(isError, true);
    assert.equal(structured?.timed_out, true);
  });

  it('names the missing interpreter and the option to change', async () => {
    const byName = await connect({ interpreter: 'python3-mux-swarm-missing' });
    for (const [tool, args] of [
      ['run_python', { code: 'print(1)' }],
      ['start_job', { code: 'print(1)' }],
    ] as const) {
      const { isError, text } = await byName.call(tool, args);
      assert.equal(isError, true, tool);
      assert.match(
        text,
        /The Python interpreter "python3-mux-swarm-missing" \(options\.interpreter\) was not found on the PATH/,
      );
      assert.match(text, /"interpreter" option/);
    }
    assert.deepEqual((await byName.call('list_jobs')).structured?.jobs, [], 'no job was recorded');

    const byPath = await connect({ interpreter: 'no-venv/bin/python' });
    const { text } = await byPath.call('run_python', { code: 'print(1)' });
    assert.match(
      text,
      new RegExp(
        `${path.join(workdir, 'no-venv', 'bin', 'python')} \\(options\\.interpreter "no-venv/bin/python"\\) does not exist`,
      ),
    );
  });

  it("runs the interpreter given as a path relative to the workdir, such as a venv's bin/python", async () => {
    const binDirectory = path.join(workdir, 'venv', 'bin');
    await mkdir(binDirectory, { recursive: true });
    const wrapper = path.join(binDirectory, 'python');
    await writeFile(wrapper, '#!/bin/sh\nMUX_VENV_WRAPPER=from-the-wrapper exec python3 "$@"\n');
    await chmod(wrapper, 0o755);
    const client = await connect({ interpreter: 'venv/bin/python' });
    const { structured } = await client.call('run_python', {
      code: 'import os\nprint(os.environ.get("MUX_VENV_WRAPPER"))',
    });
    assert.equal(structured?.stdout, 'from-the-wrapper\n');
    assert.equal(structured?.interpreter, wrapper);
  });

  it('gives Python the minimal environment, passEnv, options.env and PYTHONUNBUFFERED, and nothing else', async () => {
    const client = await connect({
      passEnv: ['MUX_PY_PASSED'],
      env: { MUX_PY_SET: 'set-value' },
      environment: { ...process.env, MUX_PY_PASSED: 'passed-value', MUX_PY_HIDDEN: 'sk-should-not-leak' },
    });
    const { structured } = await client.call('run_python', {
      code: 'import json, os\nprint(json.dumps({name: os.environ.get(name) for name in ["MUX_PY_PASSED", "MUX_PY_SET", "MUX_PY_HIDDEN", "PYTHONUNBUFFERED"]}))',
    });
    assert.deepEqual(JSON.parse(structured?.stdout as string), {
      MUX_PY_PASSED: 'passed-value',
      MUX_PY_SET: 'set-value',
      MUX_PY_HIDDEN: null,
      PYTHONUNBUFFERED: '1',
    });
  });

  it("streams a job's prints as they happen (unbuffered) and takes its input", async () => {
    const client = await connect();
    const job = await startJob(client, {
      code: 'import sys\nprint("step 1")\nline = sys.stdin.readline()\nprint("got " + line.strip())',
      name: 'stream',
    });
    assert.match(job.job_id, /^python-\d+$/);
    const first = await waitJob(client, { job_id: job.job_id, cursor: 0, timeout_ms: 45_000 });
    assert.equal(first.result.output, 'step 1\n');
    assert.equal(first.result.running, true, 'the print arrived while Python still waits for input');
    await client.call('send_job_input', { job_id: job.job_id, text: 'go\n' });
    const rest = await followToEnd(client, job.job_id, first.result.next_cursor);
    assert.equal(rest.output, 'got go\n');
    assert.equal(rest.last.exit_code, 0);
    assert.equal(rest.last.exception, undefined);
  });

  it("holds a job's prints back when options.env turns buffering on again", async () => {
    const client = await connect({ env: { PYTHONUNBUFFERED: '' } });
    const job = await startJob(client, { code: 'import sys\nprint("step 1")\nsys.stdin.readline()\nprint("step 2")' });
    const quiet = await waitJob(client, { job_id: job.job_id, timeout_ms: 300 });
    assert.equal(quiet.result.returned_on, 'timeout');
    assert.equal(quiet.result.output, '', 'block-buffered output stays in Python');
    await client.call('send_job_input', { job_id: job.job_id, text: '\n', close_stdin: true });
    assert.equal((await followToEnd(client, job.job_id)).output, 'step 1\nstep 2\n');
  });

  it('gives job_status and wait_job of a crashed Python job the parsed exception', async () => {
    const client = await connect();
    const job = await startJob(client, { script: 'pipeline/train.py', cwd: 'pipeline' });
    const { output, last } = await followToEnd(client, job.job_id);
    assert.match(output, /^building the batch\n/);
    assert.equal(last.exit_code, 1);
    const waited = last.exception as ExceptionView;
    assert.equal(waited.type, 'TypeError');
    assert.equal(waited.frame?.function, 'scale');
    const { outcome, status } = await jobStatus(client, job.job_id);
    const exception = status.exception as ExceptionView;
    assert.equal(exception.type, 'TypeError');
    assert.equal(exception.frame?.line, 2);
    assert.match(outcome.text, /Python exception: .*TypeError/);
  });

  it('kills running Python jobs when the server closes', async () => {
    const client = await connect();
    const job = await startJob(client, {
      code: 'import subprocess, time\nsubprocess.Popen(["sleep", "60"])\nprint("ready")\ntime.sleep(60)',
    });
    const ready = await waitJob(client, { job_id: job.job_id, timeout_ms: 45_000 });
    assert.equal(ready.result.output, 'ready\n');
    await client.close();
    assert.deepEqual(await waitUntilGroupGone(job.pid, 5_000), []);
  });
});
