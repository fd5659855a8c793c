import { createTwoFilesPatch } from 'diff';
import type { Cassette, CassetteModelCall } from './cassette.js';
import { canonicalJson } from '../text/canonical-json.js';
import { comparableMessage, type ProjectedMessage, type RequestAsker } from './request-identity.js';
import type { Divergence } from '../errors/replay-diverged-error.js';

/** Diff lines shown at most; the rest is counted. */
const MAX_DIFF_LINES = 160;

/** What the replay asked, normalised like the recording. */
export interface AskedNow {
  asker: RequestAsker;
  turn: number;
  messages: ProjectedMessage[];
  toolsHash: string;
  toolsJson: string;
}

/**
 * Explains a request the recording does not hold: the closest recorded call of the same agent (the most leading
 * messages in common, then the nearest turn), what differs (model, tools offered, first differing message) and a
 * unified diff of the recorded request against this one.
 */
export function describeDivergence(cassette: Cassette, now: AskedNow): Divergence {
  const { asker, turn } = now;
  const candidates = cassette.modelCalls.filter((call) => call.agent === asker.agent);
  if (candidates.length === 0) {
    const agents = [...new Set(cassette.modelCalls.map((call) => call.agent))];
    return {
      agent: asker.agent,
      turn,
      reason: `the recording has no model call by ${asker.agent} (it has calls by ${agents.join(', ') || 'nobody'})`,
      diff: renderDiff('', renderMessages(now.messages)),
    };
  }
  const transcripts = new Map(cassette.transcripts.map((transcript) => [transcript.delegation, transcript.messages]));
  const recordedMessages = (call: CassetteModelCall): ProjectedMessage[] =>
    (transcripts.get(call.delegation) ?? []).slice(0, call.messages).map(comparableMessage);
  const nowKeys = now.messages.map((message) => canonicalJson(message));
  const score = (call: CassetteModelCall): number => {
    const recorded = recordedMessages(call);
    let common = 0;
    while (common < recorded.length && common < nowKeys.length && canonicalJson(recorded[common]) === nowKeys[common])
      common += 1;
    return common;
  };
  let best = candidates[0]!;
  let bestScore = -1;
  for (const call of candidates) {
    const callScore = score(call);
    if (callScore > bestScore || (callScore === bestScore && Math.abs(call.turn - turn) < Math.abs(best.turn - turn))) {
      best = call;
      bestScore = callScore;
    }
  }
  const recorded = recordedMessages(best);
  const differences: string[] = [];
  if (best.provider !== asker.provider || best.model !== asker.model)
    differences.push(`the model is ${asker.provider}/${asker.model}, recorded ${best.provider}/${best.model}`);
  if (best.tools !== now.toolsHash) differences.push('the tools offered differ');
  if (bestScore < Math.max(recorded.length, now.messages.length)) {
    const index = bestScore;
    const role = now.messages[index]?.role ?? recorded[index]?.role ?? 'message';
    differences.push(
      index >= recorded.length
        ? `message ${index + 1} (${role}) was not in the recorded request`
        : index >= now.messages.length
          ? `message ${index + 1} (${role}) of the recorded request is missing`
          : `message ${index + 1} (${role}) differs`,
    );
  }
  if (differences.length === 0)
    differences.push(
      'the request differs from the recorded one only in what the recording hashed (e.g. a trimmed context)',
    );
  let diff = renderDiff(renderMessages(recorded), renderMessages(now.messages));
  if (best.tools !== now.toolsHash) {
    const recordedTools = cassette.toolSets.find((set) => set.hash === best.tools)?.tools ?? '[]';
    diff += renderDiff(renderTools(recordedTools), renderTools(now.toolsJson), 'tools offered');
  }
  return {
    agent: asker.agent,
    turn,
    reason: `${differences.join('; ')} (closest recorded call: ${best.agent} turn ${best.turn} of delegation ${best.delegation})`,
    diff: capLines(diff),
  };
}

/** Messages as text a person reads: one block per message, tool calls and results labelled. */
export function renderMessages(messages: readonly ProjectedMessage[]): string {
  return (
    messages
      .map((message, index) => {
        const head = `=== message ${index + 1}: ${message.role}${message.tool_call_id ? ` (result of ${message.tool_call_id})` : ''}`;
        const calls = (message.tool_calls ?? []).map((call) => `→ ${call.name} ${call.arguments} [${call.id}]`);
        return [head, ...(message.content ? [message.content] : []), ...calls].join('\n');
      })
      .join('\n') + '\n'
  );
}

function renderTools(toolsJson: string): string {
  let tools: Array<{ name: string; description: string; parameters: unknown }>;
  try {
    tools = JSON.parse(toolsJson) as typeof tools;
  } catch {
    return `${toolsJson}\n`;
  }
  return (
    tools
      .map((tool) => `=== tool ${tool.name}\n${tool.description}\nparameters: ${JSON.stringify(tool.parameters)}`)
      .join('\n') + '\n'
  );
}

function renderDiff(recorded: string, now: string, what = 'request'): string {
  return createTwoFilesPatch(`recorded ${what}`, `replayed ${what}`, recorded, now, undefined, undefined, {
    context: 2,
  }).replace(/^=+\n/, '');
}

function capLines(text: string): string {
  const lines = text.split('\n');
  if (lines.length <= MAX_DIFF_LINES) return text;
  return `${lines.slice(0, MAX_DIFF_LINES).join('\n')}\n… ${lines.length - MAX_DIFF_LINES} more diff lines\n`;
}
