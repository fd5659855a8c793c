import { Argument, Option, type Command } from 'commander';
import type { CommandOutcome } from '../command-outcome.js';

/** The shells `mux-swarm completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

interface CompletionOptions {
  listRuns?: boolean;
  config: string;
  workdir?: string;
}

/**
 * `mux-swarm completion bash|zsh|fish`: prints the shell's completion script, generated from this program's own
 * commands and options (docs/cli.md#completion). The hidden `--list-runs` prints the workdir's run ids, one a line:
 * the scripts call it where a command takes a run, and it never fails (no ids, exit 0).
 */
export function registerCompletionCommand(program: Command, outcome: CommandOutcome): void {
  program
    .command('completion')
    .description('print a shell completion script: source <(mux-swarm completion bash); zsh and fish too (docs/cli.md)')
    .addArgument(new Argument('[shell]', 'the shell').choices(COMPLETION_SHELLS))
    .addOption(new Option('--list-runs', 'print the run ids of the workdir, for the scripts').hideHelp())
    .addOption(
      new Option('--config <path>', 'config.json whose workdir --list-runs reads').default('config.json').hideHelp(),
    )
    .addOption(new Option('--workdir <dir>', 'the workdir --list-runs reads').hideHelp())
    .action(async (shell: CompletionShell | undefined, options: CompletionOptions) => {
      outcome.exitCode = 0;
      if (options.listRuns) {
        const { completionRunIds } = await import('../completion/list-runs.js');
        const ids = completionRunIds(options);
        if (ids.length > 0) process.stdout.write(`${ids.join('\n')}\n`);
        return;
      }
      if (shell === undefined) {
        process.stderr.write(
          `mux-swarm completion: name the shell: ${COMPLETION_SHELLS.join(', ')} (e.g. source <(mux-swarm completion bash))\n`,
        );
        outcome.exitCode = 2;
        return;
      }
      const { completionScript } = await import('../completion/completion-script.js');
      process.stdout.write(completionScript(shell, program));
    });
}
