import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SecretScrubber } from '../../../src/logging/secret-scrubber.js';
import { createShellServer } from '../../../src/servers/shell/shell-server.js';
import { connectTestClient, type McpTestClient } from '../../support/mcp-test-client.js';

const SECRET = 'sk-live-Pl0kIjUh7YgTf6RdEs5WaQ4zXc3VbN2M';

let root: string;
let workdir: string;
let spillDir: string;
const clients: McpTestClient[] = [];

before(async () => {
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'mux-swarm-shell-secrets-')));
  workdir = path.join(root, 'work');
  spillDir = path.join(root, 'spill');
  await mkdir(workdir, { recursive: true });
});

after(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await rm(root, { recursive: true, force: true });
});

async function connect(maxOutputChars: number): Promise<McpTestClient> {
  const server = createShellServer({
    workdir,
    spillDir,
    timeoutMs: 20_000,
    maxOutputChars,
    passEnv: ['MY_SERVICE_TOKEN'],
    environment: { PATH: process.env.PATH ?? '/usr/bin:/bin', MY_SERVICE_TOKEN: SECRET },
    scrubber: new SecretScrubber([SECRET]),
  });
  const client = await connectTestClient(server, 'shell-secrets-test');
  clients.push(client);
  return client;
}

/**
 * Python printing the secret in pieces, each flushed and a moment apart (so they arrive as separate chunks), at the
 * start, in the middle of long output (where the cut falls) and at the end, on stdout and stderr.
 */
const PRINT_IN_PIECES = [
  'import os, sys, time',
  'secret = os.environ["MY_SERVICE_TOKEN"]',
  'def split(stream):',
  '    for piece in (secret[:5], secret[5:17], secret[17:]):',
  '        stream.write(piece); stream.flush(); time.sleep(0.02)',
  '    stream.write("\\n"); stream.flush()',
  'split(sys.stdout); split(sys.stderr)',
  'for line in range(400): print("filler line", line)',
  'split(sys.stdout)',
  'for line in range(400): print("filler line", line)',
  'split(sys.stdout); split(sys.stderr)',
].join('\n');

describe('shell server: output holding a secret', () => {
  it('scrubs a secret split across chunks from the output it returns', async () => {
    const client = await connect(100_000);
    const { structured, text } = await client.call('run_command', { argv: ['python3', '-c', PRINT_IN_PIECES] });
    assert.equal(structured?.exit_code, 0, text);
    assert.ok(!text.includes(SECRET) && !JSON.stringify(structured).includes(SECRET));
    assert.equal(String(structured?.stdout).split('[REDACTED]').length - 1, 3);
    assert.equal(String(structured?.stderr).split('[REDACTED]').length - 1, 2);
  });

  it('writes no secret to the spill files of cut output, nor any part of one at the cut', async () => {
    const client = await connect(600);
    const { structured, text } = await client.call('run_command', { argv: ['python3', '-c', PRINT_IN_PIECES] });
    assert.equal(structured?.exit_code, 0, text);
    assert.equal(structured?.output_truncated, true);
    assert.ok(!text.includes(SECRET.slice(0, 12)) && !text.includes(SECRET.slice(-12)));
    const files = (await readdir(spillDir)).filter((name) => name.endsWith('.txt'));
    assert.equal(files.length, 2, files.join(', '));
    for (const name of files) {
      const content = await readFile(path.join(spillDir, name), 'utf8');
      assert.ok(!content.includes(SECRET.slice(5, 17)), `${name} holds part of the secret`);
      assert.match(content, /\[REDACTED\]/);
    }
    const stdoutFile = await readFile(String(structured?.stdout_file), 'utf8');
    assert.equal(stdoutFile.split('[REDACTED]').length - 1, 3);
    assert.match(stdoutFile, /filler line 399\n\[REDACTED\]\n/);
  });
});
