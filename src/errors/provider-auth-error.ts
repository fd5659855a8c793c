import { MuxSwarmError } from './mux-swarm-error.js';

export interface ProviderAuthErrorDetails {
  provider: string;
  baseURL: string;
  /** Undefined when listing models rather than calling one. */
  model: string | undefined;
  status: number;
  /** Environment variable the key came from; undefined for keyless providers. */
  apiKeyEnv: string | undefined;
  /** The endpoint's own message, already scrubbed of secrets. */
  endpointMessage: string;
}

/** The endpoint answered 401 or 403: the key is wrong, expired, or lacks access to the model. */
export class ProviderAuthError extends MuxSwarmError {
  readonly provider: string;
  readonly model: string | undefined;
  readonly status: number;
  readonly apiKeyEnv: string | undefined;
  readonly endpointMessage: string;

  constructor(details: ProviderAuthErrorDetails) {
    const verdict = details.status === 403 ? 'refused access (403)' : 'rejected the API key (401)';
    const advice =
      details.apiKeyEnv === undefined
        ? `This provider has no "apiKeyEnv" in config.json, so mux-swarm sent a placeholder key. ` +
          `If the endpoint needs a key, set providers.${details.provider}.apiKeyEnv to the name of the environment variable holding it.`
        : details.status === 403
          ? `The key in ${details.apiKeyEnv} was accepted but may not be allowed to ${details.model === undefined ? 'list models' : `use model "${details.model}"`}: check the account's access and credits.`
          : `Check the key in ${details.apiKeyEnv}: it may be mistyped, revoked, or meant for another provider. Export a valid one and run again.`;
    super(
      'provider_auth_failed',
      `Provider "${details.provider}" (${details.baseURL}) ${verdict} ${details.model === undefined ? 'when listing models' : `for model "${details.model}"`}` +
        `${details.endpointMessage ? `: ${details.endpointMessage}` : ''}. ${advice}`,
    );
    this.provider = details.provider;
    this.model = details.model;
    this.status = details.status;
    this.apiKeyEnv = details.apiKeyEnv;
    this.endpointMessage = details.endpointMessage;
  }
}
