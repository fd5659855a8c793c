import type { RunLaunchOptions } from './commands/run-command.js';

/**
 * The options of `run`/`resume` that `mux-swarm resume` needs to go on as the interrupted command would have:
 * where the project is (--config, --swarm, --workdir, when not the defaults) and the overrides of the team and the
 * limits. The output format is left out: the hint is printed in text mode, resume's default.
 */
export function resumeArguments(options: RunLaunchOptions): string[] {
  const args: string[] = [];
  if (options.config !== undefined && options.config !== 'config.json') args.push('--config', options.config);
  if (options.swarm !== undefined && options.swarm !== 'swarm.json') args.push('--swarm', options.swarm);
  if (options.workdir !== undefined) args.push('--workdir', options.workdir);
  if (options.agents !== undefined) args.push('--agents', options.agents.join(','));
  if (options.flat) args.push('--flat');
  if (options.hierarchical) args.push('--hierarchical');
  if (options.provider !== undefined) args.push('--provider', options.provider);
  if (options.model !== undefined) args.push('--model', options.model);
  if (options.maxTurns !== undefined) args.push('--max-turns', String(options.maxTurns));
  if (options.maxBudgetUsd !== undefined) args.push('--max-budget-usd', String(options.maxBudgetUsd));
  if (options.maxTokens !== undefined) args.push('--max-tokens', String(options.maxTokens));
  if (options.timeout !== undefined) args.push('--timeout', options.timeout);
  if (options.output !== undefined) args.push('--output', options.output);
  if (options.verbose) args.push('--verbose');
  return args;
}

/** `mux-swarm resume <run-id> [options]`, quoted for a POSIX shell, to be pasted as it is. */
export function resumeCommand(runId: string, args: readonly string[]): string {
  return ['mux-swarm', 'resume', runId, ...args].map(shellQuote).join(' ');
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
