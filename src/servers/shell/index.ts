export { createShellServer, type ShellServerOptions } from './shell-server.js';
export type { CommandResult } from './command-result.js';
