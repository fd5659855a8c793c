import type { SqliteDatabase } from '../state/database.js';
import { ModelCallRequests } from '../state/model-call-requests.js';
import type { RequestIdentity } from './request-identity.js';

/**
 * Journals what each model call asked: its request hash, its tool set (each distinct set stored once) and how many
 * transcript messages it sent, on the model call's own row: the one the request names (`modelCallId`, the intent the
 * agent loop journaled before asking). A request that names none is not recorded.
 */
export class RequestRecorder {
  private readonly knownToolSets = new Set<string>();
  private readonly requests: ModelCallRequests;

  constructor(database: SqliteDatabase) {
    this.requests = new ModelCallRequests(database);
  }

  /** Records `identity` on the model call `modelCallId`. */
  record(identity: RequestIdentity, messageCount: number, modelCallId: number | undefined): void {
    if (modelCallId === undefined) return;
    if (!this.knownToolSets.has(identity.toolsHash)) {
      this.requests.storeToolSet(identity.toolsHash, identity.toolsJson);
      this.knownToolSets.add(identity.toolsHash);
    }
    this.requests.record(modelCallId, { hash: identity.hash, toolsHash: identity.toolsHash, messageCount });
  }
}
