import type { Price, ProviderConfig } from '../config/config-schema.js';
import { describeError } from '../errors/mux-swarm-error.js';
import { MissingApiKeyError } from '../errors/missing-api-key-error.js';
import { ModelNotFoundError } from '../errors/model-not-found-error.js';
import { ProviderRequestError } from '../errors/provider-request-error.js';
import { ProviderUnreachableError } from '../errors/provider-unreachable-error.js';
import type { ChatRequest, ToolDefinition } from '../providers/chat-types.js';
import { guessEndpointKind, type EndpointKind } from '../providers/endpoint-kind.js';
import { classifyProbeReply, probeFix, type ProbeOutcome } from '../providers/probe-verdict.js';
import { createProviderClient } from '../providers/provider-client.js';
import type { ModelCatalogue } from '../providers/model-catalogue.js';
import { ConcurrencyLimiter } from '../runtime/concurrency-limiter.js';
import type { TextToolCallDialect } from '../providers/tool-call-text-parser.js';

/** One model to probe: a provider of config.json and a model id on it (an agent's model, or one entry of its chain). */
export interface ProbeTarget {
  provider: string;
  model: string;
}

export interface ProbeResult extends ProbeTarget {
  outcome: ProbeOutcome;
  dialect?: TextToolCallDialect;
  /** What the model did, or what went wrong, in one line. */
  detail: string;
  /** The fix to try; absent when there is nothing to fix. */
  fix?: string;
  /** The server the advice assumed, guessed from the provider's name and port. */
  endpoint: EndpointKind;
  /** Milliseconds from asking to the answer (or the failure). */
  durationMs: number;
}

export interface ProbeOptions {
  /** config.json `providers`. */
  providers: Record<string, ProviderConfig>;
  prices: Record<string, Price>;
  /** Where API keys are read from. */
  env: NodeJS.ProcessEnv;
  /** Per probe; default 60 s (a model that must load first may need more: `--probe-timeout`). */
  timeoutMs?: number;
  /** Probes in flight at once; default 4. */
  concurrency?: number;
  /** The model catalogue, for the cost of the probe's own call (tests pass an empty one). */
  loadCatalogue?: () => Promise<ModelCatalogue>;
}

export const PROBE_TOOL: ToolDefinition = {
  name: 'probe_echo',
  description: 'Echoes a word back. Call it whenever the user asks you to.',
  parameters: {
    type: 'object',
    properties: { word: { type: 'string', description: 'The word to echo.' } },
    required: ['word'],
  },
};
/** Enough for one call, in any dialect; a model that writes an essay instead is cut off (and says so: finish "length"). */
export const PROBE_MAX_OUTPUT_TOKENS = 200;
const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_CONCURRENCY = 4;

/** The canned request: one tool, one instruction to call it. */
export function probeRequest(signal?: AbortSignal): ChatRequest {
  return {
    messages: [
      {
        role: 'system',
        content: 'You are being checked for tool use. When asked to call a tool, call it; do not answer in prose.',
      },
      { role: 'user', content: 'Call the tool probe_echo with the word "ping".' },
    ],
    tools: [PROBE_TOOL],
    temperature: 0,
    maxOutputTokens: PROBE_MAX_OUTPUT_TOKENS,
    ...(signal ? { signal } : {}),
  };
}

/** The targets without repeats (same provider and model), in first-seen order. */
export function uniqueProbeTargets(targets: ProbeTarget[]): ProbeTarget[] {
  const seen = new Set<string>();
  return targets.filter((target) => {
    const key = `${target.provider}\u0000${target.model}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Sends each distinct model one short tool-calling request (no retries, a short deadline, a few at a time) and
 * reports how it answered. A failure is reported for its model alone; the others are still probed. Results come
 * back in the targets' order.
 */
export async function probeToolCalling(targets: ProbeTarget[], options: ProbeOptions): Promise<ProbeResult[]> {
  const limiter = new ConcurrencyLimiter(Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY));
  return Promise.all(uniqueProbeTargets(targets).map((target) => limiter.run(() => probeOne(target, options))));
}

async function probeOne(target: ProbeTarget, options: ProbeOptions): Promise<ProbeResult> {
  const config = options.providers[target.provider];
  const started = Date.now();
  if (config === undefined) {
    return {
      ...target,
      outcome: 'error',
      endpoint: 'other',
      durationMs: 0,
      detail: `provider "${target.provider}" is not in config.json`,
      fix: `add it under "providers" in config.json, or fix the agent's "provider"`,
    };
  }
  const endpoint = guessEndpointKind(target.provider, config.baseURL);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  try {
    const client = createProviderClient(
      target.provider,
      { ...config, maxRetries: 0, timeoutMs },
      {
        env: options.env,
        prices: options.prices,
        ...(options.loadCatalogue ? { loadCatalogue: options.loadCatalogue } : {}),
      },
    );
    const reply = await client.chatModel(target.model, { timeoutMs }).complete(probeRequest());
    const verdict = classifyProbeReply(reply);
    const fix = probeFix(verdict, endpoint, target.model);
    return { ...target, ...verdict, ...(fix ? { fix } : {}), endpoint, durationMs: Date.now() - started };
  } catch (error) {
    return {
      ...target,
      outcome: 'error',
      endpoint,
      durationMs: Date.now() - started,
      detail: describeError(error).split('\n')[0]!,
      ...errorFix(error, target, endpoint, timeoutMs),
    };
  }
}

/** The fix for a probe that got no answer, where a short one exists (the error's own message has the rest). */
function errorFix(error: unknown, target: ProbeTarget, endpoint: EndpointKind, timeoutMs: number): { fix?: string } {
  if (error instanceof MissingApiKeyError) return { fix: `export ${error.apiKeyEnv}=<your key>` };
  if (error instanceof ModelNotFoundError)
    return {
      fix:
        endpoint === 'ollama'
          ? `ollama pull ${target.model} (or fix the agent's "model")`
          : `fix the agent's "model" to one the endpoint lists`,
    };
  if (error instanceof ProviderUnreachableError)
    return {
      fix: `start the server at ${error.baseURL}${endpoint === 'ollama' ? ' (`ollama serve`)' : endpoint === 'llama.cpp' ? ' (`llama-server -m MODEL.gguf --jinja`)' : endpoint === 'vllm' ? ' (`vllm serve MODEL`)' : ''}`,
    };
  if (error instanceof ProviderRequestError) {
    // Ollama: "<model> does not support tools" (its template has none); llama-server before jinja became its default: "tools param requires --jinja flag".
    if (/requires --jinja/i.test(error.endpointMessage))
      return { fix: probeFix({ outcome: 'none' }, 'llama.cpp', target.model) ?? '' };
    if (/does not support tools/i.test(error.endpointMessage))
      return { fix: probeFix({ outcome: 'none' }, endpoint, target.model) ?? '' };
    if (error.status === undefined && /^timeout/.test(error.endpointMessage))
      return {
        fix: `no answer within ${Math.round(timeoutMs / 1000)} s: a model that is still loading may need longer (--probe-timeout 5m)`,
      };
  }
  return {};
}
