import { Option, type Command } from 'commander';
import type { Goal } from '../../config/load-goal.js';
import { MAX_PROJECT_FILE_BYTES } from '../../config/read-project-file.js';
import { ConfigError } from '../../errors/config-error.js';
import { describeError } from '../../errors/mux-swarm-error.js';
import type { ResultEvent } from '../../events/event-schema.js';
import { RUNTIME_AGENT } from '../../events/runtime-agent.js';
import type { LoopExchangeOpener } from '../../runtime/loop/loop-exchange.js';
import { EXIT_CODES } from '../../errors/exit-codes.js';
import type { CommandOutcome } from '../command-outcome.js';
import { addProjectOptions, commaList, positiveInteger, positiveNumber } from '../common-options.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../output-format.js';
import type { ProjectOptions } from '../project.js';
import type { RunChoice } from '../run-choice.js';
import { resumeArguments } from '../resume-hint.js';
import { portNumber } from './serve-options.js';
import { durationOption, invocationArgs, superviseCommand } from './watch-command.js';

/** What `run` and `resume` take besides the goal. */
export interface RunLaunchOptions extends ProjectOptions {
  agents?: string[];
  flat?: boolean;
  hierarchical?: boolean;
  output?: string;
  outputFormat: OutputFormat;
  maxTurns?: number;
  maxBudgetUsd?: number;
  maxTokens?: number;
  timeout?: string;
  provider?: string;
  model?: string;
  verbose?: boolean;
}

interface RunOptions extends RunLaunchOptions {
  task?: string;
  fresh?: boolean;
  watchdog?: boolean;
  retryOutage?: string;
  hub?: string;
  remote?: string;
  node?: string;
  keys?: string;
  serve?: true | number;
}

export function registerRunCommand(program: Command, outcome: CommandOutcome): void {
  const command = program
    .command('run')
    .description(
      'work a goal with the swarm until it completes, fails, or hits a limit; an unfinished run of the same goal is resumed',
    )
    .argument('[goal]', 'markdown goal file, or - to read it from stdin')
    .option('-t, --task <text>', 'a one-line goal instead of a file')
    .option('--fresh', 'start a new run even when an unfinished run of this goal is recorded in the workdir')
    .option(
      '--serve [port]',
      'also serve the web dashboard on 127.0.0.1 while the run goes on (default port 8080; docs/dashboard.md)',
      portNumber,
    );
  addRunOptions(command)
    .option('--watchdog', 'run under a watchdog that restarts the run when it crashes or hangs (docs/watchdog.md)')
    .option(
      '--retry-outage <duration>',
      'with --watchdog: wait out a model provider outage for this long (30m, 2h), resuming the run with backoff',
    );
  command
    .addOption(
      new Option(
        '--hub <url>',
        "share the loop's breakthroughs through this PostgreSQL hub (needs --node; docs/hub.md)",
      ).env('MUX_SWARM_HUB_URL'),
    )
    .option(
      '--remote <repo>',
      "share the loop's breakthroughs through this git remote (a bare repository's path or a URL) instead of a hub",
    )
    .option('--node <name>', "this node's name on the hub or remote: its claims are signed with <keys>/<name>.key")
    .option(
      '--keys <dir>',
      'where the node keys are (default ~/.mux-swarm/keys; `mux-swarm hub keygen --node <name>` makes them)',
    );
  addProjectOptions(command).action(async (goalArgument: string | undefined, options: RunOptions) => {
    outcome.reportFailure = (error, usage) => reportEarlyFailure(options.outputFormat, error, usage);
    if (options.retryOutage !== undefined && !options.watchdog) {
      throw new ConfigError('command line', [
        {
          path: '',
          message:
            '--retry-outage needs --watchdog (the watchdog waits out the outage and resumes the run); or resume it yourself later with `mux-swarm resume`',
        },
      ]);
    }
    if (options.watchdog) {
      outcome.exitCode = await superviseCommand(invocationArgs(program), {
        retryOutageMs: await durationOption('--retry-outage', options.retryOutage),
      });
      return;
    }
    const goal = await readGoal(goalArgument, options.task);
    const [{ prepareLoopExchange }, { watchdogRun }] = await Promise.all([
      import('../loop-exchange-open.js'),
      import('../../supervisor/heartbeat.js'),
    ]);
    const loopExchange = prepareLoopExchange(goal, {
      ...options,
      hubFromEnvironment: command.getOptionValueSource('hub') === 'env',
    });
    // Under the watchdog a restart resumes the run the first worker drove, even when that one started it fresh.
    const restarted = watchdogRun();
    const dashboard = options.serve === undefined ? undefined : await serveDuringRun(options, options.serve);
    try {
      outcome.exitCode = await startRun(
        goal,
        options,
        restarted !== undefined
          ? { kind: 'named', run: restarted }
          : options.fresh
            ? { kind: 'fresh' }
            : { kind: 'auto' },
        loopExchange,
      );
    } finally {
      await dashboard?.close();
    }
  });
}

/**
 * `run --serve`: the dashboard in the run's own process, on loopback. It reads the state database through its
 * own read-only connection, as `serve` does from another process, so the run's hot path does not see it.
 */
async function serveDuringRun(options: RunOptions, port: true | number): Promise<{ close(): Promise<void> }> {
  const { launchDashboard } = await import('../dashboard-launch.js');
  const dashboard = await launchDashboard(
    options,
    { host: '127.0.0.1', port: port === true ? 8080 : port, readOnly: false },
    process.env,
  );
  process.stderr.write(`mux-swarm dashboard: ${dashboard.url}\n`);
  return dashboard;
}

