import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SecretScrubber } from '../../../src/logging/secret-scrubber.js';
import { createPythonServer } from '../../../src/servers/python/python-server.js';
import type { SandboxRequest } from '../../../src/supervisor/sandbox/sandbox-request.js';
import { connectTestClient, type McpTestClient } from '../../support/mcp-test-client.js';
import { assertNoJobProcessLeft, followToEnd, startJob } from '../jobs/job-test-helpers.js';

const SECRET = 'sk-live-Zq8wXv3RtY6uIo1PaS4dFg7HjK0lMn2B';
const SECRET_SHA256 = createHash('sha256').update(SECRET).digest('hex');

let root: string;
let workdir: string;
let spillDir: string;
/** The TMPDIR snippets' private sources go to while these tests run: empty again once each has run. */
let privateTemp: string;
let savedTmpdir: string | undefined;
const clients: McpTestClient[] = [];

before(async () => {
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'mux-swarm-python-secrets-')));
  workdir = path.join(root, 'work');
  spillDir = path.join(root, 'spill');
  privateTemp = path.join(root, 'tmp');
  await mkdir(workdir, { recursive: true });
  await mkdir(privateTemp, { recursive: true });
  savedTmpdir = process.env.TMPDIR;
  process.env.TMPDIR = privateTemp;
});

after(async () => {
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  await Promise.all(clients.map((client) => client.close()));
  await assertNoJobProcessLeft();
  await rm(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 });
});

async function connect(confinement?: SandboxRequest): Promise<McpTestClient> {
  const server = createPythonServer({
    ...(confinement === undefined ? {} : { confinement }),
    workdir,
    spillDir,
    interpreter: 'python3',
    timeoutMs: 20_000,
    maxOutputChars: 10_000,
    passEnv: [],
    env: {},
    maxJobs: 2,
    scrubber: new SecretScrubber([SECRET]),
  });
  const client = await connectTestClient(server, 'python-secrets-test');
  clients.push(client);
  return client;
}

/** A snippet that holds the secret as a literal: it prints it, its hash (proof the original ran), then raises with it. */
const SNIPPET = [
  'import hashlib',
  `TOKEN = "${SECRET}"`,
  'print("token:", TOKEN)',
  'print("sha256:", hashlib.sha256(TOKEN.encode()).hexdigest())',
  `raise ValueError("${SECRET}")`,
].join('\n');

describe('python server: a snippet that holds a secret, in the sandbox', () => {
  it('runs the original code from its private copy, bound into the sandbox, and leaves no private copy behind', async () => {
    const client = await connect({ backend: 'bwrap', network: 'none', workdir, readOnly: [], writable: [] });
    const { structured, text } = await client.call('run_python', { code: SNIPPET });
    assert.equal(structured?.exit_code, 1, text);
    assert.match(
      String(structured?.stdout),
      new RegExp(`sha256: ${SECRET_SHA256}`),
      'the code that ran held the secret',
    );
    assert.ok(!text.includes(SECRET));
    assert.deepEqual(await readdir(privateTemp), [], 'no private copy is left');
  });
});

describe('python server: a snippet that holds a secret', () => {
  it('runs the original code, stores a scrubbed copy, scrubs the output and leaves no private copy behind', async () => {
    const client = await connect();
    const { structured, text } = await client.call('run_python', { code: SNIPPET });
    assert.equal(structured?.exit_code, 1, text);
    assert.match(
      String(structured?.stdout),
      new RegExp(`sha256: ${SECRET_SHA256}`),
      'the code that ran held the secret',
    );
    assert.match(String(structured?.stdout), /token: \[REDACTED\]/);
    assert.ok(!text.includes(SECRET) && !JSON.stringify(structured).includes(SECRET), 'the result holds no secret');

    const script = String(structured?.script);
    assert.ok(script.startsWith(path.join(spillDir, 'python', 'snippet-')), script);
    const stored = await readFile(script, 'utf8');
    assert.ok(!stored.includes(SECRET));
    assert.match(stored, /TOKEN = "\[REDACTED\]"/);
    // Tracebacks name the stored copy, and show its scrubbed line.
    assert.match(
      String(structured?.stderr),
      new RegExp(`File "${script.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}", line 5`),
    );
    assert.match(String(structured?.stderr), /raise ValueError\("\[REDACTED\]"\)/);
    assert.deepEqual(await readdir(privateTemp), [], 'the private source and its directory are gone');
  });

  it('runs a snippet without a secret from its file in the run directory, as before', async () => {
    const client = await connect();
    const { structured } = await client.call('run_python', { code: 'print(__file__)' });
    assert.equal(structured?.exit_code, 0);
    assert.equal(String(structured?.stdout).trim(), structured?.script);
    assert.deepEqual(await readdir(privateTemp), []);
  });

  it('starts a job from the original code; the job deletes its private source at once', async () => {
    const client = await connect();
    const job = await startJob(client, { code: SNIPPET.split('\n').slice(0, 4).join('\n'), name: 'secret-snippet' });
    const { output, last } = await followToEnd(client, job.job_id);
    assert.equal(last.exit_code, 0);
    assert.match(output, new RegExp(`sha256: ${SECRET_SHA256}`));
    const stored = await readFile(job.command.split(' ')[1]!, 'utf8');
    assert.ok(!stored.includes(SECRET));
    assert.deepEqual(await readdir(privateTemp), []);
  });
});
