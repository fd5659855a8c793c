import { join } from 'node:path';
import { MuxSwarmError } from '../errors/mux-swarm-error.js';
import type { SecretScrubber } from '../logging/secret-scrubber.js';
import type { SqliteDatabase } from '../state/database.js';
import { toolSetJson } from '../state/model-call-requests.js';
import { finishedToolCalls, recordedModelCalls } from '../state/recorded-calls.js';
import { RunJournal } from '../state/run-journal.js';
import { runRecord } from '../state/run-record.js';
import {
  CASSETTE_VERSION,
  type Cassette,
  type CassetteModelCall,
  type CassetteToolCall,
  type CassetteTranscript,
} from './cassette.js';
import { projectMessage, RequestNormaliser, type ProjectedMessage } from './request-identity.js';

export interface JournalCassetteOptions {
  workdir: string;
  stateDirectory: string;
  scrubber?: SecretScrubber;
  muxSwarmVersion: string;
  now?: Date;
}

/**
 * A run's cassette, read from its journal: each completed model call with its request hash and its reply (the
 * delegation's n-th assistant message answers its n-th completed call), the delegations' transcripts (to show
 * what was asked when a replay diverges), the tool sets offered and every finished tool call. The run's workdir,
 * run directory and id become placeholders and the process's secrets are scrubbed, so that the cassette can be
 * committed and replayed elsewhere. A failed call is kept (replayed as the same failure) only when the run did not
 * ask the same again later. A run recorded before request hashes were journaled cannot be replayed: that is said.
 */
export function cassetteFromJournal(
  database: SqliteDatabase,
  runId: string,
  options: JournalCassetteOptions,
): Cassette {
  const run = runRecord(database, runId);
  if (run === undefined) throw new MuxSwarmError('run_not_found', `no run ${runId} in this state database`);
  const normaliser = new RequestNormaliser(
    { workdir: options.workdir, runDirectory: join(options.stateDirectory, 'runs', runId), runId },
    options.scrubber,
  );
  const portable = <T>(value: T): T => JSON.parse(normaliser.text(JSON.stringify(value))) as T;
  const journal = new RunJournal(database);

  const transcripts = new Map<string, CassetteTranscript>();
  for (const delegation of journal.delegations(runId)) {
    const messages = journal
      .transcript(runId, delegation.id)
      .map((message) => projectMessage(message as ProjectedMessage));
    transcripts.set(delegation.id, {
      type: 'transcript',
      delegation: delegation.id,
      agent: delegation.agent,
      messages,
    });
  }

  const rows = recordedModelCalls(database, runId);
  const unhashed = rows.filter((row) => row.status === 'completed' && row.request_hash === null).length;
  if (unhashed > 0) {
    throw new MuxSwarmError(
      'run_not_replayable',
      `run ${runId} cannot be replayed: ${unhashed} of its model calls were made by a mux-swarm that did not yet record what each call asked. Record it again with this version.`,
    );
  }
  const repliesTaken = new Map<string, number>();
  const askedLater = (index: number, hash: string): boolean =>
    rows.slice(index + 1).some((row) => row.request_hash === hash);
  const modelCalls: CassetteModelCall[] = [];
  for (const [index, row] of rows.entries()) {
    if (row.request_hash === null || row.request_tools === null) continue;
    const base = {
      type: 'model-call' as const,
      agent: row.agent,
      delegation: row.delegation_id,
      turn: row.turn,
      provider: row.provider,
      model: row.model,
      hash: row.request_hash,
      tools: row.request_tools,
      messages: row.request_messages ?? 0,
    };
    if (row.status === 'completed') {
      const taken = repliesTaken.get(row.delegation_id) ?? 0;
      repliesTaken.set(row.delegation_id, taken + 1);
      const reply = (transcripts.get(row.delegation_id)?.messages ?? []).filter(
        (message) => message.role === 'assistant',
      )[taken];
      if (reply === undefined)
        throw new MuxSwarmError(
          'run_not_replayable',
          `run ${runId} cannot be replayed: the reply to ${row.agent}'s turn ${row.turn} (delegation ${row.delegation_id}) is missing from its transcript`,
        );
      modelCalls.push({
        ...base,
        reply: portable({
          content: reply.content,
          toolCalls: reply.tool_calls ?? [],
          finishReason: row.finish_reason,
          model: row.response_model ?? row.model,
          usage: {
            inputTokens: row.input_tokens,
            outputTokens: row.output_tokens,
            cachedInputTokens: row.cached_input_tokens,
            reasoningTokens: row.reasoning_tokens,
          },
          costUsd: row.cost_usd,
          costSource: row.cost_source,
        }),
      });
    } else if (
      row.status === 'failed' &&
      row.error !== null &&
      !row.error.startsWith('interrupted:') &&
      !askedLater(index, row.request_hash)
    ) {
      modelCalls.push({ ...base, error: normaliser.text(row.error) });
    }
  }

  const toolSetHashes = [...new Set(modelCalls.map((call) => call.tools))];
  const toolSets = toolSetHashes.map((hash) => ({
    type: 'tool-set' as const,
    hash,
    tools: toolSetJson(database, hash) ?? '[]',
  }));

  const toolCalls: CassetteToolCall[] = finishedToolCalls(database, runId).map((row) => ({
    type: 'tool-call' as const,
    id: row.id,
    agent: row.agent,
    delegation: row.delegation_id,
    turn: row.turn,
    name: row.name,
    arguments: normaliser.text(row.arguments_json),
    result: normaliser.text(row.result_text ?? ''),
    isError: row.is_error === 1,
  }));

  return {
    header: {
      type: 'cassette',
      version: CASSETTE_VERSION,
      muxSwarm: options.muxSwarmVersion,
      exportedAt: (options.now ?? new Date()).toISOString(),
      run: {
        id: run.id,
        ...portable({
          goalName: run.goal_name,
          goalSource: run.goal_source,
          goalText: run.goal_text,
          mode: run.mode,
          status: run.status,
          subtype: run.subtype,
          exitCode: run.exit_code,
          result: run.result,
        }),
        ...specialistsInPlay(run.settings_json),
      },
    },
    toolSets,
    transcripts: [...transcripts.values()].map((transcript) => portable(transcript)),
    modelCalls,
    toolCalls,
  };
}

/** The specialists a run had in play, in order, from its settings snapshot (absent when it does not say). */
function specialistsInPlay(settingsJson: string): { agents?: string[] } {
  try {
    const settings = JSON.parse(settingsJson) as { agents?: Array<{ name?: unknown; role?: unknown }> };
    if (!Array.isArray(settings.agents)) return {};
    return {
      agents: settings.agents
        .filter((agent) => agent.role !== 'orchestrator' && typeof agent.name === 'string')
        .map((agent) => agent.name as string),
    };
  } catch {
    return {};
  }
}
