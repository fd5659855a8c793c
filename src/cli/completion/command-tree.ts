import { Help, type Command, type Option } from 'commander';

/** One option as a completion script offers it. */
export interface CompletionOption {
  /** `--max-turns`; undefined for an option with only a short flag. */
  long?: string;
  /** `-n`. */
  short?: string;
  description: string;
  /** It reads the next word as its value (`--workdir <dir>`), which is then not a command or argument. */
  takesValue: boolean;
  /** Its fixed values, when commander knows them (`.choices()`). */
  choices: string[];
}

/** A command as a completion script sees it: where it is, what follows it. */
export interface CompletionCommand {
  /** The words that reach it: [] for the program, ['mcp', 'list'] for `mux-swarm mcp list`. */
  path: string[];
  name: string;
  description: string;
  options: CompletionOption[];
  subcommands: CompletionCommand[];
  /** Its first argument names a run of the workdir (`show <run>`): complete it with the workdir's run ids. */
  takesRun: boolean;
  /** The fixed values of its first argument, when commander knows them (`completion <shell>`: bash, zsh, fish). */
  argumentChoices: string[];
  /** What its first argument is (its help text), shown beside those values. */
  argumentDescription: string;
}

/** A run argument is named `run`, or described as a run id (`replay <source>`: "a run id … or a cassette"). */
function isRunArgument(argument: { name(): string; description: string }): boolean {
  return argument.name() === 'run' || /\brun id\b/.test(argument.description);
}

function completionOption(option: Option): CompletionOption {
  return {
    ...(option.long ? { long: option.long } : {}),
    ...(option.short ? { short: option.short } : {}),
    description: option.description,
    takesValue: option.required || option.optional,
    choices: option.argChoices ?? [],
  };
}

/**
 * The command tree from the program's own definition (commander's commands and options, as `--help` shows them:
 * hidden ones left out), so that completion stays in step with the CLI without a list kept by hand.
 */
export function commandTree(command: Command, path: string[] = []): CompletionCommand {
  const help = new Help();
  const firstArgument = command.registeredArguments[0];
  return {
    path,
    name: path.length === 0 ? command.name() : path[path.length - 1]!,
    description: command.description(),
    options: help.visibleOptions(command).map(completionOption),
    subcommands: help
      .visibleCommands(command)
      .filter((subcommand) => subcommand.name() !== 'help')
      .map((subcommand) => commandTree(subcommand, [...path, subcommand.name()])),
    takesRun: firstArgument !== undefined && isRunArgument(firstArgument),
    argumentChoices: firstArgument?.argChoices ?? [],
    argumentDescription: firstArgument?.description ?? '',
  };
}

/** Every command of the tree, the program first, parents before their subcommands. */
export function flattenTree(root: CompletionCommand): CompletionCommand[] {
  return [root, ...root.subcommands.flatMap(flattenTree)];
}

/** The option's flags as typed: `--limit`, `-n`. */
export function optionFlags(option: CompletionOption): string[] {
  return [option.long, option.short].filter((flag): flag is string => flag !== undefined);
}

/** How every script names a command while it walks the words: its path from the root, space-separated. */
export function commandKey(command: CompletionCommand): string {
  return command.path.join(' ');
}

/** `<command key>:<flag>` of every option that takes a value: the word after it is that value, not a command. */
export function valueOptionKeys(commands: readonly CompletionCommand[]): string[] {
  return commands.flatMap((command) =>
    command.options
      .filter((option) => option.takesValue)
      .flatMap((option) => optionFlags(option).map((flag) => `${commandKey(command)}:${flag}`)),
  );
}
