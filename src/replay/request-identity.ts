import { createHash } from 'node:crypto';
import { messageContentText } from '../providers/message-content.js';
import { relative } from 'node:path';
import { canonicalJson } from '../text/canonical-json.js';
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
  const projected: ProjectedMessage = { role: record.role, content: messageContentText(record.content) };
  if (Array.isArray(record.tool_calls) && record.tool_calls.length > 0) {
    projected.tool_calls = (
      record.tool_calls as Array<{
        id: string;
        name?: string;
        arguments?: string;
        function?: { name: string; arguments: string };
      }>
    ).map((call) => ({
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
export function toolSetIdentity(
  tools: readonly ToolDefinition[],
  normaliser: RequestNormaliser,
): { toolsHash: string; toolsJson: string } {
  const toolsJson = normaliser.text(
    canonicalJson(
      tools.map((tool) => ({ name: tool.name, description: tool.description, parameters: tool.parameters })),
    ),
  );
  return { toolsHash: sha256(toolsJson).slice(0, 32), toolsJson };
}

/** A duration a tool reports ("exit code 0 (43 ms)"): it changes from one run of the tool to the next. */
const TOOL_DURATION = /\b\d+(?:\.\d+)? ?(?:ms|s)\b/g;
export const DURATION_PLACEHOLDER = '<duration>';

/**
 * The shell server's note that a command left background processes, which it sometimes adds for a command that left
 * none (a race between the command's exit and the check of its process group in run-in-process-group.ts).
 */
const BACKGROUND_NOTE = /^Processes it left running in the background were stopped: .*\n?/gm;

/**
 * A message as a request compares it: projected, and in a tool result what changes from one run of a live tool to
 * the next masked — durations (another few milliseconds each time) and the shell's note on background processes
 * stopped (a timing race); what a tool says otherwise must be the same.
 */
export function comparableMessage(message: ChatMessage | ProjectedMessage): ProjectedMessage {
  const projected = projectMessage(message);
  if (projected.role === 'tool' && projected.content !== null && projected.content !== '') {
    projected.content = projected.content.replace(TOOL_DURATION, DURATION_PLACEHOLDER).replace(BACKGROUND_NOTE, '');
  }
  return projected;
}

/** Normalised canonical JSON of the messages of a request (see comparableMessage). */
export function messagesJson(
  messages: ReadonlyArray<ChatMessage | ProjectedMessage>,
  normaliser: RequestNormaliser,
): string {
  return normaliser.text(canonicalJson(messages.map(comparableMessage)));
}

/** One message's link in a request's hash chain: sha-256 of the chain so far and the normalised message. */
function messageLink(previous: string, message: ChatMessage | ProjectedMessage, normaliser: RequestNormaliser): string {
  return sha256(`${previous}\n${normaliser.text(canonicalJson(comparableMessage(message)))}`);
}

/** Where a request's hash chain starts: who was asked. */
function chainStart(asker: RequestAsker): string {
  return sha256(canonicalJson(asker));
}

/** The end of the chain: the messages' link and the tool set's hash. */
function chainEnd(chain: string, toolsHash: string): string {
  return sha256(`${chain}\n${toolsHash}`);
}

/**
 * The hash replay matches on, computed in full: a chain over who was asked, each message (normalised, see
 * comparableMessage) in order, and the tool set's hash. RequestIdentifier computes the same incrementally.
 */
export function requestHash(
  asker: RequestAsker,
  messages: ReadonlyArray<ChatMessage | ProjectedMessage>,
  toolsHash: string,
  normaliser: RequestNormaliser,
): string {
  let chain = chainStart(asker);
  for (const message of messages) chain = messageLink(chain, message, normaliser);
  return chainEnd(chain, toolsHash);
}

/**
 * Computes a request's identity at the cost of what is new in it: a transcript only grows (the same message objects
 * call after call), so each message's link is remembered with the link before it and reused while that is the same;
 * the tool set's part is remembered per tool array (an agent offers the same array until its tools change).
 */
export class RequestIdentifier {
  private readonly toolSets = new WeakMap<readonly ToolDefinition[], { toolsHash: string; toolsJson: string }>();
  /** The same tool set offered by another array (each delegation builds its own): keyed by names, descriptions and schema objects. */
  private readonly toolSetsByContent = new Map<string, { toolsHash: string; toolsJson: string }>();
  private readonly schemaIds = new WeakMap<object, number>();
  private nextSchemaId = 1;
  private readonly links = new WeakMap<object, { previous: string; link: string }>();

  constructor(readonly normaliser: RequestNormaliser) {}

  identify(asker: RequestAsker, messages: readonly ChatMessage[], tools: readonly ToolDefinition[]): RequestIdentity {
    const toolSet = this.toolSet(tools);
    let chain = chainStart(asker);
    for (const message of messages) {
      const known = this.links.get(message);
      if (known !== undefined && known.previous === chain) {
        chain = known.link;
        continue;
      }
      const link = messageLink(chain, message, this.normaliser);
      this.links.set(message, { previous: chain, link });
      chain = link;
    }
    return { hash: chainEnd(chain, toolSet.toolsHash), ...toolSet };
  }

  /**
   * A tool schema is never changed in place once listed (the hub lists new objects when a server's tools change, and
   * runtime tools convert each zod schema once), so the schema object stands for its content in the key.
   */
  private toolSet(tools: readonly ToolDefinition[]): { toolsHash: string; toolsJson: string } {
    const known = this.toolSets.get(tools);
    if (known) return known;
    const key = tools
      .map((tool) => `${tool.name}\u0000${tool.description}\u0000${this.schemaId(tool.parameters)}`)
      .join('\u0001');
    let toolSet = this.toolSetsByContent.get(key);
    if (!toolSet) {
      toolSet = toolSetIdentity(tools, this.normaliser);
      this.toolSetsByContent.set(key, toolSet);
    }
    this.toolSets.set(tools, toolSet);
    return toolSet;
  }

  private schemaId(schema: object | undefined): number {
    if (schema === undefined) return 0;
    let id = this.schemaIds.get(schema);
    if (id === undefined) {
      id = this.nextSchemaId++;
      this.schemaIds.set(schema, id);
    }
    return id;
  }
}

/** The turn a request asks for: one more than the assistant messages it holds. */
export function requestTurn(messages: ReadonlyArray<ChatMessage | ProjectedMessage>): number {
  return messages.filter((message) => message.role === 'assistant').length + 1;
}
