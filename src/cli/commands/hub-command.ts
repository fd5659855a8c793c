import type { Command } from 'commander';
import type { CommandOutcome } from '../command-outcome.js';
import { registerHubAllow } from './hub/hub-allow-command.js';
import { registerHubInit } from './hub/hub-init-command.js';
import { registerHubKeygen } from './hub/hub-keygen-command.js';
import { registerHubStatus } from './hub/hub-status-command.js';

/**
 * `mux-swarm hub init|status|keygen|allow|revoke`: the PostgreSQL hub through which nodes share work items and
 * breakthroughs. Exit 0; 1 when the hub cannot be reached; 2 for bad input. See docs/hub.md.
 */
export function registerHubCommand(program: Command, outcome: CommandOutcome): void {
  const hub = program
    .command('hub')
    .description(
      'the PostgreSQL hub shared by nodes: work items, results, signed breakthroughs and their verifications (init, status, keygen, allow, revoke)',
    );
  registerHubInit(hub, outcome);
  registerHubStatus(hub, outcome);
  registerHubKeygen(hub, outcome);
  registerHubAllow(hub, outcome);
}
