import { Command, CommanderError } from 'commander';
import { EXIT_CODES, exitCodeForError } from '../errors/exit-codes.js';
import { describeError, isMuxSwarmError } from '../errors/mux-swarm-error.js';
import { registerAgentsCommand } from './commands/agents-command.js';
import { registerCompletionCommand } from './commands/completion-command.js';
import { registerExportCommand, registerImportCommand } from './commands/archive-commands.js';
import { registerGoalCommand } from './commands/goal-command.js';
import { registerHubCommand } from './commands/hub-command.js';
import { registerInitCommand } from './commands/init-command.js';
import { registerMcpCommand } from './commands/mcp/mcp-command.js';
import { registerMemoryCommand } from './commands/memory-command.js';
import { registerReplayCommand } from './commands/replay-command.js';
import { registerReportCommand } from './commands/report-command.js';
import { registerResultsCommand } from './commands/results-command.js';
import { registerResumeCommand } from './commands/resume-command.js';
import { registerRunCommand } from './commands/run-command.js';
import { registerRunsCommand, registerShowCommand } from './commands/runs-command.js';
import { registerServeCommand } from './commands/serve-command.js';
import { registerStatusCommand } from './commands/status-command.js';
import { registerValidateCommand } from './commands/validate-command.js';
import { registerWatchCommand } from './commands/watch-command.js';
import { PACKAGE_VERSION } from './package-info.js';
import { CommandOutcome } from './command-outcome.js';

/**
 * The whole command tree, with every option and description, and no command's machinery: a command module
 * imports only commander, option helpers and light modules at its top, and loads what its action uses (config
 * schemas, SQLite, the MCP SDK, the model client) with `await import()` when it runs. `--version` and `--help`
 * therefore load nothing but this tree (docs/cli.md, "Start-up"; test/cli/startup-imports.test.ts).
 */
export function buildProgram(outcome: CommandOutcome): Command {
  const program = new Command('mux-swarm')
    .description('Hand a markdown goal to a swarm of LLM agents that act through MCP tools.')
    .version(PACKAGE_VERSION, '-V, --version')
    .showHelpAfterError('(run `mux-swarm --help` for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => process.stdout.write(text),
      writeErr: (text) => process.stderr.write(text),
    });
  registerRunCommand(program, outcome);
  registerResumeCommand(program, outcome);
  registerValidateCommand(program, outcome);
  registerGoalCommand(program, outcome);
  registerWatchCommand(program, outcome);
  registerAgentsCommand(program, outcome);
  registerStatusCommand(program, outcome);
  registerInitCommand(program, outcome);
  registerRunsCommand(program, outcome);
  registerShowCommand(program, outcome);
  registerReportCommand(program, outcome);
  registerServeCommand(program, outcome);
  registerResultsCommand(program, outcome);
  registerMcpCommand(program, outcome);
  registerExportCommand(program, outcome);
  registerImportCommand(program, outcome);
  registerReplayCommand(program, outcome);
  registerMemoryCommand(program, outcome);
  registerHubCommand(program, outcome);
  registerCompletionCommand(program, outcome);
  return program;
}

/** Runs the CLI; returns the exit code (documented in the README) instead of exiting. */
export async function main(argv: string[]): Promise<number> {
  const outcome = new CommandOutcome();
  const program = buildProgram(outcome);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; anything else commander refuses is a usage error.
      return error.exitCode === 0 ? 0 : EXIT_CODES.usage;
    }
    // The code says whether it means "fix your input" (2) or "the run went wrong" (1); anything else is a bug (70).
    const exitCode = exitCodeForError(error);
    outcome.reportFailure?.(error, exitCode === EXIT_CODES.usage);
    // An error may quote what it failed on: the environment's secrets come out (config.json may be what failed).
    const [{ SecretScrubber }, { environmentSecrets }] = await Promise.all([
      import('../logging/secret-scrubber.js'),
      import('../logging/environment-secrets.js'),
    ]);
    const scrubber = new SecretScrubber(environmentSecrets(process.env));
    process.stderr.write(scrubber.text(`mux-swarm: ${describeError(error)}\n`));
    if (!isMuxSwarmError(error) && process.env.MUX_SWARM_DEBUG)
      process.stderr.write(scrubber.text(`${(error as Error).stack ?? ''}\n`));
    else if (!isMuxSwarmError(error))
      process.stderr.write(
        '(an unexpected error: set MUX_SWARM_DEBUG=1 to see where it came from, and please report it)\n',
      );
    return exitCode;
  }
}
