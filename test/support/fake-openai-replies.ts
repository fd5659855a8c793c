/** Shapes of the fake server's scripted responses and the OpenAI-format bodies built from them. */

export interface FakeChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>;
  tool_call_id?: string;
  [key: string]: unknown;
}

/** A chat-completions request body as the fake server parsed it. */
export interface FakeChatBody {
  model: string;
  messages: FakeChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: Array<{
    type: string;
    function: { name: string; description?: string; parameters?: Record<string, unknown> };
  }>;
  [key: string]: unknown;
}

export interface ScriptedToolCall {
  name: string;
  /** An object (sent as its JSON) or the raw arguments text, which may be invalid JSON on purpose. */
  arguments: object | string;
  id?: string;
}

export interface ScriptedUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
}

export interface ScriptedError {
  status: number;
  /** Goes into the OpenAI-shaped body `{error: {message, type, code}}`. */
  message?: string;
  type?: string;
  code?: string;
  headers?: Record<string, string>;
  /** Replaces the whole body (JSON-encoded unless a string). */
  body?: unknown;
}

export interface ScriptedResponse {
  content?: string;
  toolCalls?: ScriptedToolCall[];
  /** Default: "tool_calls" when there are tool calls, else "stop". */
  finishReason?: string;
  /** Merged over a default computed from text lengths (about 4 characters a token). */
  usage?: ScriptedUsage;
  /** Reported as `usage.cost` in USD, like OpenRouter. */
  cost?: number;
  /** The model id the reply names; default: the one asked for. */
  model?: string;
  /** Wait before answering (before the headers). */
  delayMs?: number;
  /** Streaming only: wait between chunks. */
  chunkDelayMs?: number;
  error?: ScriptedError;
  /** Destroy the socket instead of answering. */
  hangUp?: boolean;
  /** Streaming only: send this many chunks, then destroy the socket. */
  hangUpAfterChunks?: number;
}

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
  cost?: number;
}

interface WireToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

let sequence = 0;

export function buildUsage(body: FakeChatBody, response: ScriptedResponse, toolCalls: WireToolCall[]): FakeUsage {
  const promptCharacters = body.messages.reduce(
    (total, message) => total + JSON.stringify(message.content ?? '').length,
    0,
  );
  const completionCharacters =
    (response.content ?? '').length +
    toolCalls.reduce((total, call) => total + call.function.name.length + call.function.arguments.length, 0);
  const promptTokens = response.usage?.prompt_tokens ?? Math.max(1, Math.ceil(promptCharacters / 4));
  const completionTokens = response.usage?.completion_tokens ?? Math.max(1, Math.ceil(completionCharacters / 4));
  const usage: FakeUsage = {
    ...response.usage,
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: response.usage?.total_tokens ?? promptTokens + completionTokens,
  };
  if (response.cost !== undefined) usage.cost = response.cost;
  return usage;
}

export function wireToolCalls(response: ScriptedResponse): WireToolCall[] {
  return (response.toolCalls ?? []).map((call, index) => ({
    id: call.id ?? `call_fake_${sequence}_${index}`,
    type: 'function',
    function: {
      name: call.name,
      arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
    },
  }));
}

function finishReason(response: ScriptedResponse): string {
  return response.finishReason ?? ((response.toolCalls?.length ?? 0) > 0 ? 'tool_calls' : 'stop');
}

/** The JSON body of a non-streamed chat completion. */
export function completionBody(body: FakeChatBody, response: ScriptedResponse): Record<string, unknown> {
  sequence += 1;
  const toolCalls = wireToolCalls(response);
  const message: Record<string, unknown> = { role: 'assistant', content: response.content ?? null, refusal: null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: `chatcmpl-fake-${sequence}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: response.model ?? body.model,
    choices: [{ index: 0, message, finish_reason: finishReason(response), logprobs: null }],
    usage: buildUsage(body, response, toolCalls),
  };
}

/** Splits text into at most `count` non-empty pieces of similar length. */
export function splitText(text: string, count: number): string[] {
  if (text === '') return [];
  const size = Math.max(1, Math.ceil(text.length / count));
  const pieces: string[] = [];
  for (let index = 0; index < text.length; index += size) pieces.push(text.slice(index, index + size));
  return pieces;
}

/**
 * The chunks of a streamed completion, in order: role, content in pieces, each tool call's id and name then its
 * arguments in pieces, the finish reason, and (when asked with `stream_options.include_usage`) a usage chunk.
 */
export function completionChunks(body: FakeChatBody, response: ScriptedResponse): Array<Record<string, unknown>> {
  sequence += 1;
  const id = `chatcmpl-fake-${sequence}`;
  const created = Math.floor(Date.now() / 1000);
  const model = response.model ?? body.model;
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): Record<string, unknown> => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
  });
  const toolCalls = wireToolCalls(response);
  const chunks = [chunk({ role: 'assistant', content: '' })];
  for (const piece of splitText(response.content ?? '', 3)) chunks.push(chunk({ content: piece }));
  toolCalls.forEach((call, index) => {
    chunks.push(
      chunk({
        tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }],
      }),
    );
    for (const piece of splitText(call.function.arguments, 3)) {
      chunks.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  chunks.push(chunk({}, finishReason(response)));
  if (body.stream_options?.include_usage === true) {
    chunks.push({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [],
      usage: buildUsage(body, response, toolCalls),
    });
  }
  return chunks;
}

const defaultErrorTypes: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'invalid_request_error', code: 'permission_denied' },
  404: { type: 'invalid_request_error', code: 'model_not_found' },
  429: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
};

/** An OpenAI-shaped error body: `{error: {message, type, code, param}}`. */
export function errorBody(error: ScriptedError): unknown {
  if (error.body !== undefined) return error.body;
  const defaults = defaultErrorTypes[error.status] ?? {
    type: error.status >= 500 ? 'server_error' : 'invalid_request_error',
    code: null,
  };
  return {
    error: {
      message: error.message ?? `fake error ${error.status}`,
      type: error.type ?? defaults.type,
      code: error.code ?? defaults.code,
      param: null,
    },
  };
}
