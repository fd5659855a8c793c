import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT_CODES } from '../../errors/exit-codes.js';
import type { CommandOutcome } from '../command-outcome.js';

const DEFAULT_CONFIG_FILE = 'config.json';

interface GoalCheckOptions {
  workdir?: string;
  config?: string;
  json?: boolean;
}

/** `mux-swarm goal check <goal.md>`: which phases of a goal are done, judged by their "Done when" conditions. */
export function registerGoalCommand(program: Command, outcome: CommandOutcome): void {
  const goal = program.command('goal').description('goal files: check which phases are done');
  goal
    .command('check')
    .description(
      'evaluate every phase\'s "Done when" conditions in the workdir and report each phase (exit 0: all done, 1: not, 2: malformed goal)',
    )
    .argument('<goal>', 'the goal markdown file')
    .option(
      '-w, --workdir <dir>',
      'where paths are looked up and commands run (default: filesystem.workdir of the config, else the current directory)',
    )
    .option(
      '-c, --config <path>',
      `config.json whose filesystem.workdir to use (default: ./${DEFAULT_CONFIG_FILE} when it exists)`,
    )
    .option('--json', 'machine-readable output')
    .action(async (path: string, options: GoalCheckOptions) => {
      const [{ loadGoalFile }, { evaluateGoalPhases }, { formatGoalEvaluation }, { goalEvaluationToJson }] =
        await Promise.all([
          import('../../config/load-goal.js'),
          import('../../runtime/phases/evaluate-phase-conditions.js'),
          import('../../runtime/phases/format-goal-evaluation.js'),
          import('../../runtime/phases/goal-evaluation-json.js'),
        ]);
      const currentDirectory = process.cwd();
      const loaded = loadGoalFile(path, currentDirectory);
      const evaluation = await evaluateGoalPhases(loaded.phases, {
        workdir: await checkWorkdir(options, currentDirectory),
      });
      process.stdout.write(
        options.json
          ? `${JSON.stringify(goalEvaluationToJson(loaded, evaluation), null, 2)}\n`
          : formatGoalEvaluation(loaded, evaluation),
      );
      outcome.exitCode = evaluation.allDone ? EXIT_CODES.success : EXIT_CODES.goalFailed;
    });
}

/** --workdir, else the config's workdir (a --config that is missing is an error; ./config.json may be absent), else the current directory. */
async function checkWorkdir(options: GoalCheckOptions, currentDirectory: string): Promise<string> {
  if (options.workdir !== undefined) return resolve(currentDirectory, options.workdir);
  const configPath = options.config ?? DEFAULT_CONFIG_FILE;
  if (options.config === undefined && !existsSync(resolve(currentDirectory, configPath))) return currentDirectory;
  const { loadConfig } = await import('../../config/load-config.js');
  return loadConfig({ path: configPath, environment: process.env, currentDirectory }).workdir;
}
