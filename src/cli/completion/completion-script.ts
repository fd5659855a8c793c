import type { Command } from 'commander';
import type { CompletionShell } from '../commands/completion-command.js';
import { bashCompletionScript } from './bash-completion.js';
import { commandTree } from './command-tree.js';
import { fishCompletionScript } from './fish-completion.js';
import { zshCompletionScript } from './zsh-completion.js';

/** The completion script for `shell`, from the program as it is defined now. */
export function completionScript(shell: CompletionShell, program: Command): string {
  const tree = commandTree(program);
  if (shell === 'bash') return bashCompletionScript(tree);
  if (shell === 'zsh') return zshCompletionScript(tree);
  return fishCompletionScript(tree);
}
