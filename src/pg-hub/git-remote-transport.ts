import { GitRemoteExchange } from './git-remote-exchange.js';
import type { BreakthroughTransport, SharingSite } from './loop-sharing.js';

/**
 * `run --remote <repo> --node <name>`: breakthroughs as refs and signed notes on a shared git remote (a bare
 * repository's path or a URL). No queue and no results table; the allow-list is the `<node>.pub` files of the
 * keys directory.
 */
export async function openGitRemoteTransport(
  remote: string,
  node: string,
  keysDirectory: string,
  site: SharingSite,
): Promise<BreakthroughTransport> {
  const exchange = await GitRemoteExchange.open({
    repo: site.workdirRealPath,
    remote,
    trustedKeys: GitRemoteExchange.trustedKeysFromDirectory(keysDirectory),
  });
  return {
    exchange,
    nextPending: async () => (await exchange.pending(node))[0],
    publish: (prepared) => exchange.publish(prepared.signed),
    close: async () => undefined,
  };
}
