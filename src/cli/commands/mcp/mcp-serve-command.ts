import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { BUILTIN_SERVER_NAMES } from '../../../config/builtin-server-names.js';
import type { BuiltinServerConfig } from '../../../config/config-schema.js';
import type { BuiltinContext } from '../../../tools/builtin-servers.js';
import type { CommandOutcome } from '../../command-outcome.js';
import { McpCallUsageError } from '../../../errors/mcp-call-usage-error.js';

interface McpServeOptions {
  config: string;
  workdir?: string;
}

/**
 * Serves one built-in server over stdio to any MCP client (Claude Desktop, an IDE, another runtime). Its options
 * come from config.json when the project has an entry for it, else the defaults apply. Only the protocol goes to
 * stdout; the process ends when stdin closes or on SIGINT/SIGTERM, stopping whatever the server started. Every
 * message sent to the client has the process's secrets scrubbed: the client's model learns no more than a run's.
 */
export function registerMcpServeCommand(mcp: Command, outcome: CommandOutcome): void {
  mcp
    .command('serve')
    .description(
      `serve a built-in server over stdio (${BUILTIN_SERVER_NAMES.join(', ')}), with its options from config.json when it has an entry`,
    )
    .argument('<name>', 'a built-in server (shell), or the name of a built-in entry in config.json (fs)')
    .option(
      '-c, --config <path>',
      "where the server's options, workdir and roots come from (defaults apply when the file does not exist)",
      'config.json',
    )
    .option('-w, --workdir <dir>', 'where the server works (overrides filesystem.workdir in the config)')
    .action(async (name: string, options: McpServeOptions) => {
      const [{ createBuiltinServer }, { StdioServerTransport }, { shutdownServer }] = await Promise.all([
        import('../../../tools/builtin-servers.js'),
        import('@modelcontextprotocol/sdk/server/stdio.js'),
        import('../../../servers/server-shutdown.js'),
      ]);
      const { entry, context } = await resolveServed(name, options);
      const server = await createBuiltinServer(entry, context);
      const transport = new StdioServerTransport();
      const scrubber = context.scrubber;
      if (scrubber !== undefined && scrubber.size > 0) {
        const send = transport.send.bind(transport);
        transport.send = (message) => send(scrubber.value(message));
      }
      await server.connect(transport);
      process.stderr.write(
        `mux-swarm: serving the built-in "${entry.builtin}" server over stdio (workdir ${context.workdir})\n`,
      );
      await new Promise<void>((done) => {
        let stopping = false;
        const stop = () => {
          if (stopping) return;
          stopping = true;
          void shutdownServer(server).finally(done);
        };
        process.stdin.once('end', stop);
        process.stdin.once('close', stop);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      outcome.exitCode = 0;
    });
}

async function resolveServed(
  name: string,
  options: McpServeOptions,
): Promise<{ entry: BuiltinServerConfig; context: BuiltinContext }> {
  const currentDirectory = process.cwd();
  const [{ loadConfig }, { builtinContextFor }, { mcpServerSchema }, { SecretScrubber }, { environmentSecrets }] =
    await Promise.all([
      import('../../../config/load-config.js'),
      import('../../builtin-context.js'),
      import('../../../config/config-schema.js'),
      import('../../../logging/secret-scrubber.js'),
      import('../../../logging/environment-secrets.js'),
    ]);
  const defaultEntry = (builtin: string) => defaultEntryOf(builtin, mcpServerSchema);
  if (existsSync(resolve(currentDirectory, options.config))) {
    const config = loadConfig({
      path: options.config,
      environment: process.env,
      currentDirectory,
      workdirOverride: options.workdir,
    });
    const entries = Object.entries(config.config.mcpServers);
    const named = config.config.mcpServers[name];
    const entry =
      named?.type === 'builtin'
        ? named
        : (entries
            .map(([, candidate]) => candidate)
            .find(
              (candidate): candidate is BuiltinServerConfig =>
                candidate.type === 'builtin' && candidate.builtin === name,
            ) ?? defaultEntry(name));
    return { entry, context: builtinContextFor(config, join(config.stateDirectory, 'serve', entry.builtin)) };
  }
  const workdir = resolve(currentDirectory, options.workdir ?? '.');
  const stateDirectory = join(workdir, '.mux-swarm');
  const entry = defaultEntry(name);
  return {
    entry,
    context: {
      workdir,
      allowedRoots: [workdir],
      spillDirectory: join(stateDirectory, 'serve', entry.builtin),
      projectDirectory: currentDirectory,
      stateDirectory,
      scrubber: new SecretScrubber(environmentSecrets(process.env)),
    },
  };
}

function defaultEntryOf(
  name: string,
  mcpServerSchema: typeof import('../../../config/config-schema.js').mcpServerSchema,
): BuiltinServerConfig {
  if (!(BUILTIN_SERVER_NAMES as readonly string[]).includes(name)) {
    throw new McpCallUsageError(
      `"${name}" is not a built-in server or a built-in entry of config.json; the built-in servers are ${BUILTIN_SERVER_NAMES.join(', ')}`,
    );
  }
  return mcpServerSchema.parse({ builtin: name }) as BuiltinServerConfig;
}
