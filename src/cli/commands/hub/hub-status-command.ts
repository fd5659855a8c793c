import type { Command } from 'commander';
import type { PgHubStatus } from '../../../pg-hub/pg-hub-client.js';
import type { CommandOutcome } from '../../command-outcome.js';
import { formatTable } from '../../table.js';
import { addDbOption, hubAction, requireDb, type DbOptions } from './hub-options.js';

/** `hub status --hub <url> [--json]`: nodes, queue depth, breakthroughs, verifications. */
export function registerHubStatus(hub: Command, outcome: CommandOutcome): void {
  const command = hub
    .command('status')
    .description(
      'the hub: its nodes and allow-list, the experiments queue by state, breakthroughs by status, and the latest verifications with their reasons',
    )
    .option('--json', 'machine-readable output');
  addDbOption(command).action(
    hubAction(outcome, async (options: DbOptions & { json?: boolean }) => {
      const { PgHubClient } = await import('../../../pg-hub/pg-hub-client.js');
      const hub = await PgHubClient.connect(requireDb(options));
      try {
        const status = await hub.status();
        process.stdout.write(options.json ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
      } finally {
        await hub.close();
      }
    }),
  );
}

export function formatStatus(status: PgHubStatus): string {
  const lines = [`Hub ${status.url} (schema version ${status.schemaVersion})`, ''];
  lines.push(`Nodes (${status.nodes.length}, ${status.nodes.filter((node) => node.allowed).length} allowed):`);
  lines.push(
    status.nodes.length === 0
      ? '  none yet: `mux-swarm hub keygen --node <name>`, then `mux-swarm hub allow --node <name> --public-key <file>`'
      : formatTable(
          ['node', 'allowed', 'key', 'registered'],
          status.nodes.map((node) => [
            node.name,
            node.allowed ? 'yes' : 'no',
            node.keyId,
            node.registeredAt.toISOString(),
          ]),
        ),
  );
  lines.push('');
  const queue = status.queue;
  if (!queue) lines.push('Queue "experiments": not created (run `mux-swarm hub init`)');
  else {
    const waiting = (queue.created ?? 0) + (queue.retry ?? 0);
    const states = ['created', 'retry', 'active', 'completed', 'failed', 'cancelled']
      .map((state) => `${state} ${queue[state] ?? 0}`)
      .join(', ');
    lines.push(`Queue "experiments": ${waiting} waiting (${states})`);
  }
  const b = status.breakthroughs;
  lines.push(
    `Breakthroughs: ${b.announced + b.adopted + b.rejected} (${b.announced} announced, ${b.adopted} adopted, ${b.rejected} rejected)`,
  );
  lines.push(
    `Verifications: ${status.verifications.adopted + status.verifications.rejected} (${status.verifications.adopted} adopted, ${status.verifications.rejected} rejected)`,
  );
  if (status.recentVerifications.length > 0) {
    lines.push('', 'Latest verifications:');
    lines.push(
      formatTable(
        ['breakthrough', 'verifier', 'verdict', 'reason'],
        status.recentVerifications.map((row) => [row.breakthroughId, row.verifier, row.verdict, row.reason]),
      ),
    );
  }
  return `${lines.join('\n')}\n`;
}
