import type OpenAI from 'openai';
import type { ChatRequest } from './chat-types.js';
import { assertToolName, cleanToolSchema } from './tool-schema.js';

/**
 * The field carrying the output-token limit. OpenAI deprecated `max_tokens` and its reasoning models (o-series,
 * gpt-5) reject it; every other OpenAI-compatible server (Ollama, vLLM, llama.cpp, OpenRouter) understands
 * `max_tokens`, and not all understand `max_completion_tokens`.
 */
export type TokenLimitField = 'max_tokens' | 'max_completion_tokens';

export function defaultTokenLimitField(baseURL: string): TokenLimitField {
  try {
    return new URL(baseURL).hostname === 'api.openai.com' ? 'max_completion_tokens' : 'max_tokens';
  } catch {
    return 'max_tokens';
  }
}

export interface BoundModelParams {
  temperature?: number | undefined;
  maxOutputTokens?: number | undefined;
}

/**
 * The chat-completions body for one request (without the streaming fields): only standard fields, `tools` left out when there are none (some
 * servers reject an empty list), tool schemas cleaned. Request-level parameters override the bound ones.
 */
export function buildChatRequestBody(options: {
  model: string;
  request: ChatRequest;
  params: BoundModelParams;
  tokenLimitField: TokenLimitField;
}): OpenAI.ChatCompletionCreateParamsNonStreaming {
  const { request, params } = options;
  const body: OpenAI.ChatCompletionCreateParamsNonStreaming = { model: options.model, messages: request.messages };
  if (request.tools.length > 0) {
    body.tools = request.tools.map((tool): OpenAI.ChatCompletionFunctionTool => {
      assertToolName(tool.name);
      return {
        type: 'function',
        function: { name: tool.name, description: tool.description, parameters: cleanToolSchema(tool.parameters) },
      };
    });
  }
  const temperature = request.temperature ?? params.temperature;
  if (temperature !== undefined) body.temperature = temperature;
  const maxOutputTokens = request.maxOutputTokens ?? params.maxOutputTokens;
  if (maxOutputTokens !== undefined) body[options.tokenLimitField] = maxOutputTokens;
  return body;
}

/** True when a 400 says the other token-limit field is the one this model wants. */
export function wantsOtherTokenLimitField(message: string, current: TokenLimitField): boolean {
  const other: TokenLimitField = current === 'max_tokens' ? 'max_completion_tokens' : 'max_tokens';
  return message.includes(current) && message.includes(other);
}
