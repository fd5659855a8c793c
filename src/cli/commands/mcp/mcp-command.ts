import type { Command } from 'commander';
import type { CommandOutcome } from '../../command-outcome.js';
import { registerMcpCallCommand } from './mcp-call-command.js';
import { registerMcpListCommand } from './mcp-list-command.js';
import { registerMcpServeCommand } from './mcp-serve-command.js';

/** `mux-swarm mcp list | call | serve`: look at, try and share the MCP servers of a project. */
export function registerMcpCommand(program: Command, outcome: CommandOutcome): void {
  const mcp = program
    .command('mcp')
    .description('MCP servers: list them and their tools, call a tool, serve a built-in server over stdio');
  registerMcpListCommand(mcp, outcome);
  registerMcpCallCommand(mcp, outcome);
  registerMcpServeCommand(mcp, outcome);
}
