import { resolve } from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { BuiltinServerConfig } from '../config/config-schema.js';
import { createFilesystemServer } from '../servers/filesystem/filesystem-server.js';
import { createShellServer } from '../servers/shell/shell-server.js';

/** What built-in servers need to know about the place they work in. */
export interface BuiltinContext {
  workdir: string;
  allowedRoots: string[];
  /** Where servers may write large outputs (a run's spill directory). */
  spillDirectory: string;
}

export const BUILTIN_SERVER_NAMES = ['filesystem', 'shell'] as const;
export type BuiltinServerName = (typeof BUILTIN_SERVER_NAMES)[number];

/** Creates the McpServer for a built-in entry of config.json. */
export async function createBuiltinServer(entry: BuiltinServerConfig, context: BuiltinContext): Promise<McpServer> {
  switch (entry.builtin) {
    case 'filesystem':
      return createFilesystemServer({
        roots: entry.options.roots?.map((root) => resolve(context.workdir, root)) ?? context.allowedRoots,
        readOnly: entry.options.readOnly,
      });
    case 'shell':
      return createShellServer({
        workdir: context.workdir,
        timeoutMs: entry.options.timeoutMs,
        maxOutputChars: entry.options.maxOutputChars,
        allowedCommands: entry.options.allowedCommands,
        passEnv: entry.options.passEnv,
        spillDir: context.spillDirectory,
      });
  }
}
