import type { SqliteDatabase } from '../state/database.js';
import type { SecretScrubber } from '../logging/secret-scrubber.js';
import type { ChatMessage } from '../providers/chat-types.js';
import { projectMessage, type RequestIdentity } from './request-identity.js';

/**
 * Journals what each model call asked: its request hash, its tool set (each distinct set stored once) and how many
 * transcript messages it sent, on the model call's own row. The row is the agent's call in flight (its intent is
 * journaled before the model is asked); when two calls of one agent are in flight at once (two delegations to the
 * same specialist in parallel), the one whose delegation's journaled transcript ends as the request does (as many
 * messages, the same last message) is taken.
 */
export class RequestRecorder {
  private readonly knownToolSets = new Set<string>();
  private readonly inFlight;
  private readonly transcriptEnd;
  private readonly attach;
  private readonly storeToolSet;

  constructor(
    database: SqliteDatabase,
    private readonly runId: string,
    private readonly scrubber?: SecretScrubber,
  ) {
    this.inFlight = database.prepare(`SELECT id, delegation_id FROM model_calls WHERE run_id = ? AND agent = ? AND status = 'started' AND request_hash IS NULL ORDER BY id`);
    this.transcriptEnd = database.prepare(`SELECT seq, content FROM messages WHERE run_id = ? AND delegation_id = ? ORDER BY seq DESC LIMIT 1`);
    this.attach = database.prepare(`UPDATE model_calls SET request_hash = ?, request_tools = ?, request_messages = ? WHERE id = ?`);
    this.storeToolSet = database.prepare(`INSERT OR IGNORE INTO request_tool_sets (hash, tools_json) VALUES (?, ?)`);
  }

  /** Records `identity` on the agent's model call in flight; a call with no journaled intent is not recorded. */
  record(agent: string, identity: RequestIdentity, messages: readonly ChatMessage[]): void {
    const rows = this.inFlight.all(this.runId, agent) as Array<{ id: number; delegation_id: string }>;
    if (rows.length === 0) return;
    const row = rows.length === 1 ? rows[0]! : (rows.find((candidate) => this.endsAs(candidate.delegation_id, messages)) ?? rows[0]!);
    if (!this.knownToolSets.has(identity.toolsHash)) {
      this.storeToolSet.run(identity.toolsHash, identity.toolsJson);
      this.knownToolSets.add(identity.toolsHash);
    }
    this.attach.run(identity.hash, identity.toolsHash, messages.length, row.id);
  }

  /** Whether the delegation's journaled transcript ends as `messages` does: as many, and the same last one. */
  private endsAs(delegationId: string, messages: readonly ChatMessage[]): boolean {
    const end = this.transcriptEnd.get(this.runId, delegationId) as { seq: number; content: string | null } | undefined;
    if (end === undefined || end.seq !== messages.length) return false;
    const content = projectMessage(messages.at(-1)!).content;
    return end.content === (content === null || this.scrubber === undefined ? content : this.scrubber.text(content));
  }
}
