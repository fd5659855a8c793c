import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Database from 'better-sqlite3';
import { RESTART_MESSAGE_PREFIX } from '../../src/runtime/recovery/recovery-messages.js';
import { INTERRUPTED_CALL_TEXT } from '../../src/runtime/tool-execution.js';
import { LOG_FILE } from './kill-loop-scenario.js';

/** What a finished run of the kill-loop scenario left behind: its files, its log, and what its journal says. */
export interface ScenarioObservation {
  /** Files under the workdir (path → content), the state directory and the log left out. */
  files: Record<string, string>;
  /** Lines of ran.log in the order written. */
  logLines: string[];
  result: { subtype: string; result: string; artifacts: string[]; num_turns: number };
  runs: Array<{ status: string; subtype: string | null }>;
  sessions: { total: number; ended: number };
  integrity: unknown;
  foreignKeyProblems: unknown[];
  toolCalls: Array<{ id: string; name: string; command: string | undefined; completed: boolean; interrupted: boolean }>;
  modelCalls: Array<{ delegationId: string; turn: number; status: string; error: string | null }>;
  /** Per delegation, the roles of its transcript in order ("system,user,assistant,tool,…"); `restart` for the runtime's restart messages. */
  transcripts: Record<string, string>;
  delegations: Array<{ id: string; agent: string; status: string | null }>;
  eventSeqs: number[];
}

const STATE_DIRECTORY = '.mux-swarm';

export function stateDatabasePath(workdir: string): string {
  return join(workdir, STATE_DIRECTORY, 'state.db');
}

/** Model calls whose reply the journal holds (0 before the database exists): how far a killed run got. */
export function completedModelCalls(workdir: string): number {
  const file = stateDatabasePath(workdir);
  if (!existsSync(file)) return 0;
  const database = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return (database.prepare(`SELECT count(*) AS n FROM model_calls WHERE status = 'completed'`).get() as { n: number })
      .n;
  } finally {
    database.close();
  }
}

/** Reads a finished scenario: `finalStdout` is the `--output-format json` result of its last session. */
export function observeScenario(workdir: string, finalStdout: string): ScenarioObservation {
  const database = new Database(stateDatabasePath(workdir), { readonly: true, fileMustExist: true });
  try {
    const toolRows = database
      .prepare(`SELECT id, name, arguments_json, result_text, duration_ms FROM tool_calls ORDER BY id`)
      .all() as Array<{
      id: string;
      name: string;
      arguments_json: string;
      result_text: string | null;
      duration_ms: number | null;
    }>;
    const modelRows = database
      .prepare(`SELECT delegation_id, turn, status, error FROM model_calls ORDER BY id`)
      .all() as Array<{
      delegation_id: string;
      turn: number;
      status: string;
      error: string | null;
    }>;
    const transcriptRows = database
      .prepare(`SELECT delegation_id, role, content FROM messages ORDER BY delegation_id, seq`)
      .all() as Array<{ delegation_id: string; role: string; content: string | null }>;
    const transcripts: Record<string, string> = {};
    for (const row of transcriptRows) {
      const role = row.role === 'user' && row.content?.startsWith(RESTART_MESSAGE_PREFIX) ? 'restart' : row.role;
      transcripts[row.delegation_id] =
        transcripts[row.delegation_id] === undefined ? role : `${transcripts[row.delegation_id]},${role}`;
    }
    const sessions = database.prepare(`SELECT count(*) AS total, count(ended_at) AS ended FROM run_sessions`).get() as {
      total: number;
      ended: number;
    };
    const result = JSON.parse(finalStdout) as ScenarioObservation['result'];
    return {
      files: readTree(workdir),
      logLines: existsSync(join(workdir, LOG_FILE))
        ? readFileSync(join(workdir, LOG_FILE), 'utf8').split('\n').filter(Boolean)
        : [],
      result: {
        subtype: result.subtype,
        result: result.result,
        artifacts: result.artifacts,
        num_turns: result.num_turns,
      },
      runs: database.prepare(`SELECT status, subtype FROM runs`).all() as ScenarioObservation['runs'],
      sessions,
      integrity: database.pragma('integrity_check'),
      foreignKeyProblems: database.pragma('foreign_key_check') as unknown[],
      toolCalls: toolRows.map((row) => ({
        id: row.id,
        name: row.name,
        command:
          row.name === 'shell__run_command'
            ? (JSON.parse(row.arguments_json) as { command?: string }).command
            : undefined,
        completed: row.duration_ms !== null,
        interrupted: row.result_text === INTERRUPTED_CALL_TEXT,
      })),
      modelCalls: modelRows.map((row) => ({
        delegationId: row.delegation_id,
        turn: row.turn,
        status: row.status,
        error: row.error,
      })),
      transcripts,
      delegations: database
        .prepare(`SELECT id, agent, status FROM delegations ORDER BY id`)
        .all() as ScenarioObservation['delegations'],
      eventSeqs: (database.prepare(`SELECT seq FROM events ORDER BY seq`).all() as Array<{ seq: number }>).map(
        (row) => row.seq,
      ),
    };
  } finally {
    database.close();
  }
}

function readTree(root: string, directory = root, files: Record<string, string> = {}): Record<string, string> {
  for (const entry of readdirSync(directory, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const path = join(directory, entry.name);
    const name = relative(root, path);
    if (name === STATE_DIRECTORY || name === LOG_FILE) continue;
    if (entry.isDirectory()) readTree(root, path, files);
    else files[name] = readFileSync(path, 'utf8');
  }
  return files;
}
