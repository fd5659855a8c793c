import type { SqliteDatabase } from '../state/database.js';
import type { RequestIdentity } from './request-identity.js';

/**
 * Journals what each model call asked: its request hash, its tool set (each distinct set stored once) and how many
 * transcript messages it sent, on the model call's own row: the one the request names (`modelCallId`, the intent the
 * agent loop journaled before asking). A request that names none is not recorded.
 */
export class RequestRecorder {
  private readonly knownToolSets = new Set<string>();
  private readonly attach;
  private readonly storeToolSet;

  constructor(database: SqliteDatabase) {
    this.attach = database.prepare(
      `UPDATE model_calls SET request_hash = ?, request_tools = ?, request_messages = ? WHERE id = ?`,
    );
    this.storeToolSet = database.prepare(`INSERT OR IGNORE INTO request_tool_sets (hash, tools_json) VALUES (?, ?)`);
  }

  /** Records `identity` on the model call `modelCallId`. */
  record(identity: RequestIdentity, messageCount: number, modelCallId: number | undefined): void {
    if (modelCallId === undefined) return;
    if (!this.knownToolSets.has(identity.toolsHash)) {
      this.storeToolSet.run(identity.toolsHash, identity.toolsJson);
      this.knownToolSets.add(identity.toolsHash);
    }
    this.attach.run(identity.hash, identity.toolsHash, messageCount, modelCallId);
  }
}
