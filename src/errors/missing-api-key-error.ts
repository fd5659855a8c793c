import { MuxSwarmError } from './mux-swarm-error.js';

/** The provider names an `apiKeyEnv` variable that is not set (or is empty) in the environment. */
export class MissingApiKeyError extends MuxSwarmError {
  readonly provider: string;
  readonly apiKeyEnv: string;

  constructor(provider: string, apiKeyEnv: string) {
    super(
      'api_key_missing',
      `Provider "${provider}" reads its API key from the environment variable ${apiKeyEnv}, which is not set. ` +
        `Export it (export ${apiKeyEnv}=...) before running mux-swarm, or remove "apiKeyEnv" from ` +
        `providers.${provider} in config.json if the endpoint needs no key (Ollama, vLLM, llama.cpp).`,
    );
    this.provider = provider;
    this.apiKeyEnv = apiKeyEnv;
  }
}
