import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { Goal } from '../../config/load-goal.js';
import { ConfigError } from '../../errors/config-error.js';
import { isMuxSwarmError } from '../../errors/mux-swarm-error.js';
import type { Cassette } from '../../replay/cassette.js';
import type { ReplaySession, ReplayTools } from '../../replay/replay-session-models.js';
import type { ErrorCode } from '../../errors/error-codes.js';
import { EXIT_CODES } from '../../errors/exit-codes.js';
import type { RunRecord } from '../../state/run-record.js';
import type { CommandOutcome } from '../command-outcome.js';
import { addProjectOptions, commaList } from '../common-options.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../output-format.js';
import { PACKAGE_VERSION } from '../package-info.js';
import type { Project, ProjectOptions } from '../project.js';

interface ReplayOptions extends ProjectOptions {
  tools: ReplayTools;
  agents?: string[];
  flat?: boolean;
  hierarchical?: boolean;
  goal?: string;
  outputFormat: OutputFormat;
  verbose?: boolean;
}

/** Errors that mean "that is not something to replay": usage (exit 2), not a divergence. */
const NOT_REPLAYABLE = new Set<ErrorCode>(['no_state', 'run_not_found', 'run_ambiguous', 'run_not_replayable']);

/**
 * `mux-swarm replay <run-id | cassette.jsonl>`: runs the recorded goal again with every model call answered from
 * the recording (matched by a hash of what was asked), tools live or (`--tools recorded`) answered from it too.
 * Exit 0: the run replayed to the recorded outcome; 1: it diverged (the first unmatched request is reported with a
 * diff) or ended otherwise; 2: usage.
 */
export function registerReplayCommand(program: Command, outcome: CommandOutcome): void {
  const command = program
    .command('replay')
    .description(
      'run a recorded run again offline: models answered from the recording, tools live (or recorded); exit 1 on the first divergence (docs/replay.md)',
    )
    .argument(
      '<source>',
      'a run id (a unique prefix, or "last") of this workdir, or a cassette written by `mux-swarm export <run> --cassette`',
    )
    .addOption(
      new Option(
        '--tools <mode>',
        'live: MCP tools run for real; recorded: their results come from the recording and nothing runs',
      )
        .choices(['live', 'recorded'])
        .default('live'),
    )
    .option(
      '-g, --goal <file>',
      "the goal file to replay with (default: the recorded goal's file when it exists here, else the recorded goal text)",
    )
    .option(
      '-a, --agents <names>',
      'only these specialists, as `run --agents` (give the same as the recorded run had)',
      commaList,
    )
    .option('--flat', 'specialists work the goal one after another (as `run --flat`)')
    .option('--hierarchical', 'the orchestrator plans and delegates (as `run --hierarchical`)')
    .addOption(
      new Option(
        '-f, --output-format <format>',
        'text (progress on stderr), json (one result object), stream-json (NDJSON events)',
      )
        .choices(OUTPUT_FORMATS)
        .default('text'),
    )
    .option('-v, --verbose', 'full assistant text and tool results in the progress');
  addProjectOptions(command).action(async (source: string, options: ReplayOptions) => {
    if (options.flat && options.hierarchical)
      throw new ConfigError('command line', [{ path: '', message: '--flat and --hierarchical exclude each other' }]);
    const [{ loadProject }, { runSession }, { replaySession }] = await Promise.all([
      import('../project.js'),
      import('../run-session.js'),
      import('../../replay/replay-session-models.js'),
    ]);
    const cassette = await loadRecording(source, options);
    const project = withoutUserStore(loadProject(options));
    const goal = await replayGoal(cassette, options.goal);
    const session = replaySession(cassette, options.tools);
    await runSession({
      project,
      goal,
      choice: { kind: 'fresh' },
      // The team is swarm.json's, as a run's would be: a specialist added since the recording is a divergence.
      overrides: {
        mode: options.flat ? 'flat' : options.hierarchical ? 'hierarchical' : undefined,
        agents: options.agents,
      },
      outputFormat: options.outputFormat,
      verbose: options.verbose === true,
      environment: process.env,
      models: session.models,
    });
    outcome.exitCode = await reportVerdict(session, cassette, project, options);
  });
}

/** The cassette of `source`: a cassette file, or a run of this workdir read from its journal. */
async function loadRecording(source: string, options: ReplayOptions): Promise<Cassette> {
  const [{ readCassette }, { cassetteFromJournal }, { resolveRunId, withStateDatabase }] = await Promise.all([
    import('../../replay/cassette.js'),
    import('../../replay/cassette-from-journal.js'),
    import('../state-access.js'),
  ]);
  if (existsSync(source) || /\.jsonl?$/i.test(source)) return readCassette(source);
  try {
    return withStateDatabase(options, (database, location) => {
      const runId = resolveRunId(database, source);
      return cassetteFromJournal(database, runId, {
        workdir: location.workdir,
        stateDirectory: location.stateDirectory,
        scrubber: location.scrubber,
        muxSwarmVersion: PACKAGE_VERSION,
      });
    });
  } catch (error) {
    if (isMuxSwarmError(error) && NOT_REPLAYABLE.has(error.code))
      throw new ConfigError(
        source,
        [{ path: '', message: error.message }],
        'Give a run id of this workdir (see `mux-swarm runs`) or a cassette file.',
      );
    throw error;
  }
}

