import { join } from 'node:path';
import type { Command } from 'commander';
import type { CommandOutcome } from '../../command-outcome.js';
import { addProjectOptions } from '../../common-options.js';
import type { ProjectOptions } from '../../project.js';
import { McpCallUsageError } from '../../../errors/mcp-call-usage-error.js';

interface McpCallOptions extends ProjectOptions {
  json?: boolean;
}

export { McpCallUsageError };

/**
 * Starts one configured server, calls one tool with JSON arguments, prints the result and stops the server.
 * Exit code 0 for a result, 1 for an `isError` result, 2 for a bad server, tool or arguments.
 */
export function registerMcpCallCommand(mcp: Command, outcome: CommandOutcome): void {
  const command = mcp
    .command('call')
    .description('call one tool of one server and print the result (exit code 1 when the result is an error)')
    .argument('<server>', 'the server, as named in config.json "mcpServers"')
    .argument('<tool>', 'the tool: its own name (read_text_file) or as agents see it (fs__read_text_file)')
    .argument('[arguments]', 'the arguments as a JSON object; "-" reads them from standard input', '{}')
    .option('--json', 'print {isError, text, structuredContent} as JSON');
  addProjectOptions(command).action(
    async (serverName: string, toolName: string, argumentText: string, options: McpCallOptions) => {
      const [{ closestName }, { loadConfig }, { ToolHub }, { builtinContextFor }] = await Promise.all([
        import('../../../text/name-suggestions.js'),
        import('../../../config/load-config.js'),
        import('../../../tools/tool-hub.js'),
        import('../../builtin-context.js'),
      ]);
      const config = loadConfig({
        path: options.config,
        environment: process.env,
        currentDirectory: process.cwd(),
        workdirOverride: options.workdir,
      });
      const entry = config.config.mcpServers[serverName];
      if (!entry) {
        const names = Object.keys(config.config.mcpServers);
        const suggestion = closestName(serverName, names);
        throw new McpCallUsageError(
          `${config.label} has no MCP server "${serverName}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; configured: ${names.join(', ') || 'none'}`,
        );
      }
      const input = parseArguments(argumentText === '-' ? await readStandardInput() : argumentText);

      const controller = new AbortController();
      const interrupt = () => controller.abort(new Error('interrupted (SIGINT)'));
      process.once('SIGINT', interrupt);
      const hub = await ToolHub.start(
        { [serverName]: { ...entry, enabled: true, optional: false } },
        {
          context: builtinContextFor(config, join(config.stateDirectory, 'mcp-call')),
          onStderrLine: (server, line) => process.stderr.write(`[${server}] ${line}\n`),
          onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
        },
      );
      try {
        const tools = hub.tools();
        const tool =
          tools.find((candidate) => candidate.exposedName === toolName) ??
          tools.find((candidate) => candidate.tool === toolName);
        if (!tool) {
          const names = tools.map((candidate) => candidate.tool);
          const suggestion = closestName(toolName, names);
          throw new McpCallUsageError(
            `MCP server "${serverName}" has no tool "${toolName}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; its tools: ${names.join(', ') || 'none'}`,
          );
        }
        const result = await hub.call(tool.exposedName, input, { signal: controller.signal });
        if (options.json) {
          process.stdout.write(
            config.scrubber.text(
              `${JSON.stringify({ isError: result.isError, text: result.text, structuredContent: result.structuredContent }, null, 2)}\n`,
            ),
          );
        } else {
          process.stdout.write(config.scrubber.text(result.text.endsWith('\n') ? result.text : `${result.text}\n`));
        }
        outcome.exitCode = result.isError ? 1 : 0;
      } finally {
        process.removeListener('SIGINT', interrupt);
        await hub.close();
      }
    },
  );
}

function parseArguments(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new McpCallUsageError(
      `the tool arguments are not valid JSON (${(error as Error).message}); pass an object such as '{"path": "README.md"}'`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new McpCallUsageError(
      `the tool arguments must be a JSON object such as '{"path": "README.md"}', not ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`,
    );
  }
  return value as Record<string, unknown>;
}

async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
