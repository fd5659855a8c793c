import { MuxSwarmError } from './mux-swarm-error.js';

export type UnreachableReason = 'refused' | 'dns' | 'tls' | 'network';

export interface ProviderUnreachableErrorDetails {
  provider: string;
  baseURL: string;
  reason: UnreachableReason;
  /** The system's own words, e.g. "connect ECONNREFUSED 127.0.0.1:11434". */
  detail: string;
  attempts: number;
}

/** No HTTP answer at all: nothing listens, the host name does not resolve, or TLS failed. */
export class ProviderUnreachableError extends MuxSwarmError {
  readonly provider: string;
  readonly baseURL: string;
  readonly reason: UnreachableReason;
  readonly attempts: number;

  constructor(details: ProviderUnreachableErrorDetails, options?: { cause?: unknown }) {
    const what = {
      refused: 'nothing accepted the connection',
      dns: 'the host name did not resolve',
      tls: 'the TLS handshake failed',
      network: 'the network gave no route to it',
    }[details.reason];
    const advice = {
      refused:
        'Check that the server is running and listening on that address and port (for Ollama: `ollama serve`; for vLLM: `vllm serve MODEL`; for llama.cpp: `llama-server`).',
      dns: 'Check the host name in baseURL and the network connection (DNS).',
      tls: 'Check that baseURL uses the right scheme (http:// for most local servers) and that the certificate is valid.',
      network: 'Check the network connection and any firewall or VPN between here and the server.',
    }[details.reason];
    super(
      'provider_unreachable',
      `Cannot reach provider "${details.provider}" at ${details.baseURL}: ${what} (${details.detail}; ` +
        `${details.attempts} attempt${details.attempts === 1 ? '' : 's'}). ${advice} ` +
        `The URL comes from providers.${details.provider}.baseURL in config.json.`,
      options,
    );
    this.provider = details.provider;
    this.baseURL = details.baseURL;
    this.reason = details.reason;
    this.attempts = details.attempts;
  }
}
