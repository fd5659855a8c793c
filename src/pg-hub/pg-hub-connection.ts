import pg from 'pg';
import { PgHubError } from '../errors/pg-hub-error.js';

/** The hub URL with its password replaced by `***`: what messages and logs show. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable database URL)';
  }
}

/** Checks the URL's shape before anything connects with it. */
export function assertPgHubUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PgHubError(
      'hub_url_invalid',
      'the hub URL is not a URL: expected postgres://user:password@host:5432/database',
    );
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new PgHubError('hub_url_invalid', `the hub URL ${redactUrl(url)} is not a postgres:// URL`);
  }
  return url;
}

export function createPgHubPool(url: string, max = 4): pg.Pool {
  const pool = new pg.Pool({
    connectionString: assertPgHubUrl(url),
    max,
    application_name: 'mux-swarm-hub',
    connectionTimeoutMillis: 10_000,
  });
  // An idle client that loses its server emits on the pool; without a listener that would crash the process.
  pool.on('error', () => undefined);
  return pool;
}

/** Connection-level failures (refused, unknown host, auth, missing database) as `hub_unreachable`, naming the hub. */
export function asPgHubError(error: unknown, url: string): unknown {
  if (error instanceof PgHubError) return error;
  const code = (error as { code?: string }).code;
  const network = ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH'];
  // 28P01 bad password, 28000 no pg_hba entry, 3D000 no such database, 57P03 starting up.
  const server = ['28P01', '28000', '3D000', '57P03'];
  const message = error instanceof Error ? error.message : String(error);
  if (
    (code && (network.includes(code) || server.includes(code))) ||
    /timeout exceeded when trying to connect|Connection terminated/i.test(message)
  ) {
    return new PgHubError('hub_unreachable', `cannot reach the hub at ${redactUrl(url)}: ${message}`, { cause: error });
  }
  return error;
}
