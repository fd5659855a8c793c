import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Goal } from '../config/load-goal.js';
import { ConfigError } from '../errors/config-error.js';
import { PgHubError } from '../errors/pg-hub-error.js';
import { LoopSharing } from '../pg-hub/loop-sharing.js';
import { assertNodeName } from '../pg-hub/node-name.js';
import { defaultKeyDirectory, keyFilesFor, loadPrivateKey } from '../pg-hub/node-keys.js';
import type { LoopExchangeOpener } from '../runtime/loop/loop-exchange.js';

/** `run`'s sharing options as given: `--hub` (or $MUX_SWARM_HUB_URL), `--remote`, `--node`, `--keys`. */
export interface LoopExchangeFlags {
  hub?: string;
  /** True when `hub` came from $MUX_SWARM_HUB_URL rather than the command line. */
  hubFromEnvironment?: boolean;
  remote?: string;
  node?: string;
  keys?: string;
}

/**
 * Checks the sharing options against the goal and loads the node's private key, before anything starts: every
 * problem is a usage error (exit 2). Returns undefined when the run shares nothing. A hub URL from the
 * environment alone (no `--node`) is not a request to share: a plain run with MUX_SWARM_HUB_URL set stays plain.
 */
export function prepareLoopExchange(
  goal: Goal,
  flags: LoopExchangeFlags,
  cwd = process.cwd(),
): LoopExchangeOpener | undefined {
  const problem = (message: string): ConfigError => new ConfigError('command line', [{ path: '', message }]);
  const hub = flags.hubFromEnvironment && flags.node === undefined ? undefined : flags.hub;
  if (hub === undefined && flags.remote === undefined) {
    if (flags.node !== undefined)
      throw problem('--node names this node for --hub <url> or --remote <repo>: give one of them');
    return undefined;
  }
  const how = hub !== undefined ? '--hub' : '--remote';
  if (hub !== undefined && flags.remote !== undefined)
    throw problem('--hub and --remote exclude each other: share through the hub, or through a git remote');
  const loop = goal.frontMatter.loop;
  if (loop === undefined)
    throw problem(
      `${how} shares an experiment loop's breakthroughs, and ${goal.label} has no loop: front matter (docs/loop.md)`,
    );
  if (loop.command === undefined)
    throw problem(`${how} needs loop.command in ${goal.label}: peers re-run it to verify each other's claims`);
  if (flags.node === undefined) throw problem(`${how} needs --node <name>: the name this node signs its claims with`);
  const node = flags.node;
  try {
    assertNodeName(node);
  } catch (error) {
    throw problem(`--node: ${(error as Error).message}`);
  }
  const keysDirectory = resolve(cwd, flags.keys ?? defaultKeyDirectory());
  let privateKey;
  try {
    privateKey = loadPrivateKey(keyFilesFor(keysDirectory, node).privateKeyFile);
  } catch (error) {
    if (!(error instanceof PgHubError)) throw error;
    const hint =
      error.code === 'key_missing'
        ? `: create it with \`mux-swarm hub keygen --node ${node}${flags.keys === undefined ? '' : ` --dir ${flags.keys}`}\``
        : '';
    throw problem(
      `${how}: node "${node}" has no usable key (${error.message.replace(/ \(create one with .*\)$/, '')})${hint}`,
    );
  }
  const identity = { node, privateKey };
  const remote = flags.remote === undefined ? undefined : remotePath(flags.remote, cwd);
  return {
    async open(site) {
      // The transports (pg and pg-boss for the PostgreSQL hub) load here, when a loop opens its exchange, not with every `run`.
      const transport =
        hub !== undefined
          ? await (await import('../pg-hub/pg-hub-transport.js')).openPgHubTransport(hub, identity, site)
          : await (
              await import('../pg-hub/git-remote-transport.js')
            ).openGitRemoteTransport(remote!, node, keysDirectory, site);
      try {
        return new LoopSharing(site, identity, transport);
      } catch (error) {
        await transport.close().catch(() => undefined);
        throw error;
      }
    },
  };
}

/** A local remote (a bare repository's path) relative to the current directory; a URL as it is. */
function remotePath(remote: string, cwd: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(remote) || isAbsolute(remote)) return remote;
  const local = resolve(cwd, remote);
  return existsSync(local) ? local : remote;
}
