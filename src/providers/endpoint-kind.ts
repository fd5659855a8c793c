/** The OpenAI-compatible servers whose tool-calling switches `status --probe` knows how to advise on. */
export type EndpointKind = 'ollama' | 'llama.cpp' | 'vllm' | 'other';

/**
 * Which server a provider most likely is, from its name in config.json and its base URL's default port
 * (Ollama 11434, llama-server 8080, vLLM 8000). A guess for advice only: nothing else depends on it.
 */
export function guessEndpointKind(providerName: string, baseURL: string): EndpointKind {
  const name = providerName.toLowerCase();
  let port = '';
  try {
    port = new URL(baseURL).port;
  } catch {
    // an unparsable URL gives no port hint
  }
  if (name.includes('ollama') || port === '11434') return 'ollama';
  if (name.includes('vllm') || port === '8000') return 'vllm';
  if (name.includes('llama') || port === '8080') return 'llama.cpp';
  return 'other';
}
