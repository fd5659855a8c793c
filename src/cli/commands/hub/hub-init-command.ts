import type { Command } from 'commander';
import type { CommandOutcome } from '../../command-outcome.js';
import { addDbOption, hubAction, requireDb, type DbOptions } from './hub-options.js';

/** `hub init --hub <url>`: the mux_swarm schema (versioned migrations), pg-boss's schema and the experiments queue. */
export function registerHubInit(hub: Command, outcome: CommandOutcome): void {
  const command = hub
    .command('init')
    .description(
      'create or upgrade the hub schema on a PostgreSQL database (idempotent): nodes, results, breakthroughs, verifications, and the pg-boss work-item queue',
    );
  addDbOption(command).action(
    hubAction(outcome, async (options: DbOptions) => {
      const url = requireDb(options);
      const [{ PgHubClient }, { redactUrl }] = await Promise.all([
        import('../../../pg-hub/pg-hub-client.js'),
        import('../../../pg-hub/pg-hub-connection.js'),
      ]);
      const { migrations, queue } = await PgHubClient.init(url);
      const applied =
        migrations.applied.length > 0
          ? `applied migration${migrations.applied.length > 1 ? 's' : ''} ${migrations.applied.join(', ')}`
          : 'already up to date';
      process.stdout.write(
        `Hub ready at ${redactUrl(url)}: schema mux_swarm at version ${migrations.to} (${applied}); pg-boss schema pgboss with queue "${queue}".\n`,
      );
    }),
  );
}
