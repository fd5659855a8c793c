import type { KeyObject } from 'node:crypto';
import { PgHubError } from '../errors/pg-hub-error.js';
import type { PgHubDb } from './pg-hub-db.js';
import { HUB_SCHEMA } from './pg-hub-schema.js';
import { keyId, parsePublicKey, publicKeyPem } from './node-keys.js';
import { assertNodeName } from './node-name.js';

export interface PgHubNode {
  name: string;
  publicKey: string;
  keyId: string;
  allowed: boolean;
  registeredAt: Date;
}

export type AllowResult = 'added' | 'allowed' | 'unchanged' | 'replaced';

/**
 * The hub's nodes and the allow-list: a node's claims are trusted only while its row says `allowed` and they are
 * signed by the key in that row. Only public keys are ever stored.
 */
export class PgHubNodeRegistry {
  constructor(private readonly db: PgHubDb) {}

  /**
   * A node joining (`run --hub --node`): stores its public key, not allowed until someone runs `hub allow`.
   * Refuses a name already registered with another key.
   */
  async register(name: string, publicKey: KeyObject): Promise<'registered' | 'unchanged'> {
    assertNodeName(name);
    const pem = publicKeyPem(publicKey);
    const existing = await this.get(name);
    if (existing) {
      if (existing.publicKey !== pem) {
        throw new PgHubError(
          'node_key_conflict',
          `node "${name}" is registered on the hub with another key (${existing.keyId}); this node's key is ${keyId(publicKey)}: use another name, or have it allowed with \`mux-swarm hub allow --node ${name} --public-key <file> --replace\``,
        );
      }
      return 'unchanged';
    }
    await this.db.query(
      `INSERT INTO ${HUB_SCHEMA}.nodes (name, public_key, key_id, allowed) VALUES ($1, $2, $3, false) ON CONFLICT (name) DO NOTHING`,
      [name, pem, keyId(publicKey)],
    );
    return 'registered';
  }

  /** Puts a node's key on the allow-list; replacing a different key needs `replace`. */
  async allow(name: string, publicKey: KeyObject, options: { replace?: boolean } = {}): Promise<AllowResult> {
    assertNodeName(name);
    const pem = publicKeyPem(publicKey);
    const existing = await this.get(name);
    if (existing && existing.publicKey !== pem && !options.replace) {
      throw new PgHubError(
        'node_key_conflict',
        `node "${name}" is registered with another key (${existing.keyId}, not ${keyId(publicKey)}): pass --replace to trust the new key instead`,
      );
    }
    await this.db.query(
      `INSERT INTO ${HUB_SCHEMA}.nodes (name, public_key, key_id, allowed) VALUES ($1, $2, $3, true)
       ON CONFLICT (name) DO UPDATE SET public_key = EXCLUDED.public_key, key_id = EXCLUDED.key_id, allowed = true`,
      [name, pem, keyId(publicKey)],
    );
    if (!existing) return 'added';
    if (existing.publicKey !== pem) return 'replaced';
    return existing.allowed ? 'unchanged' : 'allowed';
  }

  /** Takes a node off the allow-list (its key stays registered); false when there is no such node. */
  async revoke(name: string): Promise<boolean> {
    const { rowCount } = await this.db.query(`UPDATE ${HUB_SCHEMA}.nodes SET allowed = false WHERE name = $1`, [name]);
    return (rowCount ?? 0) > 0;
  }

  async get(name: string): Promise<PgHubNode | undefined> {
    const { rows } = await this.db.query<NodeRow>(
      `SELECT name, public_key, key_id, allowed, registered_at FROM ${HUB_SCHEMA}.nodes WHERE name = $1`,
      [name],
    );
    return rows[0] ? toNode(rows[0]) : undefined;
  }

  async list(): Promise<PgHubNode[]> {
    const { rows } = await this.db.query<NodeRow>(
      `SELECT name, public_key, key_id, allowed, registered_at FROM ${HUB_SCHEMA}.nodes ORDER BY name`,
    );
    return rows.map(toNode);
  }

  /** The node's key if it is on the allow-list. */
  async trustedKey(name: string): Promise<KeyObject | undefined> {
    const node = await this.get(name);
    return node?.allowed ? parsePublicKey(node.publicKey) : undefined;
  }
}

interface NodeRow {
  name: string;
  public_key: string;
  key_id: string;
  allowed: boolean;
  registered_at: Date;
}

function toNode(row: NodeRow): PgHubNode {
  return {
    name: row.name,
    publicKey: row.public_key,
    keyId: row.key_id,
    allowed: row.allowed,
    registeredAt: row.registered_at,
  };
}
