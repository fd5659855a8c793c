import { completionFunctionName } from './bash-completion.js';
import { commandKey, flattenTree, optionFlags, valueOptionKeys, type CompletionCommand } from './command-tree.js';

/** `text` inside a single-quoted shell word. */
const quoted = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;
/** A `case` pattern matching any of `values`. */
const pattern = (values: string[]): string => (values.length > 0 ? values.map(quoted).join('|') : "''");
/** `_describe` entries are `word:description`; a colon in the word would split it, one in the description is kept. */
const describeEntry = (word: string, description: string): string =>
  quoted(`${word}:${description.split('\n')[0] ?? ''}`);

/**
 * The zsh completion script: `source <(mux-swarm completion zsh)` after `compinit`, or saved as `_mux-swarm` in a
 * directory of `$fpath`. The same walk as the bash script (words typed so far → the command they name), then
 * `_describe` for subcommands and options with their descriptions, the workdir's run ids where a run is expected,
 * and `_files` for anything else. (`path` is zsh's array tied to PATH, so the walk's variable is `cmdpath`.)
 */
export function zshCompletionScript(root: CompletionCommand): string {
  const commands = flattenTree(root);
  const key = commandKey;
  const descend = commands.flatMap((command) =>
    command.subcommands.map(
      (subcommand) => `      (${quoted(`${key(command)}:${subcommand.name}`)}) cmdpath=${quoted(key(subcommand))} ;;`,
    ),
  );
  const valueOptions = valueOptionKeys(commands);
  const choiceCases = commands.flatMap((command) =>
    command.options
      .filter((option) => option.choices.length > 0)
      .map(
        (option) =>
          `    (${pattern(optionFlags(option).map((flag) => `${key(command)}:${flag}`))}) compadd -- ${option.choices.map(quoted).join(' ')}; return ;;`,
      ),
  );
  const optionCases = commands
    .filter((command) => command.options.length > 0)
    .map(
      (command) =>
        `      (${quoted(key(command))}) entries=(${command.options.flatMap((option) => optionFlags(option).map((flag) => describeEntry(flag, option.description))).join(' ')}) ;;`,
    );
  const subcommandCases = commands
    .filter((command) => command.subcommands.length > 0 || command.argumentChoices.length > 0)
    .map(
      (command) =>
        `      (${quoted(key(command))}) entries=(${[...command.subcommands.map((subcommand) => describeEntry(subcommand.name, subcommand.description)), ...command.argumentChoices.map((choice) => describeEntry(choice, command.argumentDescription))].join(' ')}) ;;`,
    );
  const runCommands = commands.filter((command) => command.takesRun).map(key);
  const name = completionFunctionName(root.name);
  return `#compdef ${root.name}
# ${root.name} completion for zsh, generated from the CLI's own definition by \`${root.name} completion zsh\`.
# Load it in this shell (after compinit) with:   source <(${root.name} completion zsh)
# or for every new shell:   ${root.name} completion zsh > "\${fpath[1]}/_${root.name}"
${name}() {
  local cur="\${words[CURRENT]}" prev="\${words[CURRENT-1]}" cmdpath='' word skip=0 i
  local -a entries state_args runs
  # The command the words typed so far name; options, and the value of each option that takes one, are skipped.
  for ((i = 2; i < CURRENT; i++)); do
    word="\${words[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$word" in
      (--workdir|--config) state_args+=("$word" "\${words[i+1]}") ;;
    esac
    case "$word" in
      (-*)
        case "$cmdpath:$word" in
          (${pattern(valueOptions)}) skip=1 ;;
        esac
        continue ;;
    esac
    case "$cmdpath:$word" in
${descend.join('\n')}
    esac
  done
  case "$cmdpath:$prev" in
${choiceCases.join('\n')}
    (${pattern(valueOptions)}) _files; return ;;
  esac
  if [[ "$cur" == -* ]]; then
    case "$cmdpath" in
${optionCases.join('\n')}
    esac
    _describe -t options 'option' entries
    return
  fi
  case "$cmdpath" in
${subcommandCases.join('\n')}
  esac
  if ((\${#entries})); then
    _describe -t commands 'command' entries
    return
  fi
  case "$cmdpath" in
    (${pattern(runCommands)})
      runs=(\${(f)"$("\${words[1]}" completion --list-runs "\${state_args[@]}" 2>/dev/null)"})
      ((\${#runs})) && compadd -- "\${runs[@]}" ;;
  esac
  _files
}
if [[ "\${funcstack[1]}" == "_${root.name}" ]]; then
  ${name} "$@"
else
  compdef ${name} ${root.name}
fi
`;
}
