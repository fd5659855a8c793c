// PLACEHOLDER (replaced by the skills server work): the signature builtin-servers.ts relies on.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';

export interface SkillsServerOptions {
  /** Directories searched for <skill>/SKILL.md, in order of precedence (a name found first wins). */
  directories: string[];
  /** Where required environment variables are looked up, and PATH for required binaries. */
  environment: NodeJS.ProcessEnv;
}

export function createSkillsServer(_options: SkillsServerOptions): McpServer {
  throw new Error('the skills server is not built yet');
}
