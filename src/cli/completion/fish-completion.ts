import { commandKey, flattenTree, valueOptionKeys, type CompletionCommand } from './command-tree.js';

/** `text` inside a single-quoted fish word (fish escapes `\` and `'` there). */
const quoted = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const firstLine = (text: string): string => text.split('\n')[0] ?? '';

/**
 * The fish completion script: `mux-swarm completion fish | source`, or saved as
 * ~/.config/fish/completions/mux-swarm.fish. A function walks the words typed so far to the command they name (the
 * same walk as the bash script); each subcommand and option is one `complete` line conditioned on that command, with
 * its description; the workdir's run ids come from `mux-swarm completion --list-runs`.
 */
export function fishCompletionScript(root: CompletionCommand): string {
  const program = root.name;
  const prefix = `__${program.replace(/[^A-Za-z0-9]/g, '_')}`;
  const commands = flattenTree(root);
  const key = commandKey;
  const valueOptions = valueOptionKeys(commands).map(quoted);
  const descend = commands.flatMap((command) =>
    command.subcommands.map(
      (subcommand) =>
        `            case ${quoted(`${key(command)}:${subcommand.name}`)}\n                set cmdpath ${quoted(key(subcommand))}`,
    ),
  );
  const lines: string[] = [];
  for (const command of commands) {
    const at = `-n ${quoted(`${prefix}_at ${quoted(key(command))}`)}`;
    if (command.subcommands.length > 0) lines.push(`complete -c ${program} ${at} -f`);
    for (const subcommand of command.subcommands)
      lines.push(
        `complete -c ${program} ${at} -f -a ${quoted(subcommand.name)} -d ${quoted(firstLine(subcommand.description))}`,
      );
    for (const option of command.options) {
      const flags = [
        option.long ? `-l ${quoted(option.long.replace(/^--/, ''))}` : '',
        option.short ? `-s ${quoted(option.short.replace(/^-/, ''))}` : '',
      ]
        .filter(Boolean)
        .join(' ');
      const value =
        option.choices.length > 0 ? ` -x -a ${quoted(option.choices.join(' '))}` : option.takesValue ? ' -r' : '';
      lines.push(`complete -c ${program} ${at} ${flags}${value} -d ${quoted(firstLine(option.description))}`);
    }
    if (command.argumentChoices.length > 0)
      lines.push(
        `complete -c ${program} ${at} -f -a ${quoted(command.argumentChoices.join(' '))} -d ${quoted(firstLine(command.argumentDescription))}`,
      );
    if (command.takesRun) lines.push(`complete -c ${program} ${at} -f -k -a '(${prefix}_runs)' -d 'run'`);
  }
  return `# ${program} completion for fish, generated from the CLI's own definition by \`${program} completion fish\`.
# Load it in this shell with:   ${program} completion fish | source
# or for every new shell:       ${program} completion fish > ~/.config/fish/completions/${program}.fish

# The command the words typed so far name; options, and the value of each option that takes one, are skipped.
function ${prefix}_path
    set -l cmdpath ''
    set -l skip 0
    for word in (commandline -opc)[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        switch $word
            case '-*'
                if contains -- "$cmdpath:$word" ${valueOptions.join(' ')}
                    set skip 1
                end
                continue
        end
        switch "$cmdpath:$word"
${descend.join('\n')}
        end
    end
    echo $cmdpath
end

function ${prefix}_at
    set -l cmdpath (${prefix}_path)
    test "$cmdpath" = "$argv[1]"
end

# The workdir's run ids (and --workdir/--config as typed on the line), newest first.
function ${prefix}_runs
    set -l words (commandline -opc)
    set -l state
    for i in (seq 2 (count $words))
        if contains -- $words[$i] --workdir --config; and test $i -lt (count $words)
            set state $state $words[$i] $words[(math $i + 1)]
        end
    end
    command -q -- $words[1]; or return 0
    $words[1] completion --list-runs $state 2>/dev/null
end

${lines.join('\n')}
`;
}