/** The goal to replay: --goal, else the recorded goal's file when it is here, else the recorded goal text. */
async function replayGoal(cassette: Cassette, goalOption: string | undefined): Promise<Goal> {
  const { loadGoalFile, parseGoal } = await import('../../config/load-goal.js');
  if (goalOption !== undefined) return loadGoalFile(goalOption, process.cwd());
  const { goalSource, goalText, goalName } = cassette.header.run;
  if (goalSource !== 'stdin' && goalSource !== '--task' && existsSync(resolve(goalSource)))
    return loadGoalFile(goalSource, process.cwd());
  const goal = parseGoal(goalText, goalSource, goalName);
  return { ...goal, name: goalName };
}

/** A replay neither reads nor feeds the user's failure memory: known fixes from elsewhere would change what is asked. */
function withoutUserStore(project: Project): Project {
  const inner = project.config.config;
  return {
    ...project,
    config: { ...project.config, config: { ...inner, memory: { ...inner.memory, shareWithUserStore: false } } },
  };
}

/** Prints how the replay compares with the recording (stderr; also a JSON line in the machine formats) and returns the exit code. */
async function reportVerdict(
  session: ReplaySession,
  cassette: Cassette,
  project: Project,
  options: ReplayOptions,
): Promise<number> {
  const recorded = cassette.header.run;
  const replayed = await replayedRun(project, session.runId());
  const { library } = session;
  const divergence = library.divergence;
  const sameOutcome =
    divergence === undefined &&
    replayed !== undefined &&
    replayed.status === recorded.status &&
    replayed.subtype === recorded.subtype;
  const answered = `${library.answered} model call${library.answered === 1 ? '' : 's'}${options.tools === 'recorded' ? ` and ${library.toolsAnswered} tool call${library.toolsAnswered === 1 ? '' : 's'}` : ''} answered from the recording`;
  const lines: string[] = [];
  if (divergence) {
    lines.push(`replay DIVERGED at ${divergence.agent}, turn ${divergence.turn}: ${divergence.reason}`);
    if (divergence.diff.trim() !== '') lines.push(divergence.diff.trimEnd());
    lines.push(`(${answered} before that)`);
  } else if (!sameOutcome) {
    lines.push(
      `replay ended ${describeOutcome(replayed)}; the recording ended ${recorded.status} (${recorded.subtype ?? 'no subtype'}); ${answered}`,
    );
  } else {
    const unused = library.unanswered;
    lines.push(
      `replay reached the recorded outcome: ${recorded.status} (${recorded.subtype ?? 'no subtype'}); ${answered}${unused > 0 ? `; ${unused} recorded call${unused === 1 ? ' was' : 's were'} not asked` : ''}`,
    );
  }
  if (replayed) {
    const team = teamDifference(recorded, replayed);
    if (team !== undefined) lines.push(team);
    lines.push(`the replayed run is ${replayed.id} (mux-swarm show ${replayed.id})`);
  }
  process.stderr.write(project.config.scrubber.text(`${lines.join('\n')}\n`));
  if (options.outputFormat !== 'text') {
    const verdict = {
      type: 'replay',
      outcome: divergence ? 'diverged' : sameOutcome ? 'same' : 'different',
      recorded: { run_id: recorded.id, status: recorded.status, subtype: recorded.subtype },
      replayed: replayed ? { run_id: replayed.id, status: replayed.status, subtype: replayed.subtype } : null,
      model_calls_answered: library.answered,
      tool_calls_answered: library.toolsAnswered,
      ...(divergence ? { divergence } : {}),
    };
    process.stdout.write(project.config.scrubber.text(`${JSON.stringify(verdict)}\n`));
  }
  return sameOutcome ? EXIT_CODES.success : EXIT_CODES.goalFailed;
}

/** A note when the replay's mode or specialists are not the recording's (a changed swarm.json, or `run --agents`/`--flat` then). */
function teamDifference(recorded: Cassette['header']['run'], replayed: RunRecord): string | undefined {
  const notes: string[] = [];
  if (recorded.mode !== replayed.mode)
    notes.push(
      `the recording ran ${recorded.mode}, this replay ${replayed.mode} (--${recorded.mode} replays it as recorded)`,
    );
  let specialists: string[] | undefined;
  try {
    const settings = JSON.parse(replayed.settings_json) as { agents?: Array<{ name: string; role: string }> };
    specialists = settings.agents?.filter((agent) => agent.role !== 'orchestrator').map((agent) => agent.name);
  } catch {
    specialists = undefined;
  }
  if (
    recorded.agents !== undefined &&
    specialists !== undefined &&
    recorded.agents.join(',') !== specialists.join(',')
  ) {
    notes.push(
      `the recording had the specialists ${recorded.agents.join(', ') || 'none'} in play, this replay ${specialists.join(', ') || 'none'} (--agents ${recorded.agents.join(',')} replays the recorded team)`,
    );
  }
  return notes.length === 0 ? undefined : `note: ${notes.join('; ')}`;
}

function describeOutcome(run: RunRecord | undefined): string {
  return run === undefined ? 'before its first model call' : `${run.status} (${run.subtype ?? 'no subtype'})`;
}

/** The replayed run's outcome, from the journal. */
async function replayedRun(project: Project, runId: string | undefined): Promise<RunRecord | undefined> {
  if (runId === undefined) return undefined;
  const [{ openDatabase }, { runRecord }] = await Promise.all([
    import('../../state/database.js'),
    import('../../state/run-record.js'),
  ]);
  const database = openDatabase(project.config.stateDirectory);
  try {
    return runRecord(database, runId);
  } finally {
    database.close();
  }
}
