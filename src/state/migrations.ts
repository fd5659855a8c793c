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
  /* 2: the memory server's knowledge graph, with a full-text index (one row per entity) kept in sync by triggers */ `
  CREATE TABLE memory_entities (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    entity_type TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
  );
  CREATE TABLE memory_observations (
    id         INTEGER PRIMARY KEY,
    entity_id  INTEGER NOT NULL REFERENCES memory_entities(id) ON DELETE CASCADE,
    content    TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (entity_id, content)
  );
  -- Relations name their ends, as in @modelcontextprotocol/server-memory: an end need not exist (yet).
  CREATE TABLE memory_relations (
    id            INTEGER PRIMARY KEY,
    from_entity   TEXT NOT NULL,
    to_entity     TEXT NOT NULL,
    relation_type TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    UNIQUE (from_entity, to_entity, relation_type)
  );
  CREATE INDEX memory_relations_by_target ON memory_relations(to_entity);
  CREATE VIRTUAL TABLE memory_search USING fts5(
    name, entity_type, observations,
    tokenize = 'unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER memory_entity_indexed AFTER INSERT ON memory_entities BEGIN
    INSERT INTO memory_search (rowid, name, entity_type, observations) VALUES (new.id, new.name, new.entity_type, '');
  END;
  CREATE TRIGGER memory_entity_reindexed AFTER UPDATE OF name, entity_type ON memory_entities BEGIN
    UPDATE memory_search SET name = new.name, entity_type = new.entity_type WHERE rowid = new.id;
  END;
  CREATE TRIGGER memory_entity_unindexed AFTER DELETE ON memory_entities BEGIN
    DELETE FROM memory_search WHERE rowid = old.id;
  END;
  CREATE TRIGGER memory_observation_indexed AFTER INSERT ON memory_observations BEGIN
    UPDATE memory_search
       SET observations = (SELECT group_concat(content, char(10)) FROM memory_observations WHERE entity_id = new.entity_id)
     WHERE rowid = new.entity_id;
  END;
  CREATE TRIGGER memory_observation_unindexed AFTER DELETE ON memory_observations BEGIN
    UPDATE memory_search
       SET observations = coalesce((SELECT group_concat(content, char(10)) FROM memory_observations WHERE entity_id = old.entity_id), '')
     WHERE rowid = old.entity_id;
  END;
  `,
  /* 3: the journal for resuming: model calls recorded as an intent before they are made, what each tool result
        showed the model, and the sessions (processes) that drove a run, which double as its lock */ `
  ALTER TABLE model_calls ADD COLUMN status TEXT NOT NULL DEFAULT 'completed' CHECK (status IN ('started', 'completed', 'failed'));
  CREATE INDEX model_calls_by_turn ON model_calls(run_id, delegation_id, turn);
  ALTER TABLE tool_calls ADD COLUMN reply_text TEXT;
  CREATE TABLE run_sessions (
    run_id        TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    session       INTEGER NOT NULL,
    hostname      TEXT NOT NULL,
    pid           INTEGER NOT NULL,
    process_start TEXT,
    started_at    TEXT NOT NULL,
    heartbeat_at  TEXT NOT NULL,
    ended_at      TEXT,
    PRIMARY KEY (run_id, session)
  );
  `,
  /* 4: training jobs of the built-in training server: one row per job (how it ended, its GPU time and cost) and
        the progress lines its trainer printed (log, eval, checkpoint, …), for events, the report and resume */ `
  CREATE TABLE training_jobs (
    run_id          TEXT NOT NULL DEFAULT '',
    job_id          TEXT NOT NULL,
    name            TEXT,
    command         TEXT NOT NULL,
    cwd             TEXT NOT NULL,
    log_file        TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    ended_at        TEXT,
    state           TEXT NOT NULL DEFAULT 'running',
    classification  TEXT,
    outcome_json    TEXT,
    exit_code       INTEGER,
    signal          TEXT,
    last_step       INTEGER,
    total_steps     INTEGER,
    last_progress_at TEXT,
    log_cursor      INTEGER NOT NULL DEFAULT 0,
    gpu_hourly_usd  REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, job_id)
  );
  CREATE TABLE training_metrics (
    run_id     TEXT NOT NULL DEFAULT '',
    job_id     TEXT NOT NULL,
    log_offset INTEGER NOT NULL,
    event      TEXT NOT NULL,
    step       INTEGER,
    data_json  TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (run_id, job_id, log_offset)
  );
  CREATE INDEX training_metrics_by_step ON training_metrics(run_id, job_id, event, step);
  `,
  /* 5: failure memory — every failure's fingerprint, the fixes recorded for it (by the runtime when the failed step
        later succeeded, or by agents) with how often each worked, and the files as they were when a step failed, to
        diff against when it succeeds. The same tables hold the user-level store (~/.mux-swarm/memory.db). */ `
  CREATE TABLE failures (
    fingerprint   TEXT PRIMARY KEY,
    kind          TEXT NOT NULL,
    type          TEXT NOT NULL,
    message       TEXT NOT NULL,
    frame         TEXT,
    example       TEXT NOT NULL,
    occurrences   INTEGER NOT NULL DEFAULT 0,
    first_seen_at TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL
  );
  CREATE TABLE failure_fixes (
    id          INTEGER PRIMARY KEY,
    uid         TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL REFERENCES failures(fingerprint) ON DELETE CASCADE,
    description TEXT NOT NULL,
    explanation TEXT,
    files_json  TEXT NOT NULL DEFAULT '[]',
    diff        TEXT,
    source      TEXT NOT NULL CHECK (source IN ('runtime', 'agent', 'import')),
    run_id      TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    worked      INTEGER NOT NULL DEFAULT 0,
    failed      INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX failure_fixes_by_fingerprint ON failure_fixes(fingerprint);
  CREATE VIRTUAL TABLE failure_search USING fts5(
    fingerprint UNINDEXED, type, message, example, fixes,
    tokenize = 'unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER failure_indexed AFTER INSERT ON failures BEGIN
    INSERT INTO failure_search (rowid, fingerprint, type, message, example, fixes) VALUES (new.rowid, new.fingerprint, new.type, new.message, new.example, '');
  END;
  CREATE TRIGGER failure_reindexed AFTER UPDATE OF type, message, example ON failures BEGIN
    UPDATE failure_search SET type = new.type, message = new.message, example = new.example WHERE rowid = new.rowid;
  END;
  CREATE TRIGGER failure_unindexed AFTER DELETE ON failures BEGIN
    DELETE FROM failure_search WHERE rowid = old.rowid;
  END;
  CREATE TRIGGER failure_fix_indexed AFTER INSERT ON failure_fixes BEGIN
    UPDATE failure_search
       SET fixes = (SELECT group_concat(description || ' ' || coalesce(explanation, ''), char(10)) FROM failure_fixes WHERE fingerprint = new.fingerprint)
     WHERE fingerprint = new.fingerprint;
  END;
  CREATE TRIGGER failure_fix_unindexed AFTER DELETE ON failure_fixes BEGIN
    UPDATE failure_search
       SET fixes = coalesce((SELECT group_concat(description || ' ' || coalesce(explanation, ''), char(10)) FROM failure_fixes WHERE fingerprint = old.fingerprint), '')
     WHERE fingerprint = old.fingerprint;
  END;
  CREATE TABLE failure_steps (
    id             INTEGER PRIMARY KEY,
    run_id         TEXT NOT NULL,
    step_key       TEXT NOT NULL,
    fingerprint    TEXT NOT NULL,
    agent          TEXT,
    delegation_id  TEXT,
    failed_at      TEXT NOT NULL,
    snapshot_json  TEXT NOT NULL,
    resolved_at    TEXT,
    fix_uid        TEXT
  );
  CREATE INDEX failure_steps_open ON failure_steps(run_id, step_key, resolved_at);
  `,
  /* 6: where the goal's phases stood by their checks when the run ended ({done, total, unchecked, first_unmet}) */ `
  ALTER TABLE runs ADD COLUMN phases_json TEXT;
  `,
  /* 7: failure memory judged per launch — a failed step remembers the launch that failed, and is closed once, by the
        next launch of the same step (its change since the failure, then that launch's outcome); a job's end is judged
        once (failure_job_ends), whatever tool or notice reported it; "ran again unchanged" is a retry observation on the
        failure (retry_worked / retry_failed), not a fix: the old no-change fixes become retry counts. */ `
  ALTER TABLE failures ADD COLUMN retry_worked INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE failures ADD COLUMN retry_failed INTEGER NOT NULL DEFAULT 0;
  UPDATE failures SET retry_worked = (
    SELECT coalesce(sum(worked), 0) FROM failure_fixes x
     WHERE x.fingerprint = failures.fingerprint AND x.diff IS NULL AND x.files_json = '[]' AND x.description LIKE 'Ran again with no change%'
  );
  DELETE FROM failure_fixes WHERE diff IS NULL AND files_json = '[]' AND description LIKE 'Ran again with no change%';
  ALTER TABLE failure_steps ADD COLUMN failed_launch TEXT;
  ALTER TABLE failure_steps ADD COLUMN relaunch_call TEXT;
  ALTER TABLE failure_steps ADD COLUMN relaunch_job TEXT;
  ALTER TABLE failure_steps ADD COLUMN relaunched_at TEXT;
  ALTER TABLE failure_steps ADD COLUMN change_json TEXT;
  ALTER TABLE failure_steps ADD COLUMN outcome TEXT;
  CREATE INDEX failure_steps_relaunch ON failure_steps(run_id, relaunch_call);
  CREATE TABLE failure_job_ends (
    run_id      TEXT NOT NULL,
    job_key     TEXT NOT NULL,
    fingerprint TEXT,
    judged_at   TEXT NOT NULL,
    PRIMARY KEY (run_id, job_key)
  );
  `,
  /* 8: failover chains — every time a call moved off an entry of an agent's chain (why, to which entry, until when the
        entry is passed over: a resumed run restores that), and which entry answered each model call (provider and
        model of model_calls are now the entry that answered; requested_* keep the chain's first entry) */ `
  CREATE TABLE model_failovers (
    id            INTEGER PRIMARY KEY,
    run_id        TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    delegation_id TEXT NOT NULL,
    agent         TEXT NOT NULL,
    turn          INTEGER NOT NULL,
    from_entry    TEXT NOT NULL,
    to_entry      TEXT,
    kind          TEXT NOT NULL,
    reason        TEXT NOT NULL,
    cooled_until  TEXT,
    duration_ms   INTEGER NOT NULL,
    at            TEXT NOT NULL
  );
  CREATE INDEX model_failovers_by_run ON model_failovers(run_id);
  ALTER TABLE model_calls ADD COLUMN requested_provider TEXT;
  ALTER TABLE model_calls ADD COLUMN requested_model TEXT;
  `,
  /* 9: record and replay: each model call's request hash (agent, model, messages, tools offered; normalised and
     scrubbed), the tool set it offered, how many transcript messages it sent; tool sets stored once each */ `
  ALTER TABLE model_calls ADD COLUMN request_hash TEXT;
  ALTER TABLE model_calls ADD COLUMN request_tools TEXT;
  ALTER TABLE model_calls ADD COLUMN request_messages INTEGER;
  CREATE TABLE request_tool_sets (
    hash       TEXT PRIMARY KEY,
    tools_json TEXT NOT NULL
  );
  `,
];
