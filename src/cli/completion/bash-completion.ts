import { commandKey, flattenTree, optionFlags, valueOptionKeys, type CompletionCommand } from './command-tree.js';

/** The shell function's name for a program: `_mux_swarm_completion`. */
export function completionFunctionName(program: string): string {
  return `_${program.replace(/[^A-Za-z0-9]/g, '_')}_completion`;
}

/** A `case` pattern matching any of `values` (all plain words: command names, flags). */
const pattern = (values: string[]): string => values.map((value) => `'${value}'`).join('|');

/**
 * The bash completion script for the program's command tree: `source <(mux-swarm completion bash)`. One function
 * walks the words typed so far to the command they name (skipping options and the values of those that take one),
 * then offers that command's subcommands, or its options after a `-`, or the workdir's run ids where a run is
 * expected (`mux-swarm completion --list-runs`, run as the command being completed). Anything else falls back to
 * file names (`complete -o default`). Plain bash 3.2 syntax: no associative arrays, so macOS's bash reads it too.
 */
export function bashCompletionScript(root: CompletionCommand): string {
  const commands = flattenTree(root);
  const key = commandKey;
  const descend = commands.flatMap((command) =>
    command.subcommands.map(
      (subcommand) => `      ${pattern([`${key(command)}:${subcommand.name}`])}) path='${key(subcommand)}' ;;`,
    ),
  );
  const valueOptions = valueOptionKeys(commands);
  const choiceCases = commands.flatMap((command) =>
    command.options
      .filter((option) => option.choices.length > 0)
      .map(
        (option) =>
          `    ${pattern(optionFlags(option).map((flag) => `${key(command)}:${flag}`))}) COMPREPLY=($(compgen -W '${option.choices.join(' ')}' -- "$cur")); return 0 ;;`,
      ),
  );
  const optionCases = commands
    .filter((command) => command.options.length > 0)
    .map((command) => `      '${key(command)}') words='${command.options.flatMap(optionFlags).join(' ')}' ;;`);
  const subcommandCases = commands
    .filter((command) => command.subcommands.length > 0 || command.argumentChoices.length > 0)
    .map(
      (command) =>
        `      '${key(command)}') words='${[...command.subcommands.map((subcommand) => subcommand.name), ...command.argumentChoices].join(' ')}' ;;`,
    );
  const runCommands = commands.filter((command) => command.takesRun).map(key);
  const name = completionFunctionName(root.name);
  return `# ${root.name} completion for bash, generated from the CLI's own definition by \`${root.name} completion bash\`.
# Load it in this shell with:   source <(${root.name} completion bash)
# or for every new shell:       ${root.name} completion bash > ~/.local/share/bash-completion/completions/${root.name}
${name}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" path='' word words='' skip=0 i
  local -a state=()
  ((COMP_CWORD > 0)) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  # The command the words typed so far name; options, and the value of each option that takes one, are skipped.
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$word" in
      --workdir|--config) state+=("$word" "\${COMP_WORDS[i+1]}") ;;
    esac
    case "$word" in
      -*)
        case "$path:$word" in
          ${valueOptions.length > 0 ? pattern(valueOptions) : "''"}) skip=1 ;;
        esac
        continue ;;
    esac
    case "$path:$word" in
${descend.join('\n')}
    esac
  done
  case "$path:$prev" in
${choiceCases.join('\n')}
    ${valueOptions.length > 0 ? pattern(valueOptions) : "''"}) return 0 ;;
  esac
  if [[ "$cur" == -* ]]; then
    case "$path" in
${optionCases.join('\n')}
    esac
  else
    case "$path" in
${subcommandCases.join('\n')}
    esac
    case "$path" in
      ${runCommands.length > 0 ? pattern(runCommands) : "''"}) words="$words $("\${COMP_WORDS[0]}" completion --list-runs "\${state[@]}" 2>/dev/null)" ;;
    esac
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  return 0
}
complete -o default -F ${name} ${root.name}
`;
}
