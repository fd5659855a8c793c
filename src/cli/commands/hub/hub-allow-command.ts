import type { Command } from 'commander';
import { PgHubError } from '../../../errors/pg-hub-error.js';
import type { CommandOutcome } from '../../command-outcome.js';
import { addDbOption, hubAction, requireDb, type DbOptions } from './hub-options.js';

interface AllowOptions extends DbOptions {
  node: string;
  publicKey: string;
  replace?: boolean;
}

const ALLOW_MESSAGES = {
  added: 'added to the allow-list',
  allowed: 'was registered; now on the allow-list',
  unchanged: 'already on the allow-list with this key',
  replaced: 'on the allow-list with the NEW key (claims signed with the old key are now refused)',
} as const;

/** `hub allow --node <name> --public-key <file|pem>` and `hub revoke --node <name>`: the hub's allow-list. */
export function registerHubAllow(hub: Command, outcome: CommandOutcome): void {
  const allow = hub
    .command('allow')
    .description("put a node's public key on the hub's allow-list: peers trust only claims signed by keys on it")
    .requiredOption('--node <name>', 'the node name')
    .requiredOption(
      '--public-key <file|pem>',
      "the node's public key: the .pub file `hub keygen` wrote, or the PEM text",
    )
    .option('--replace', 'trust this key instead of a different one already registered for the node');
  addDbOption(allow).action(
    hubAction(outcome, async (options: AllowOptions) => {
      const url = requireDb(options);
      const [{ keyId, parsePublicKey }, { assertNodeName }] = await Promise.all([
        import('../../../pg-hub/node-keys.js'),
        import('../../../pg-hub/node-name.js'),
      ]);
      const node = assertNodeName(options.node);
      const publicKey = parsePublicKey(options.publicKey);
      const { PgHubClient } = await import('../../../pg-hub/pg-hub-client.js');
      const hub = await PgHubClient.connect(url);
      try {
        const result = await hub.nodes.allow(node, publicKey, { replace: options.replace });
        process.stdout.write(`Node "${node}" (${keyId(publicKey)}): ${ALLOW_MESSAGES[result]}.\n`);
      } finally {
        await hub.close();
      }
    }),
  );

  const revoke = hub
    .command('revoke')
    .description('take a node off the allow-list: its claims are refused from now on (its key stays registered)')
    .requiredOption('--node <name>', 'the node name');
  addDbOption(revoke).action(
    hubAction(outcome, async (options: DbOptions & { node: string }) => {
      const { PgHubClient } = await import('../../../pg-hub/pg-hub-client.js');
      const hub = await PgHubClient.connect(requireDb(options));
      try {
        if (!(await hub.nodes.revoke(options.node)))
          throw new PgHubError('node_unknown', `no node "${options.node}" on the hub`);
        process.stdout.write(`Node "${options.node}" is off the allow-list.\n`);
      } finally {
        await hub.close();
      }
    }),
  );
}
