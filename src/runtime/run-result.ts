import { EXIT_CODES } from '../errors/exit-codes.js';
import type { ResultSubtype } from '../events/event-schema.js';
import type { RunStatus } from '../state/run-store.js';
import type { StopReason } from '../errors/run-stopped-error.js';

export function exitCodeFor(subtype: ResultSubtype): number {
  switch (subtype) {
    case 'success':
      return EXIT_CODES.success;
    case 'error_goal_failed':
    case 'error_goal_unmet':
    case 'error_during_execution':
      return EXIT_CODES.goalFailed;
    case 'error_config':
      return EXIT_CODES.usage;
    case 'error_interrupted':
      return EXIT_CODES.interrupted;
    case 'error_provider_outage':
      return EXIT_CODES.providerOutage;
    default:
      return EXIT_CODES.limit;
  }
}

export function subtypeForStop(reason: StopReason): ResultSubtype {
  switch (reason) {
    case 'max_turns':
      return 'error_max_turns';
    case 'max_budget_usd':
      return 'error_max_budget_usd';
    case 'max_tokens':
      return 'error_max_tokens';
    case 'timeout':
      return 'error_timeout';
    case 'interrupted':
      return 'error_interrupted';
    case 'provider_outage':
      return 'error_provider_outage';
  }
}

export function runStatusFor(subtype: ResultSubtype): RunStatus {
  if (subtype === 'success') return 'succeeded';
  // An outage interrupts a run as Ctrl-C does: it did not reach a result by itself, and `resume` goes on with it.
  if (subtype === 'error_interrupted' || subtype === 'error_provider_outage') return 'interrupted';
  if (
    subtype === 'error_goal_failed' ||
    subtype === 'error_goal_unmet' ||
    subtype === 'error_during_execution' ||
    subtype === 'error_config'
  )
    return 'failed';
  return 'stopped';
}
