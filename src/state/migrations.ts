/**
 * Schema migrations, applied in order; the database's `user_version` is the number of the last one applied.
 * Never edit a migration that has shipped: add a new one.
 */
export const MIGRATIONS: readonly string[] = [
  /* 1: runs, delegations, transcripts, model and tool calls, events */ `
  CREATE TABLE runs (
    id            TEXT PRIMARY KEY,
    goal_name     TEXT NOT NULL,
    goal_source   TEXT NOT NULL,
    goal_text     TEXT NOT NULL,
    mode          TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'stopped', 'interrupted')),
    subtype       TEXT,
    exit_code     INTEGER,
    result        TEXT,
    settings_json TEXT NOT NULL,
    hostname      TEXT NOT NULL,
    pid           INTEGER NOT NULL,
    started_at    TEXT NOT NULL,
    ended_at      TEXT,
    num_turns     INTEGER NOT NULL DEFAULT 0,
    cost_usd      REAL NOT NULL DEFAULT 0,
    input_tokens  INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE delegations (
    run_id         TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    id             TEXT NOT NULL,
    parent_id      TEXT,
    agent          TEXT NOT NULL,
    from_agent     TEXT,
    depth          INTEGER NOT NULL,
    task           TEXT NOT NULL,
    status         TEXT,
    stop_reason    TEXT,
    summary        TEXT,
    artifacts_json TEXT,
    turns          INTEGER NOT NULL DEFAULT 0,
    cost_usd       REAL NOT NULL DEFAULT 0,
    started_at     TEXT NOT NULL,
    ended_at       TEXT,
    PRIMARY KEY (run_id, id)
  );
  CREATE TABLE messages (
    run_id        TEXT NOT NULL,
    delegation_id TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    role          TEXT NOT NULL,
    content       TEXT,
    tool_calls_json TEXT,
    tool_call_id  TEXT,
    created_at    TEXT NOT NULL,
    PRIMARY KEY (run_id, delegation_id, seq),
    FOREIGN KEY (run_id, delegation_id) REFERENCES delegations(run_id, id) ON DELETE CASCADE
  );
  CREATE TABLE model_calls (
    id                  INTEGER PRIMARY KEY,
    run_id              TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    delegation_id       TEXT NOT NULL,
    agent               TEXT NOT NULL,
    turn                INTEGER NOT NULL,
    provider            TEXT NOT NULL,
    model               TEXT NOT NULL,
    response_model      TEXT,
    input_tokens        INTEGER NOT NULL DEFAULT 0,
    output_tokens       INTEGER NOT NULL DEFAULT 0,
    cached_input_tokens INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens    INTEGER NOT NULL DEFAULT 0,
    cost_usd            REAL NOT NULL DEFAULT 0,
    cost_source         TEXT,
    finish_reason       TEXT,
    attempts            INTEGER,
    started_at          TEXT NOT NULL,
    duration_ms         INTEGER,
    error               TEXT
  );
  CREATE INDEX model_calls_by_run ON model_calls(run_id, agent);
  CREATE TABLE tool_calls (
    id             TEXT NOT NULL,
    run_id         TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    delegation_id  TEXT NOT NULL,
    agent          TEXT NOT NULL,
    turn           INTEGER NOT NULL,
    model_call_id  TEXT,
    name           TEXT NOT NULL,
    arguments_json TEXT NOT NULL,
    result_text    TEXT,
    is_error       INTEGER,
    spilled_to     TEXT,
    started_at     TEXT NOT NULL,
    duration_ms    INTEGER,
    PRIMARY KEY (run_id, id)
  );
  CREATE TABLE events (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    type   TEXT NOT NULL,
    agent  TEXT NOT NULL,
    json   TEXT NOT NULL,
    PRIMARY KEY (run_id, seq)
  );
  `,
];
