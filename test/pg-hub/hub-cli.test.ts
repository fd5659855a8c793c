import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { formatStatus } from '../../src/cli/commands/hub/hub-status-command.js';
import { PgHubClient } from '../../src/pg-hub/pg-hub-client.js';
import { runCli, type CliResult } from '../support/run-cli.js';
import { startPgServer, type PgServer } from './pg-server.js';

/** `mux-swarm hub init|keygen|allow|revoke|status` against a real PostgreSQL 15. */
describe('mux-swarm hub (CLI)', () => {
  let server: PgServer;
  let directory: string;
  const hub = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
    runCli(['hub', ...args], { cwd: directory, env: { HOME: directory, ...env }, timeoutMs: 30_000 });
  const password = (): string => new URL(server.url).password;

  before(async () => {
    server = await startPgServer();
    directory = mkdtempSync(join(tmpdir(), 'mux-swarm-hub-cli-'));
  });

  after(() => {
    server?.stop();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it("init creates the versioned mux_swarm schema and pg-boss's queue, and is idempotent", async () => {
    const first = await hub(['init', '--hub', server.url]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /schema mux_swarm at version 1 \(applied migration 1\); pg-boss schema pgboss with queue "experiments"/,
    );
    assert.doesNotMatch(first.stdout + first.stderr, new RegExp(password()), 'the password is never printed');
    const again = await hub(['init'], { MUX_SWARM_HUB_URL: server.url });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /version 1 \(already up to date\)/);

    const client = new pg.Client(server.url);
    await client.connect();
    const tables = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'mux_swarm' ORDER BY table_name`,
    );
    const migrations = await client.query(`SELECT version FROM mux_swarm.schema_migrations`);
    const queues = await client.query<{ name: string }>(`SELECT name FROM pgboss.queue`);
    await client.end();
    assert.deepEqual(
      tables.rows.map((row) => row.table_name),
      ['breakthroughs', 'nodes', 'results', 'schema_migrations', 'seen_claims', 'verifications'],
    );
    assert.equal(migrations.rowCount, 1);
    assert.deepEqual(
      queues.rows.map((row) => row.name),
      ['experiments'],
    );
  });

  it('keygen writes an ed25519 key pair (private key 0600, never printed; default ~/.mux-swarm/keys)', async () => {
    const [made, inHome] = await Promise.all([
      hub(['keygen', '--node', 'node-a', '--dir', join(directory, 'keys')]),
      hub(['keygen', '--node', 'node-b']),
    ]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /Node "node-a": key ed25519:[0-9a-f]{32}/);
    assert.doesNotMatch(made.stdout, /PRIVATE KEY/);
    assert.equal(statSync(join(directory, 'keys', 'node-a.key')).mode & 0o777, 0o600);
    assert.match(readFileSync(join(directory, 'keys', 'node-a.pub'), 'utf8'), /^-----BEGIN PUBLIC KEY-----/);
    assert.equal(inHome.code, 0, inHome.stderr);
    assert.equal(statSync(join(directory, '.mux-swarm', 'keys', 'node-b.key')).mode & 0o777, 0o600);
  });

  it('allow puts a public key (file or PEM) on the allow-list, refuses another key for the same node, and revoke takes a node off', async () => {
    const publicKey = join(directory, 'keys', 'node-a.pub');
    const pemOfB = readFileSync(join(directory, '.mux-swarm', 'keys', 'node-b.pub'), 'utf8');
    const [added, addedPem] = await Promise.all([
      hub(['allow', '--hub', server.url, '--node', 'node-a', '--public-key', publicKey]),
      /* the former name of --hub */ hub(['allow', '--db', server.url, '--node', 'node-b', '--public-key', pemOfB]),
    ]);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Node "node-a" \(ed25519:[0-9a-f]+\): added to the allow-list/);
    assert.match(addedPem.stdout, /Node "node-b" .*added to the allow-list/);

    const [conflict, revoked] = await Promise.all([
      hub(['allow', '--hub', server.url, '--node', 'node-a', '--public-key', pemOfB]),
      hub(['revoke', '--hub', server.url, '--node', 'node-b']),
    ]);
    assert.equal(conflict.code, 2);
    assert.match(conflict.stderr, /node "node-a" is registered with another key .*pass --replace/);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /Node "node-b" is off the allow-list/);

    const client = await PgHubClient.connect(server.url);
    const nodes = await client.nodes.list();
    await client.close();
    assert.deepEqual(
      nodes.map((node) => [node.name, node.allowed]),
      [
        ['node-a', true],
        ['node-b', false],
      ],
    );
    assert.ok(nodes.every((node) => !node.publicKey.includes('PRIVATE')));
  });

  it('status shows the nodes, the queue, breakthroughs and verifications', async () => {
    const json = await hub(['status', '--json'], { MUX_SWARM_HUB_URL: server.url });
    assert.equal(json.code, 0, json.stderr);
    const status = JSON.parse(json.stdout) as {
      nodes: Array<{ name: string; allowed: boolean }>;
      queue: Record<string, number>;
      schemaVersion: number;
      url: string;
    };
    assert.deepEqual(
      status.nodes.map((node) => [node.name, node.allowed]),
      [
        ['node-a', true],
        ['node-b', false],
      ],
    );
    assert.deepEqual(status.queue, {});
    assert.equal(status.schemaVersion, 1);
    assert.match(status.url, /^postgres:\/\/hub:\*\*\*@127\.0\.0\.1:/);
    assert.doesNotMatch(json.stdout, new RegExp(password()));

    const client = await PgHubClient.connect(server.url);
    const text = formatStatus(await client.status());
    await client.close();
    assert.match(text, /Nodes \(2, 1 allowed\):/);
    assert.match(text, /node-a\s+yes\s+ed25519:/);
    assert.match(text, /node-b\s+no\s+ed25519:/);
    assert.match(text, /Queue "experiments": 0 waiting/);
    assert.match(text, /Breakthroughs: 0 \(0 announced, 0 adopted, 0 rejected\)/);
  });

  it('says what is wrong: no --hub (exit 2), an unreachable hub (exit 1, password masked), a hub without the schema', async () => {
    const closed = new URL(server.url);
    closed.port = '1';
    const [missing, unreachable] = await Promise.all([hub(['status']), hub(['status', '--hub', closed.toString()])]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no hub given: pass --hub postgres:\/\/.*or set MUX_SWARM_HUB_URL/);
    assert.equal(unreachable.code, 1);
    assert.match(
      unreachable.stderr,
      /cannot reach the hub at postgres:\/\/hub:\*\*\*@127\.0\.0\.1:1\/hub: .*ECONNREFUSED/,
    );
    assert.doesNotMatch(unreachable.stderr, new RegExp(password()));

    const client = new pg.Client(server.url);
    await client.connect();
    await client.query('CREATE DATABASE empty');
    await client.end();
    const empty = new URL(server.url);
    empty.pathname = '/empty';
    await assert.rejects(
      PgHubClient.connect(empty.toString()),
      /at schema version 0, this mux-swarm needs 1: run `mux-swarm hub init --hub <url>`/,
    );
  });
});
