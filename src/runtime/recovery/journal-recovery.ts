import type { DelegationOverview, JournalMessage, RunJournal } from '../../state/run-journal.js';
import { clipText, oneLine } from './report-text.js';

/** A delegation that ended before the restart: its recorded outcome is given back, never worked again. */
export interface FinishedDelegation {
  id: string;
  agent: string;
  depth: number;
  status: NonNullable<DelegationOverview['status']>;
  summary: string;
  artifacts: string[];
}

/** A delegation that was being worked when the run stopped: it continues from its transcript. */
export interface DelegationInFlight {
  id: string;
  agent: string;
  depth: number;
  task: string;
  /** Model turns recorded. */
  turns: number;
  /** Its last recorded step, in words ("turn 2: called shell__run_command {…}; results recorded"). */
  lastStep: string;
}

/** A tool call started and never finished: it may or may not have taken effect. */
export interface CutOffToolCall {
  id: string;
  delegationId: string;
  agent: string;
  turn: number;
  name: string;
  arguments: string;
}

/** What the journal says about a run that is picked up again. */
export interface JournalRecovery {
  finished: FinishedDelegation[];
  inFlight: DelegationInFlight[];
  cutOff: CutOffToolCall[];
}

/**
 * Reads the journal of a resumed run: delegations finished (with outcome and files) and in flight (with their
 * last step), and tool calls a crash cut off. A `delegate` call cut off is its delegation, listed in flight.
 */
export function readJournalRecovery(journal: RunJournal, runId: string): JournalRecovery {
  const delegations = journal.delegations(runId);
  const finished: FinishedDelegation[] = [];
  const inFlight: DelegationInFlight[] = [];
  for (const delegation of delegations) {
    if (delegation.status !== null) {
      finished.push({
        id: delegation.id,
        agent: delegation.agent,
        depth: delegation.depth,
        status: delegation.status,
        summary: delegation.summary ?? '',
        artifacts: delegation.artifacts_json === null ? [] : (JSON.parse(delegation.artifacts_json) as string[]),
      });
    } else {
      const messages = journal.transcript(runId, delegation.id);
      inFlight.push({
        id: delegation.id,
        agent: delegation.agent,
        depth: delegation.depth,
        task: delegation.task,
        turns: countTurns(messages),
        lastStep: describeLastStep(messages),
      });
    }
  }
  const delegationIds = new Set(delegations.map((delegation) => delegation.id));
  const cutOff = journal
    .unfinishedToolCalls(runId)
    .filter((call) => !delegationIds.has(call.id))
    .map((call) => ({
      id: call.id,
      delegationId: call.delegation_id,
      agent: call.agent,
      turn: call.turn,
      name: call.name,
      arguments: call.arguments_json,
    }));
  return { finished, inFlight, cutOff };
}

function countTurns(messages: readonly JournalMessage[]): number {
  return messages.filter((message) => message.role === 'assistant').length;
}

/** The newest model reply of a transcript and whether its tool results were recorded. */
function describeLastStep(messages: readonly JournalMessage[]): string {
  const index = messages.findLastIndex((message) => message.role === 'assistant');
  const reply = messages[index];
  if (reply === undefined || reply.role !== 'assistant') return 'no model reply recorded yet';
  const turn = `turn ${countTurns(messages)}`;
  const calls = reply.tool_calls ?? [];
  if (calls.length === 0)
    return `${turn}: replied without a tool call: "${clipText(oneLine(reply.content ?? ''), 160)}"`;
  const called = calls
    .map((call) => `${call.function.name} ${clipText(oneLine(call.function.arguments), 100)}`)
    .join(', ');
  const resultsRecorded = messages.slice(index + 1).some((message) => message.role === 'tool');
  return `${turn}: called ${called}; ${resultsRecorded ? 'results recorded' : 'results not recorded'}`;
}
