// PLACEHOLDER (replaced by the python server work): the signature builtin-servers.ts relies on.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { PythonOptions } from '../../config/config-schema.js';

export interface PythonServerOptions extends PythonOptions {
  /** Scripts and snippets run here by default; `cwd` may not leave it. */
  workdir: string;
  /** Where long outputs and job logs are written. */
  spillDir: string;
  /** Where passEnv values are read from; default process.env. */
  environment?: NodeJS.ProcessEnv;
}

export function createPythonServer(_options: PythonServerOptions): McpServer {
  throw new Error('the python server is not built yet');
}
