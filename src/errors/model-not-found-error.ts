import { MuxSwarmError } from './mux-swarm-error.js';

export interface ModelNotFoundErrorDetails {
  provider: string;
  baseURL: string;
  model: string;
  /** The endpoint's own message, already scrubbed of secrets. */
  endpointMessage: string;
  /** Models the endpoint lists (closest names first, at most ~20), or the reason the listing failed. */
  availableModels: { models: string[]; total: number } | { listingError: string };
}

/** The endpoint does not know the model asked for. */
export class ModelNotFoundError extends MuxSwarmError {
  readonly provider: string;
  readonly model: string;
  readonly endpointMessage: string;
  /** Closest names first; empty when the listing failed. */
  readonly availableModels: string[];

  constructor(details: ModelNotFoundErrorDetails) {
    const listing =
      'listingError' in details.availableModels
        ? `Listing its models (GET ${details.baseURL}/models) failed too: ${details.availableModels.listingError}. ` +
          `If that also says "not found", check that baseURL is right (OpenAI-compatible servers usually end in /v1).`
        : details.availableModels.models.length === 0
          ? `The endpoint lists no models${details.provider.toLowerCase().includes('ollama') || details.baseURL.includes(':11434') ? ' (pull one first, e.g. `ollama pull qwen3:8b`)' : ''}.`
          : `Models it lists${details.availableModels.total > details.availableModels.models.length ? ` (closest ${details.availableModels.models.length} of ${details.availableModels.total})` : ''}: ` +
            `${details.availableModels.models.join(', ')}.`;
    super(
      'model_not_found',
      `Provider "${details.provider}" (${details.baseURL}) has no model "${details.model}"` +
        `${details.endpointMessage ? ` (${details.endpointMessage})` : ''}. ${listing} ` +
        `Fix the "model" of the agent in swarm.json.`,
    );
    this.provider = details.provider;
    this.model = details.model;
    this.endpointMessage = details.endpointMessage;
    this.availableModels = 'models' in details.availableModels ? details.availableModels.models : [];
  }
}
