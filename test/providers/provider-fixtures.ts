import { providerSchema, type ProviderConfig } from '../../src/config/config-schema.js';
import type { ChatRequest, RetryNotice, ToolDefinition } from '../../src/providers/chat-types.js';
import {
  createProviderClient,
  type ProviderClient,
  type ProviderClientOptions,
} from '../../src/providers/provider-client.js';

/** A provider config as config.json would give it (schema defaults applied), with test-friendly retries. */
export function providerConfig(baseURL: string, overrides: Record<string, unknown> = {}): ProviderConfig {
  return providerSchema.parse({ baseURL, timeoutMs: 10_000, maxRetries: 2, ...overrides });
}

/** Retry waits short enough for tests; Retry-After headers are still honoured. */
export const fastRetries = { baseDelayMs: 10, maxDelayMs: 40, unreachableDelayMs: 10 } as const;

export function testProvider(
  baseURL: string,
  overrides: Record<string, unknown> = {},
  options: Partial<ProviderClientOptions> = {},
): { client: ProviderClient; notices: RetryNotice[] } {
  const notices: RetryNotice[] = [];
  const client = createProviderClient('local', providerConfig(baseURL, overrides), {
    env: {},
    prices: {},
    retryPolicy: fastRetries,
    onRetry: (notice) => notices.push(notice),
    ...options,
  });
  return { client, notices };
}

export function ask(text: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { messages: [{ role: 'user', content: text }], tools: [], ...extra };
}

export const readFileTool: ToolDefinition = {
  name: 'fs__read_file',
  description: 'Read a text file',
  parameters: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { path: { type: 'string' } },
    required: ['path'],
  },
};

export const listDirectoryTool: ToolDefinition = {
  name: 'fs__list_directory',
  description: 'List a directory',
  parameters: { type: 'object', properties: { path: { type: 'string' } } },
};
