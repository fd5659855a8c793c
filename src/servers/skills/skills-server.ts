import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { registerListSkillsTool } from './list-skills-tool.js';
import { registerReadSkillTool } from './read-skill-tool.js';

export interface SkillsServerOptions {
  /** Directories searched for <skill>/SKILL.md, in order of precedence (a name found first wins). */
  directories: string[];
  /** Where required environment variables are looked up, and PATH for required binaries. */
  environment: NodeJS.ProcessEnv;
}

const serverVersion = '0.1.0';

/**
 * The built-in skills MCP server ("skills"): list_skills and read_skill over the skill folders in `directories`.
 * The directories are scanned again on every call, so skills added or edited during a run are seen at once;
 * missing directories are fine. Discovery itself (discover-skills.ts) works without MCP.
 */
export function createSkillsServer(options: SkillsServerOptions): McpServer {
  const server = new McpServer(
    { name: 'skills', version: serverVersion },
    {
      instructions:
        'Skills are playbooks for recurring tasks. Before a task, call list_skills; when a skill matches, call ' +
        'read_skill and follow its instructions, running its scripts from the folder it names.',
    },
  );
  const discovery = { directories: [...options.directories], environment: options.environment };
  registerListSkillsTool(server, discovery);
  registerReadSkillTool(server, discovery);
  return server;
}
