import { z } from 'zod';
import type { SqliteDatabase } from './database.js';

/** What one model call asked, as the journal keeps it on the call's row. */
export interface JournaledRequest {
  hash: string;
  /** The hash of its tool set, kept once in `request_tool_sets`. */
  toolsHash: string;
  /** How many transcript messages it sent. */
  messageCount: number;
}

/** Writes what model calls asked: on each call's own row, and each distinct tool set once. */
export class ModelCallRequests {
  private readonly attach;
  private readonly insertToolSet;

  constructor(database: SqliteDatabase) {
    this.attach = database.prepare(
      `UPDATE model_calls SET request_hash = ?, request_tools = ?, request_messages = ? WHERE id = ?`,
    );
    this.insertToolSet = database.prepare(`INSERT OR IGNORE INTO request_tool_sets (hash, tools_json) VALUES (?, ?)`);
  }

  /** Stores a tool set under its hash; one already stored is left as it is. */
  storeToolSet(hash: string, toolsJson: string): void {
    this.insertToolSet.run(hash, toolsJson);
  }

  /** Records `request` on the model call `modelCallId`. */
  record(modelCallId: number, request: JournaledRequest): void {
    this.attach.run(request.hash, request.toolsHash, request.messageCount, modelCallId);
  }
}

/** The JSON of the tool set stored under `hash`; undefined when none is. */
export function toolSetJson(database: SqliteDatabase, hash: string): string | undefined {
  return z
    .string()
    .optional()
    .parse(database.prepare(`SELECT tools_json FROM request_tool_sets WHERE hash = ?`).pluck().get(hash));
}
