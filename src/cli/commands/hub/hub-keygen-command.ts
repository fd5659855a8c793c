import type { Command } from 'commander';
import type { CommandOutcome } from '../../command-outcome.js';
import { hubAction } from './hub-options.js';

interface KeygenOptions {
  node: string;
  dir?: string;
  force?: boolean;
}

/** `hub keygen --node <name> [--dir ~/.mux-swarm/keys]`: an ed25519 key pair; prints where, never the private key. */
export function registerHubKeygen(hub: Command, outcome: CommandOutcome): void {
  hub
    .command('keygen')
    .description(
      "create this node's ed25519 key pair: <dir>/<node>.key (private, mode 0600) and <dir>/<node>.pub (give it to `hub allow`)",
    )
    .requiredOption('--node <name>', 'the node name (letters, digits, . _ -)')
    .option('--dir <dir>', 'where the keys go (default ~/.mux-swarm/keys)')
    .option('--force', 'replace an existing key pair (peers then need the new public key)')
    .action(
      hubAction(outcome, async (options: KeygenOptions) => {
        const [{ defaultKeyDirectory, generateNodeKeys, keyId, writeNodeKeys }, { assertNodeName }] = await Promise.all(
          [import('../../../pg-hub/node-keys.js'), import('../../../pg-hub/node-name.js')],
        );
        const node = assertNodeName(options.node);
        const keys = generateNodeKeys();
        const files = writeNodeKeys(options.dir ?? defaultKeyDirectory(), node, keys, { force: options.force });
        process.stdout.write(
          `Node "${node}": key ${keyId(keys.publicKey)}\n  private key ${files.privateKeyFile} (mode 0600: keep it on this machine)\n  public key  ${files.publicKeyFile}\nAllow it on the hub: mux-swarm hub allow --hub <url> --node ${node} --public-key ${files.publicKeyFile}\n`,
        );
      }),
    );
}
