import type pg from 'pg';
import { asPgHubError, createPgHubPool, redactUrl } from './pg-hub-connection.js';
import { PgHubError } from '../errors/pg-hub-error.js';

/**
 * The hub's connection pool with errors made readable: an unreachable server becomes `hub_unreachable` naming the
 * (redacted) URL; a missing table says to run `hub init`; a verifying node that is not registered says so.
 */
export class PgHubDb {
  readonly pool: pg.Pool;

  constructor(readonly url: string) {
    this.pool = createPgHubPool(url);
  }

  get redactedUrl(): string {
    return redactUrl(this.url);
  }

  async query<Row extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<Row>> {
    try {
      return await this.pool.query<Row>(text, values);
    } catch (error) {
      throw this.explain(error);
    }
  }

  /** Runs `work` in one transaction (BEGIN … COMMIT, ROLLBACK on error). */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.explain(error);
    }
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw this.explain(error);
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private explain(error: unknown): unknown {
    const code = (error as { code?: string }).code;
    if (code === '42P01' || code === '3F000') {
      return new PgHubError(
        'hub_not_initialised',
        `the hub at ${this.redactedUrl} has no mux-swarm schema: run \`mux-swarm hub init --hub <url>\``,
        { cause: error },
      );
    }
    return asPgHubError(error, this.url);
  }
}