/** Options `run` and `resume` share: the team, the limits, the output. */
export function addRunOptions(command: Command): Command {
  return command
    .option('-a, --agents <names>', 'only these specialists (comma-separated); in flat mode, their order', commaList)
    .option('--flat', 'specialists work the goal one after another')
    .option('--hierarchical', 'the orchestrator plans and delegates')
    .option('-o, --output <file.md>', 'also write the final result as markdown')
    .addOption(
      new Option(
        '-f, --output-format <format>',
        'text (live progress on stderr), json (one result object), stream-json (NDJSON events)',
      )
        .choices(OUTPUT_FORMATS)
        .default('text'),
    )
    .option('--max-turns <n>', 'model turns across the run', positiveInteger)
    .option('--max-budget-usd <usd>', 'stop when the run has cost this much', positiveNumber)
    .option('--max-tokens <n>', 'stop after this many input + output tokens', positiveInteger)
    .option('--timeout <duration>', 'wall-clock limit: 90s, 45m, 2h, 1h30m')
    .option('--provider <name>', 'run every agent on this provider from config.json')
    .option('--model <id>', 'run every agent on this model')
    .option('-v, --verbose', 'full assistant text and tool results in the progress');
}

/** Drives `goal` as `choice` says (new, resumed or named run), with the heartbeat a watchdog reads. */
export async function startRun(
  goal: Goal,
  options: RunLaunchOptions,
  choice: RunChoice,
  loopExchange?: LoopExchangeOpener,
): Promise<number> {
  if (options.flat && options.hierarchical)
    throw new ConfigError('command line', [{ path: '', message: '--flat and --hierarchical exclude each other' }]);
  const [{ parseDuration }, { loadProject }, { withHeartbeat }, { runSession }] = await Promise.all([
    import('../../text/duration.js'),
    import('../project.js'),
    import('../../supervisor/heartbeat.js'),
    import('../run-session.js'),
  ]);
  const timeoutMs = options.timeout === undefined ? undefined : parseDuration(options.timeout);
  if (options.timeout !== undefined && timeoutMs === undefined)
    throw new ConfigError('command line', [
      { path: '', message: `--timeout "${options.timeout}" is not a duration; use e.g. 90s, 45m, 2h or 1h30m` },
    ]);
  const project = loadProject(options);
  return withHeartbeat(() =>
    runSession({
      project,
      goal,
      choice,
      overrides: {
        mode: options.flat ? 'flat' : options.hierarchical ? 'hierarchical' : undefined,
        agents: options.agents,
        maxTurns: options.maxTurns,
        maxBudgetUsd: options.maxBudgetUsd,
        maxTokens: options.maxTokens,
        timeoutMs,
        provider: options.provider,
        model: options.model,
      },
      outputFormat: options.outputFormat,
      outputFile: options.output,
      verbose: options.verbose === true,
      environment: process.env,
      resumeArguments: resumeArguments(options),
      ...(loopExchange ? { loopExchange } : {}),
    }),
  );
}

async function readGoal(argument: string | undefined, task: string | undefined): Promise<Goal> {
  if (argument !== undefined && task !== undefined)
    throw new ConfigError('command line', [{ path: '', message: 'give a goal file or --task, not both' }]);
  const { loadGoalFile, parseGoal } = await import('../../config/load-goal.js');
  if (task !== undefined) return parseGoal(task, '--task');
  if (argument === undefined)
    throw new ConfigError('command line', [
      { path: '', message: 'no goal: give a markdown goal file, - to read one from stdin, or --task "…"' },
    ]);
  if (argument === '-') return parseGoal(await readStandardInput(), 'stdin');
  return loadGoalFile(argument, process.cwd());
}

/** The goal piped in, at most MAX_PROJECT_FILE_BYTES like a goal file: `run - < /dev/zero` is refused, not read without end. */
async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    bytes += (chunk as Buffer).length;
    if (bytes > MAX_PROJECT_FILE_BYTES) {
      process.stdin.destroy();
      throw new ConfigError('stdin', [
        {
          path: '',
          message: `the goal on standard input is larger than ${MAX_PROJECT_FILE_BYTES / (1024 * 1024)} MiB, the most a goal may hold; pipe a markdown goal`,
        },
      ]);
    }
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** In the machine formats, a run that could not start still ends with a `result` line on stdout. */
export function reportEarlyFailure(format: OutputFormat, error: unknown, usage: boolean): void {
  if (format === 'text') return;
  const zero = { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, reasoning_tokens: 0 };
  const event: ResultEvent = {
    type: 'result',
    seq: 0,
    run_id: 'not-started',
    session_id: 'not-started',
    agent: RUNTIME_AGENT,
    timestamp: new Date().toISOString(),
    subtype: usage ? 'error_config' : 'error_during_execution',
    is_error: true,
    exit_code: usage ? EXIT_CODES.usage : EXIT_CODES.goalFailed,
    num_turns: 0,
    total_cost_usd: 0,
    usage: zero,
    usage_by_agent: {},
    usage_by_model: {},
    duration_ms: 0,
    result: describeError(error),
    artifacts: [],
  };
  process.stdout.write(`${JSON.stringify(event)}\n`);
}
