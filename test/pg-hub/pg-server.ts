import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** Where Debian's postgresql-15 package puts the server binaries. */
export const PG_BIN = process.env.MUX_SWARM_PG_BIN ?? '/usr/lib/postgresql/15/bin';
/** The non-root user the server runs as when the tests run as root (initdb refuses root). */
const SERVICE_USER = process.env.MUX_SWARM_PG_USER ?? 'postgres';
const FALLBACK_USER = 'mux-swarm-pg';

export interface PgServer {
  /** postgres://hub:<password>@127.0.0.1:<port>/hub */
  url: string;
  port: number;
  stop(): void;
}

/**
 * Starts a throwaway PostgreSQL 15 for one test file: `initdb` into a temp directory (as a non-root user when the
 * tests run as root), listening on 127.0.0.1 and a free port only, password auth over TCP. Nothing is skipped: when
 * the binaries are missing this throws, saying to install postgresql-15 (.ci/run does). `stop()` is
 * `pg_ctl stop -m immediate` and removes the directory; it also runs on process exit.
 */
export async function startPgServer(): Promise<PgServer> {
  for (const binary of ['initdb', 'pg_ctl', 'postgres']) {
    if (!existsSync(join(PG_BIN, binary))) {
      throw new Error(
        `PostgreSQL 15 is not installed (${join(PG_BIN, binary)} is missing): install it with \`apt-get install -y --no-install-recommends postgresql-15\` (.ci/run does this), or point MUX_SWARM_PG_BIN at its bin directory`,
      );
    }
  }
  const runAs = userInfo().uid === 0 ? serviceUser() : undefined;
  // As root, under /tmp: the server's user must be able to reach the directory, which a root-only $TMPDIR forbids.
  const directory = mkdtempSync(join(runAs ? '/tmp' : tmpdir(), 'mux-swarm-pg-'));
  const data = join(directory, 'data');
  const password = randomBytes(12).toString('hex');
  writeFileSync(join(directory, 'pwfile'), `${password}\n`);
  if (runAs) {
    chownSync(directory, runAs.uid, runAs.gid);
    chownSync(join(directory, 'pwfile'), runAs.uid, runAs.gid);
  }
  const run = (binary: string, args: string[]): SpawnSyncReturns<string> => {
    const command = runAs ? 'runuser' : join(PG_BIN, binary);
    const argv = runAs ? ['-u', runAs.name, '--', join(PG_BIN, binary), ...args] : args;
    return spawnSync(command, argv, {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C', LANG: 'C' },
      timeout: 60_000,
    });
  };
  const check = (result: SpawnSyncReturns<string>, what: string): void => {
    if (result.status !== 0) {
      const log = existsSync(join(directory, 'server.log')) ? readFileSync(join(directory, 'server.log'), 'utf8') : '';
      throw new Error(
        `${what} failed (exit ${result.status}${result.error ? `, ${result.error.message}` : ''}):\n${result.stdout}${result.stderr}${log}`,
      );
    }
  };
  check(
    run('initdb', [
      '-D',
      data,
      '-U',
      'hub',
      `--pwfile=${join(directory, 'pwfile')}`,
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '-E',
      'UTF8',
      '--no-sync',
    ]),
    'initdb',
  );

  let port = 0;
  let started = false;
  for (let attempt = 0; attempt < 3 && !started; attempt += 1) {
    port = await freePort();
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${directory} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60`;
    const result = run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(directory, 'server.log'),
      '-o',
      options,
      '-w',
      '-t',
      '30',
      'start',
    ]);
    started = result.status === 0;
    if (!started && attempt === 2) check(result, 'pg_ctl start');
  }

  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    run('pg_ctl', ['-D', data, 'stop', '-m', 'immediate']);
    rmSync(directory, { recursive: true, force: true });
  };
  process.once('exit', stop);
  // The database is created over the server's own socket (local connections are trusted; TCP needs the password).
  check(run('createdb', ['-h', directory, '-p', String(port), '-U', 'hub', 'hub']), 'createdb');
  return { url: `postgres://hub:${password}@127.0.0.1:${port}/hub`, port, stop };
}

function serviceUser(): { name: string; uid: number; gid: number } {
  for (const name of [SERVICE_USER, FALLBACK_USER]) {
    const id = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    if (id.status === 0) {
      const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
      return { name, uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
    }
  }
  const created = spawnSync(
    'useradd',
    ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', FALLBACK_USER],
    { encoding: 'utf8' },
  );
  if (created.status !== 0)
    throw new Error(
      `running as root, and no user to run PostgreSQL as: useradd ${FALLBACK_USER} failed: ${created.stderr}`,
    );
  return serviceUser();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
