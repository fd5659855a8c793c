/**
 * How an error ends a command, as a shell sees it (the numbers are in exit-codes.ts): `usage`, the input must be
 * fixed (2); `failure`, the work failed (1); `unavailable`, a service outside mux-swarm did not answer (1, even where
 * a failure counts as bad input); `limit`, a run limit was reached (3); `outage`, a model provider is down and the run
 * resumes later (75); `interrupted`, the run was interrupted (130).
 */
export type ExitKind = 'usage' | 'failure' | 'unavailable' | 'limit' | 'outage' | 'interrupted';

interface ErrorCodeEntry {
  exit: ExitKind;
  /** One line: what the code means. */
  meaning: string;
}

/**
 * Every code a MuxSwarmError may carry, closed: the constructor takes only these. The strings are user-facing (they
 * appear in stream-json `result` lines, tests and docs/errors.md), so none is ever renamed. Older codes spell words
 * with `-`, newer ones with `_`; both stay as they are.
 */
export const ERROR_CODES = {
  // Input: the configuration, the command line, the runs of a workdir.
  config_invalid: { exit: 'usage', meaning: 'a configuration file, goal or option cannot be used' },
  no_model_endpoint: { exit: 'usage', meaning: 'no model endpoint is usable, so the swarm cannot start' },
  model_price_unknown: { exit: 'usage', meaning: 'a USD budget is set but a model has no known price' },
  mcp_server_start_failed: { exit: 'usage', meaning: 'a required MCP server did not start or list its tools' },
  mcp_call_usage: { exit: 'usage', meaning: '`mcp call` or `mcp serve` was invoked wrongly' },
  hub_usage: { exit: 'usage', meaning: 'a hub subcommand was given no hub' },
  run_locked: { exit: 'usage', meaning: 'another live process drives the run' },
  no_state: { exit: 'usage', meaning: 'the workdir has no state database: no run was recorded there' },
  run_not_found: { exit: 'usage', meaning: 'no run has the id given' },
  run_ambiguous: { exit: 'usage', meaning: 'the id given is the start of several run ids' },
  dashboard_listen_failed: { exit: 'usage', meaning: 'the dashboard cannot listen on the host and port given' },
  no_results: { exit: 'usage', meaning: 'the run has no results log (only a loop: goal writes one)' },
  api_key_missing: { exit: 'failure', meaning: 'the environment variable a provider reads its key from is not set' },
  init_would_overwrite: { exit: 'failure', meaning: '`init` would overwrite files (no --force)' },
  nothing_to_resume: { exit: 'failure', meaning: 'every run of the workdir reached a result' },
  run_already_succeeded: { exit: 'failure', meaning: 'the run named for `resume` already succeeded' },
  run_not_replayable: { exit: 'failure', meaning: "the run's journal lacks what a replay needs" },
  replayed_model_failure: { exit: 'failure', meaning: 'a replayed model call failed as it did when recorded' },
  replay_diverged: { exit: 'failure', meaning: 'a replay asked what the recording does not hold' },
  export_state_outside_workdir: { exit: 'failure', meaning: 'the state directory to export is not inside the workdir' },
  import_archive_missing: { exit: 'failure', meaning: 'the archive to import does not exist' },
  import_target_not_empty: { exit: 'failure', meaning: 'the directory to import into is not empty' },
  import_bad_archive: { exit: 'failure', meaning: 'the archive is not one `mux-swarm export` wrote' },
  import_archive_too_new: { exit: 'failure', meaning: 'the archive was written by a newer mux-swarm' },
  import_integrity_failed: { exit: 'failure', meaning: "the archive's state database fails its integrity checks" },
  state_open_failed: { exit: 'failure', meaning: 'the state database cannot be opened' },
  state_too_new: { exit: 'failure', meaning: 'the state database has a newer schema than this mux-swarm reads' },
  results_unreadable: { exit: 'failure', meaning: "a line of the loop's results log cannot be read" },
  sandbox_unavailable: { exit: 'failure', meaning: 'the sandbox backend asked for cannot be used here' },

  // Model providers.
  provider_auth_failed: { exit: 'failure', meaning: 'the endpoint rejected the key (401) or refused access (403)' },
  provider_request_failed: { exit: 'failure', meaning: 'the endpoint refused a request or kept failing after retries' },
  provider_unreachable: { exit: 'failure', meaning: 'no HTTP answer: connection refused, DNS or TLS failure' },
  model_not_found: { exit: 'failure', meaning: 'the endpoint has no such model' },
  model_chain_failed: { exit: 'failure', meaning: "every model of an agent's failover chain failed" },
  request_aborted: { exit: 'failure', meaning: 'a model request was cancelled before it finished' },

  // A run that stopped before the swarm finished it (the run's result line carries the matching subtype).
  run_stopped_max_turns: { exit: 'limit', meaning: 'the run reached its turn limit' },
  run_stopped_max_budget_usd: { exit: 'limit', meaning: 'the run reached its USD budget' },
  run_stopped_max_tokens: { exit: 'limit', meaning: 'the run reached its token budget' },
  run_stopped_timeout: { exit: 'limit', meaning: 'the run reached its time limit' },
  run_stopped_interrupted: { exit: 'interrupted', meaning: 'the run was interrupted' },
  run_stopped_provider_outage: {
    exit: 'outage',
    meaning: 'a model provider failed after its retries; the run resumes',
  },

  // The experiment loop and the exchange between nodes (hub).
  loop_missing: { exit: 'failure', meaning: 'the goal has no loop: front matter' },
  loop_needs_orchestrator: { exit: 'failure', meaning: 'a loop runs in hierarchical mode only' },
  loop_exchange_needs_command: { exit: 'failure', meaning: 'sharing breakthroughs needs loop.command' },
  loop_exchange_no_script: { exit: 'failure', meaning: 'loop.command names no file of the workdir' },
  loop_git_failed: { exit: 'failure', meaning: 'a git command of the experiment loop failed' },
  hub_unreachable: { exit: 'unavailable', meaning: 'the hub database cannot be reached' },
  hub_url_invalid: { exit: 'failure', meaning: 'the hub URL is not a postgres:// URL' },
  hub_not_initialised: { exit: 'failure', meaning: 'the hub has no mux-swarm schema, or an older one (`hub init`)' },
  hub_query_failed: { exit: 'failure', meaning: 'a query on the hub failed' },
  node_name_invalid: { exit: 'failure', meaning: 'a node name has characters a node name may not hold' },
  node_unknown: { exit: 'failure', meaning: 'no node of that name is on the hub' },
  node_not_registered: { exit: 'failure', meaning: 'a node is not registered on the hub' },
  node_key_conflict: { exit: 'failure', meaning: 'a node is registered on the hub with another key' },
  key_exists: { exit: 'failure', meaning: 'a node key already exists where one would be written' },
  key_invalid: { exit: 'failure', meaning: 'a key is not an ed25519 key, or is the wrong half of the pair' },
  key_missing: { exit: 'failure', meaning: 'a key file cannot be read' },
  key_permissions: { exit: 'failure', meaning: 'a private key file is readable by others' },
  claim_malformed: { exit: 'failure', meaning: 'a breakthrough claim is not well formed' },
  breakthrough_empty: { exit: 'failure', meaning: 'the breakthrough changes nothing' },
  breakthrough_not_descendant: { exit: 'failure', meaning: 'the breakthrough does not descend from its base' },
  breakthrough_id_invalid: { exit: 'failure', meaning: 'a breakthrough id is not a number' },
  bundle_too_large: { exit: 'failure', meaning: 'a git bundle is over the size limit' },
  evaluation_failed: { exit: 'failure', meaning: 'an evaluation could not run or failed' },
  evaluation_script_missing: { exit: 'failure', meaning: 'the evaluation script is not in the workdir' },
  experiment_invalid: { exit: 'failure', meaning: 'a work item has no experiment_id' },
  experiment_not_queued: { exit: 'failure', meaning: 'the queue did not take an experiment' },
  git_failed: { exit: 'failure', meaning: 'a git command of the exchange failed' },
  ledger_unreadable: { exit: 'failure', meaning: 'the ledger of seen claims cannot be read' },
  remote_busy: { exit: 'failure', meaning: 'the git remote kept changing under a push' },
  remote_push_failed: { exit: 'failure', meaning: 'a push to the git remote failed' },
  remote_unreachable: { exit: 'failure', meaning: 'the git remote cannot be reached' },
  repo_dirty: { exit: 'failure', meaning: 'the repository has uncommitted changes' },
  verification_config: { exit: 'failure', meaning: 'verification is configured in a way that cannot work' },
  verification_unrecordable: { exit: 'failure', meaning: 'a verification has no commit to be noted on' },
  verification_rejected: { exit: 'failure', meaning: "a peer's breakthrough was refused (the reason is recorded)" },

  // Failure memory and the memory server.
  memory_ambiguous: { exit: 'failure', meaning: 'a fingerprint prefix matches several failures' },
  memory_bad_fix: { exit: 'failure', meaning: 'a fix does not fit its failure' },
  memory_bad_import: { exit: 'failure', meaning: 'a file to import into failure memory cannot be read' },
  memory_no_failure: { exit: 'failure', meaning: 'no error could be recognised in the text given' },
  memory_no_user_store: { exit: 'failure', meaning: '--store user, but the user store is off' },
  memory_not_found: { exit: 'failure', meaning: 'no failure or fix has that id' },
  memory_schema_old: { exit: 'failure', meaning: 'the database is older than failure memory' },
  memory_unknown_failure: { exit: 'failure', meaning: 'a fix names a failure the store does not hold' },
  memory_unknown_fix: { exit: 'failure', meaning: 'no fix has that uid' },
  memory_entity_not_found: { exit: 'failure', meaning: 'the knowledge graph holds no entity of that name' },
  memory_store_closed: { exit: 'failure', meaning: 'the knowledge graph database is closed' },

  // MCP servers and tools.
  tool_name_invalid: { exit: 'failure', meaning: 'a tool name models would reject' },
  'mcp-server-spawn-failed': { exit: 'failure', meaning: "an MCP server's process could not be started" },
  'mcp-server-command-not-found': { exit: 'failure', meaning: "an MCP server's command is not on the PATH" },
  'mcp-server-command-not-executable': { exit: 'failure', meaning: "an MCP server's command is not executable" },
  'mcp-server-cwd-missing': { exit: 'failure', meaning: "an MCP server's working directory does not exist" },
  'mcp-server-exited': { exit: 'failure', meaning: 'an MCP server exited' },
  'mcp-server-bad-output': { exit: 'failure', meaning: 'an MCP server wrote a line that is not JSON-RPC' },
  path_invalid: { exit: 'failure', meaning: 'a path argument cannot name a file' },
  path_not_found: { exit: 'failure', meaning: 'a path inside the allowed roots names nothing' },
  path_outside_roots: { exit: 'failure', meaning: 'a path leads outside every allowed root' },
  unsafe_write_target: { exit: 'failure', meaning: 'a write would go through a link' },
  filesystem_root_invalid: { exit: 'failure', meaning: 'an allowed root is missing or not a directory' },
  file_operation_failed: { exit: 'failure', meaning: 'the system refused a file operation inside the roots' },
  edit_invalid: { exit: 'failure', meaning: 'an edit has an empty oldText' },
  edit_not_found: { exit: 'failure', meaning: "an edit's oldText is not in the file" },
  fetch_failed: { exit: 'failure', meaning: 'the fetch server could not or would not fetch a URL' },
  'python-workdir-missing': { exit: 'failure', meaning: "the python server's workdir cannot be opened" },
  'python-script-missing': { exit: 'failure', meaning: 'the script does not exist under the workdir' },
  'python-script-outside-workdir': { exit: 'failure', meaning: 'the script resolves outside the workdir' },
  'python-script-not-file': { exit: 'failure', meaning: 'the script is not a file' },
  'python-snippet-write-failed': { exit: 'failure', meaning: 'the code could not be written to a temporary file' },
  'shell-workdir-missing': { exit: 'failure', meaning: "the shell server's workdir cannot be opened" },
  'shell-cwd-missing': { exit: 'failure', meaning: 'cwd does not exist under the workdir' },
  'shell-cwd-outside-workdir': { exit: 'failure', meaning: 'cwd resolves outside the workdir' },
  'shell-cwd-not-directory': { exit: 'failure', meaning: 'cwd is not a directory' },
  'jobs-closed': { exit: 'failure', meaning: 'the server is shutting down; no job can start' },
  'job-limit-reached': { exit: 'failure', meaning: 'as many jobs run as the server allows' },
  'unknown-job': { exit: 'failure', meaning: 'no job has that id' },
  'training-job-running': { exit: 'failure', meaning: 'the same training job is already running' },
  'job-record-write-failed': { exit: 'failure', meaning: "a job's record could not be written" },
  'job-record-unreadable': { exit: 'failure', meaning: 'a job record is not JSON' },
  'job-record-too-new': { exit: 'failure', meaning: 'a job record was written by a newer mux-swarm' },
  'job-record-invalid': { exit: 'failure', meaning: 'a job record is not valid' },
  'job-stdin-detached': { exit: 'failure', meaning: "a re-attached job's standard input cannot be written" },
  'job-stdin-closed': { exit: 'failure', meaning: "a job's standard input is closed" },
  'job-stdin-write-failed': { exit: 'failure', meaning: "writing to a job's standard input failed" },
  'job-log-create-failed': { exit: 'failure', meaning: "a job's log file could not be created" },
  'job-log-unreadable': { exit: 'failure', meaning: "a job's output could not be read" },
  'job-cursor-past-end': { exit: 'failure', meaning: "an output cursor is past the end of a job's output" },

  // The supervisor: watchdog and process groups.
  'watchdog-invalid-option': { exit: 'failure', meaning: 'a watchdog option is out of range' },
  'watchdog-spawn-failed': { exit: 'failure', meaning: 'the watchdog cannot start its worker' },
  'invalid-process-group-id': { exit: 'failure', meaning: 'a process group id is not an integer above 1' },
  'process-group-unkillable': { exit: 'failure', meaning: 'a process group survived SIGKILL' },
} as const satisfies Record<string, ErrorCodeEntry>;

/** A code a MuxSwarmError may carry: tsc rejects any other string. */
export type ErrorCode = keyof typeof ERROR_CODES;
