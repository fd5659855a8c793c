import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import { canonicalJson } from '../hub/canonical-json.js';
import type { SecretScrubber } from '../logging/secret-scrubber.js';
import type { ChatMessage, ToolDefinition } from '../providers/chat-types.js';

/**
 * What a model was asked, reduced to what replay compares: the agent, its configured provider/model, the messages
 * and the tools offered. Messages are projected onto the fields a model sees (role, content, tool calls, the call a
 * result answers), so a transcript rebuilt from the journal compares equal to the one held in memory.
 */

/** A message as replay compares it. */
export interface ProjectedMessage {
  role: string;
  content: string | null;
  tool_calls?: Array<{ id: string; name: string; arguments: string }>;
  tool_call_id?: string;
}

/** The places a run's text names that differ from one run (or checkout) to the next: replaced by placeholders. */
export interface RunPlaces {
  workdir: string;
  runDirectory: string;
  runId: string;
}

export const WORKDIR_PLACEHOLDER = '<workdir>';
export const RUN_DIRECTORY_PLACEHOLDER = '<run-directory>';
export const RUN_ID_PLACEHOLDER = '<run-id>';

/**
 * Makes a run's text portable and comparable: this run's directory (absolute, then relative to the workdir), the
 * workdir and the run id become placeholders, then the process's secrets are scrubbed. `restore` puts this run's
 * places back (the run directory in its workdir-relative form, the one tool results name).
 */
export class RequestNormaliser {
  private readonly replacements: Array<[string, string]>;
  private readonly restorations: Array<[string, string]>;

  constructor(
    places: RunPlaces,
    private readonly scrubber?: SecretScrubber,
  ) {
    const relativeRunDirectory = relative(places.workdir, places.runDirectory);
    this.replacements = (
      [
        [places.runDirectory, RUN_DIRECTORY_PLACEHOLDER],
        [relativeRunDirectory, RUN_DIRECTORY_PLACEHOLDER],
        [places.workdir, WORKDIR_PLACEHOLDER],
        [places.runId, RUN_ID_PLACEHOLDER],
      ] as Array<[string, string]>
    ).filter(([from]) => from.length > 1);
    this.restorations = [
      [RUN_DIRECTORY_PLACEHOLDER, relativeRunDirectory],
      [WORKDIR_PLACEHOLDER, places.workdir],
      [RUN_ID_PLACEHOLDER, places.runId],
    ];
  }

  /** `text` with this run's places as placeholders and no secret. */
  text(text: string): string {
    let result = text;
    for (const [from, to] of this.replacements) if (result.includes(from)) result = result.split(from).join(to);
    return this.scrubber ? this.scrubber.text(result) : result;
  }

  /** Text from a recording, with this run's places in place of the placeholders. */
  restore(text: string): string {
    let result = text;
    for (const [from, to] of this.restorations) if (result.includes(from)) result = result.split(from).join(to);
    return result;
  }
}

/** A message as the model sees it, whichever shape it was held in (in memory, or rebuilt from the journal). */
export function projectMessage(message: ChatMessage | ProjectedMessage): ProjectedMessage {
  const record = message as { role: string; content?: unknown; tool_calls?: unknown; tool_call_id?: string };
  const content = typeof record.content === 'string' ? record.content : record.content == null ? null : JSON.stringify(record.content);
  const projected: ProjectedMessage = { role: record.role, content };
  if (Array.isArray(record.tool_calls) && record.tool_calls.length > 0) {
    projected.tool_calls = (record.tool_calls as Array<{ id: string; name?: string; arguments?: string; function?: { name: string; arguments: string } }>).map((call) => ({
      id: call.id,
      name: call.function?.name ?? call.name ?? '',
      arguments: call.function?.arguments ?? call.arguments ?? '',
    }));
  }
  if (typeof record.tool_call_id === 'string') projected.tool_call_id = record.tool_call_id;
  return projected;
}

/** Who was asked: the agent and its configured provider/model (the first entry of a chain). */
export interface RequestAsker {
  agent: string;
  provider: string;
  model: string;
}

/** The identity of one request: its hash, and the hash of the tool set it offered (with that set's normalised JSON). */
export interface RequestIdentity {
  hash: string;
  toolsHash: string;
  toolsJson: string;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Normalised canonical JSON of a tool set, and its hash. */
export function toolSetIdentity(tools: readonly ToolDefinition[], normaliser: RequestNormaliser): { toolsHash: string; toolsJson: string } {
  const toolsJson = normaliser.text(canonicalJson(tools.map((tool) => ({ name: tool.name, description: tool.description, parameters: tool.parameters }))));
  return { toolsHash: sha256(toolsJson).slice(0, 32), toolsJson };
}

/** A duration a tool reports ("exit code 0 (43 ms)"): it changes from one run of the tool to the next. */
const TOOL_DURATION = /\b\d+(?:\.\d+)? ?(?:ms|s)\b/g;
export const DURATION_PLACEHOLDER = '<duration>';

/**
 * A message as a request compares it: projected, and a tool result's durations masked (a live tool takes another
 * few milliseconds each time; what it says otherwise must be the same).
 */
export function comparableMessage(message: ChatMessage | ProjectedMessage): ProjectedMessage {
  const projected = projectMessage(message);
  if (projected.role === 'tool' && projected.content !== null && projected.content !== '') projected.content = projected.content.replace(TOOL_DURATION, DURATION_PLACEHOLDER);
  return projected;
}

/** Normalised canonical JSON of the messages of a request (see comparableMessage). */
export function messagesJson(messages: ReadonlyArray<ChatMessage | ProjectedMessage>, normaliser: RequestNormaliser): string {
  return normaliser.text(canonicalJson(messages.map(comparableMessage)));
}

/** The hash replay matches on: sha-256 of who was asked, the normalised messages and the tool set's hash. */
export function requestHash(asker: RequestAsker, normalisedMessages: string, toolsHash: string): string {
  return sha256(`${canonicalJson(asker)}\n${normalisedMessages}\n${toolsHash}`);
}

/**
 * Computes a request's identity; the tool set's part is remembered per tool array (an agent offers the same array
 * turn after turn until its tools change), so a call costs one pass over its messages.
 */
export class RequestIdentifier {
  private readonly toolSets = new WeakMap<readonly ToolDefinition[], { toolsHash: string; toolsJson: string }>();

  constructor(readonly normaliser: RequestNormaliser) {}

  identify(asker: RequestAsker, messages: readonly ChatMessage[], tools: readonly ToolDefinition[]): RequestIdentity {
    let toolSet = this.toolSets.get(tools);
    if (!toolSet) {
      toolSet = toolSetIdentity(tools, this.normaliser);
      this.toolSets.set(tools, toolSet);
    }
    return { hash: requestHash(asker, messagesJson(messages, this.normaliser), toolSet.toolsHash), ...toolSet };
  }
}

/** The turn a request asks for: one more than the assistant messages it holds. */
export function requestTurn(messages: ReadonlyArray<ChatMessage | ProjectedMessage>): number {
  return messages.filter((message) => message.role === 'assistant').length + 1;
}
