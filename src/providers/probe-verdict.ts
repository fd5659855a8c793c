import type { ChatResponse } from './chat-types.js';
import type { EndpointKind } from './endpoint-kind.js';
import type { TextToolCallDialect } from './tool-call-text-parser.js';

/**
 * How a model answered the probe: a call in the tool-call field (`native`), a call written in text that the runtime
 * recovers (`text`, with its dialect), an answer with no usable call (`none`), or no answer at all (`error`).
 */
export type ProbeOutcome = 'native' | 'text' | 'none' | 'error';

export interface ProbeVerdict {
  outcome: ProbeOutcome;
  dialect?: TextToolCallDialect;
  /** One line for a person: what the model did. */
  detail: string;
}

/** The dialects as the probe names them. */
export const DIALECT_NAMES: Record<TextToolCallDialect, string> = {
  hermes: '<tool_call> tags (Hermes/Qwen)',
  mistral: '[TOOL_CALLS] (Mistral)',
  llama: '<|python_tag|> / <function=…> (Llama)',
  fenced: 'JSON in a code fence',
  json: 'bare JSON in the text',
};

/** What of a model's answer the verdict reads: the response the runtime's own recovery (openai-chat-model) produced. */
export type ProbeReply = Pick<
  ChatResponse,
  'content' | 'toolCalls' | 'toolCallsFromText' | 'textDialect' | 'finishReason'
>;

/**
 * Classifies a model's answer to the probe. The reply has already been through the runtime's text recovery
 * (parseToolCallsFromText, via OpenAIChatModel), so a `text` verdict names a dialect runs recover, by construction.
 */
export function classifyProbeReply(reply: ProbeReply): ProbeVerdict {
  const call = reply.toolCalls[0];
  if (call !== undefined) {
    const valid = isJsonObject(call.arguments);
    const argumentsNote = valid ? '' : ', but its arguments are not a JSON object';
    if (!reply.toolCallsFromText)
      return { outcome: 'native', detail: `called ${call.name} in the tool_calls field${argumentsNote}` };
    const dialect = reply.textDialect ?? 'json';
    return {
      outcome: 'text',
      dialect,
      detail: `called ${call.name} as ${DIALECT_NAMES[dialect]}; the runtime recovers it${argumentsNote}`,
    };
  }
  const text = (reply.content ?? '').trim();
  if (reply.finishReason === 'length')
    return { outcome: 'none', detail: `no tool call: the answer was cut at the output limit (${excerpt(text)})` };
  return {
    outcome: 'none',
    detail: text === '' ? 'no tool call and no text' : `no tool call, answered in prose: ${excerpt(text)}`,
  };
}

/**
 * The fix to try for a verdict on an endpoint of this kind; undefined when there is nothing to fix (native calls).
 * A text dialect works (the runtime recovers it) but native calls are cheaper and sturdier, so the fix is offered too.
 */
export function probeFix(
  verdict: Pick<ProbeVerdict, 'outcome' | 'dialect'>,
  kind: EndpointKind,
  model: string,
): string | undefined {
  if (verdict.outcome === 'native' || verdict.outcome === 'error') return undefined;
  const prefix = verdict.outcome === 'text' ? 'usable as is; for native tool_calls: ' : '';
  switch (kind) {
    case 'ollama':
      return `${prefix}use a model/tag with tool support (\`ollama show ${model}\` lists "tools" under Capabilities; e.g. qwen2.5-coder, llama3.1, mistral-nemo), or give it a chat template that renders tools (a Modelfile TEMPLATE from the model's upstream tool template, then \`ollama create\`)`;
    case 'llama.cpp':
      return `${prefix}start llama-server with --jinja (and --chat-template-file <the model's tool-use template> when the GGUF's own template is not recognised: the log then says "Chat format: Generic")`;
    case 'vllm':
      return `${prefix}start vLLM with --enable-auto-tool-choice --tool-call-parser ${vllmParser(verdict.dialect)} (the parser that matches the model family: hermes for Qwen/Hermes, mistral, llama3_json)`;
    case 'other':
      return `${prefix}turn on the server's tool calling for this model (its chat template must render tools and parse calls), or choose a model trained for tool use`;
  }
}

function vllmParser(dialect: TextToolCallDialect | undefined): string {
  if (dialect === 'mistral') return 'mistral';
  if (dialect === 'llama') return 'llama3_json';
  return 'hermes';
}

function isJsonObject(text: string): boolean {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function excerpt(text: string): string {
  const line = text.replace(/\s+/g, ' ');
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 79)}…` : line);
}
