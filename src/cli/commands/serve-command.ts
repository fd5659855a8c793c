import type { Command } from 'commander';
import type { CommandOutcome } from '../command-outcome.js';
import { addProjectOptions } from '../common-options.js';
import type { ProjectOptions } from '../project.js';
import { portNumber } from './serve-options.js';

interface ServeOptions extends ProjectOptions {
  host: string;
  port: number;
  readOnly?: boolean;
}

export function registerServeCommand(program: Command, outcome: CommandOutcome): void {
  const command = program
    .command('serve')
    .description("a web dashboard over this workdir's runs, live and past (docs/dashboard.md)")
    .option('--host <address>', 'address to listen on; off loopback every request needs the token', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free one)', portNumber, 8080)
    .option('--read-only', 'no stop or resume buttons: the dashboard only shows');
  addProjectOptions(command).action(async (options: ServeOptions) => {
    const { launchDashboard } = await import('../dashboard-launch.js');
    const dashboard = await launchDashboard(
      options,
      { host: options.host, port: options.port, readOnly: options.readOnly === true },
      process.env,
    );
    // The address is printed once (with the token when there is one): stderr, where a person reads it.
    process.stderr.write(`mux-swarm dashboard: ${dashboard.url}\n(Ctrl-C stops it)\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await dashboard.close();
    outcome.exitCode = 0;
  });
}
