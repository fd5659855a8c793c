import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { PACKAGE_ROOT } from '../../config/package-root.js';
import { ConfigError } from '../../errors/config-error.js';
import type { CommandOutcome } from '../command-outcome.js';
import { positiveInteger } from '../common-options.js';

/** The CLI script the worker runs: the package's bin/mux-swarm. */
const CLI_SCRIPT = join(PACKAGE_ROOT, 'bin', 'mux-swarm');

interface WatchOptions {
  maxCrashes?: number;
  crashWindow?: string;
  heartbeatTimeout?: string;
  stopGrace?: string;
  retryOutage?: string;
}

export interface SuperviseOptions {
  maxCrashes?: number;
  crashWindowMs?: number;
  heartbeatTimeoutMs?: number;
  stopGraceMs?: number;
  /** `--retry-outage`: how long a provider outage is waited out. */
  retryOutageMs?: number;
}

export function registerWatchCommand(program: Command, outcome: CommandOutcome): void {
  program
    .command('watch')
    .description('run a mux-swarm command (usually run) under a watchdog that restarts it when it crashes or hangs')
    .argument('<command...>', 'the command to supervise, after --: watch -- run goal.md')
    .option(
      '--max-crashes <n>',
      'crashes tolerated within the crash window before giving up (default 5)',
      positiveInteger,
    )
    .option('--crash-window <duration>', 'the window crashes are counted in (default 10m)')
    .option('--heartbeat-timeout <duration>', 'a worker silent for this long is killed and restarted (default 60s)')
    .option('--stop-grace <duration>', 'after SIGINT/SIGTERM, how long the worker has before SIGKILL (default 10s)')
    .option(
      '--retry-outage <duration>',
      'wait out a model provider outage (the run stops with exit 75) for this long, resuming with backoff: 30m, 2h',
    )
    .action(async (commandArgs: string[], options: WatchOptions) => {
      outcome.exitCode = await superviseCommand(commandArgs, {
        maxCrashes: options.maxCrashes,
        crashWindowMs: await durationOption('--crash-window', options.crashWindow),
        heartbeatTimeoutMs: await durationOption('--heartbeat-timeout', options.heartbeatTimeout),
        stopGraceMs: await durationOption('--stop-grace', options.stopGrace),
        retryOutageMs: await durationOption('--retry-outage', options.retryOutage),
      });
    });
}

/**
 * Runs `mux-swarm <commandArgs…>` (without any --watchdog) as the watchdog's worker; returns the exit code.
 * Heartbeats and a crash report go to `<state dir>/watchdog/` when the command's config can be read, else to
 * a temporary directory; the crash report's journal position comes from that state directory's database.
 */
export async function superviseCommand(
  commandArgs: readonly string[],
  options: SuperviseOptions = {},
): Promise<number> {
  const workerArgs = withoutWatchdogOptions(commandArgs);
  if (workerArgs.includes('-')) {
    throw new ConfigError('command line', [
      {
        path: '',
        message:
          'under the watchdog the goal cannot come from stdin (-): a restart needs it again. Save it to a file and give its path',
      },
    ]);
  }
  const [{ loadConfig }, { runWatchdog }, { watchdogRunFile }, { stateJournalPositionReader, stateModelAnswersSince }] =
    await Promise.all([
      import('../../config/load-config.js'),
      import('../../supervisor/watchdog.js'),
      import('../../supervisor/heartbeat.js'),
      import('../../supervisor/watchdog-journal-position.js'),
    ]);
  const stateDirectory = findStateDirectory(workerArgs, loadConfig);
  const heartbeatDirectory =
    stateDirectory === undefined
      ? mkdtempSync(join(tmpdir(), 'mux-swarm-watchdog-'))
      : join(stateDirectory, 'watchdog');
  const result = await runWatchdog({
    command: process.execPath,
    args: [CLI_SCRIPT, ...workerArgs],
    heartbeatDirectory,
    journalPosition: stateDirectory === undefined ? undefined : stateJournalPositionReader(stateDirectory),
    maxCrashes: options.maxCrashes,
    crashWindowMs: options.crashWindowMs,
    heartbeatTimeoutMs: options.heartbeatTimeoutMs,
    stopGraceMs: options.stopGraceMs,
    retryOutageMs: options.retryOutageMs,
    ...(stateDirectory === undefined ? {} : { modelAnswersSince: stateModelAnswersSince(stateDirectory) }),
  });
  rmSync(watchdogRunFile(heartbeatDirectory), { force: true });
  removeIfEmpty(heartbeatDirectory);
  return result.exitCode;
}

/** The worker's arguments: the command's own, without the watchdog's (`--watchdog`, `--retry-outage <duration>`). */
function withoutWatchdogOptions(args: readonly string[]): string[] {
  const kept: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const argument = args[index]!;
    if (argument === '--watchdog' || argument.startsWith('--retry-outage=')) continue;
    if (argument === '--retry-outage') {
      index += 1;
      continue;
    }
    kept.push(argument);
  }
  return kept;
}

/**
 * The arguments the program was parsed from (`run goal.md --watchdog`): commander keeps them in `rawArgs`,
 * which its typings do not declare; `process.argv` is what the bin script passes anyway.
 */
export function invocationArgs(program: Command): string[] {
  const rawArgs = (program as Command & { rawArgs?: unknown }).rawArgs;
  return Array.isArray(rawArgs) && rawArgs.length > 0 ? rawArgs.map(String) : process.argv.slice(2);
}

/** The state directory the worker will use, read from its --config/--workdir the way it will; undefined if unreadable. */
function findStateDirectory(
  args: readonly string[],
  loadConfig: typeof import('../../config/load-config.js').loadConfig,
): string | undefined {
  try {
    return loadConfig({
      path: lastOptionValue(args, '--config', '-c') ?? 'config.json',
      environment: process.env,
      currentDirectory: process.cwd(),
      workdirOverride: lastOptionValue(args, '--workdir', '-w'),
    }).stateDirectory;
  } catch {
    return undefined; // the worker will report the problem itself (exit 2)
  }
}

/** `--config x`, `--config=x`, `-c x` or `-cx`; the last one wins, as in commander. */
function lastOptionValue(args: readonly string[], long: string, short: string): string | undefined {
  let value: string | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const argument = args[index]!;
    if (argument === '--') break;
    if (argument === long || argument === short) value = args[index + 1];
    else if (argument.startsWith(`${long}=`)) value = argument.slice(long.length + 1);
    else if (argument.startsWith(short) && !argument.startsWith('--') && argument.length > short.length)
      value = argument.slice(short.length);
  }
  return value;
}

/** A duration option's milliseconds; an unreadable one is a usage error. Async: the duration parser loads on first use. */
export async function durationOption(name: string, value: string | undefined): Promise<number | undefined> {
  if (value === undefined) return undefined;
  const { parseDuration } = await import('../../text/duration.js');
  const milliseconds = parseDuration(value);
  if (milliseconds === undefined)
    throw new ConfigError('command line', [
      { path: '', message: `${name} "${value}" is not a duration; use e.g. 90s, 10m or 1h` },
    ]);
  return milliseconds;
}

function removeIfEmpty(directory: string): void {
  try {
    if (readdirSync(directory).length === 0) rmSync(directory, { recursive: true });
  } catch {
    // Already gone, or not ours to clean: leave it.
  }
}
