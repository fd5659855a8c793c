import type { TelemetryConfig } from '../config/config-schema.js';
import { ConfigError } from '../errors/config-error.js';

/** Where and how a run sends its traces; resolved before anything of OpenTelemetry is loaded. */
export interface TelemetrySettings {
  /** The full URL spans are POSTed to (OTLP/HTTP, JSON), e.g. http://127.0.0.1:4318/v1/traces. */
  tracesUrl: string;
  headers: Record<string, string>;
  /** Prompts, replies, tool arguments and results on spans; off unless config.json says so. */
  includeContent: boolean;
  serviceName: string;
}

const TRACES_PATH = '/v1/traces';

/**
 * Traces are on when config.json has `telemetry.otlp.endpoint` or the environment has one of the standard OTLP endpoint
 * variables (config.json first, then OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as it is, then OTEL_EXPORTER_OTLP_ENDPOINT
 * with `/v1/traces` added, as the OTLP exporter specification reads them). OTEL_SDK_DISABLED=true turns them off.
 * Undefined: no traces, and the run loads none of the OpenTelemetry packages.
 */
export function telemetrySettings(
  config: TelemetryConfig | undefined,
  environment: NodeJS.ProcessEnv,
): TelemetrySettings | undefined {
  if (environment.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const tracesUrl = config?.otlp.endpoint
    ? withTracesPath(config.otlp.endpoint)
    : (environmentUrl(environment, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', (url) => url) ??
      environmentUrl(environment, 'OTEL_EXPORTER_OTLP_ENDPOINT', withTracesPath));
  if (tracesUrl === undefined) return undefined;
  return {
    tracesUrl,
    headers: {
      ...parseOtlpHeaders(environment.OTEL_EXPORTER_OTLP_HEADERS),
      ...parseOtlpHeaders(environment.OTEL_EXPORTER_OTLP_TRACES_HEADERS),
      ...config?.otlp.headers,
    },
    includeContent: config?.includeContent ?? false,
    serviceName: config?.serviceName ?? (environment.OTEL_SERVICE_NAME?.trim() || 'mux-swarm'),
  };
}

/** A base URL gets the traces path, unless it already ends with it. */
function withTracesPath(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.endsWith(TRACES_PATH) ? trimmed : `${trimmed}${TRACES_PATH}`;
}

/** An endpoint variable's URL; one that is set but not an http(s) URL is a usage error, not silently no traces. */
function environmentUrl(
  environment: NodeJS.ProcessEnv,
  name: string,
  toTracesUrl: (url: string) => string,
): string | undefined {
  const value = environment[name]?.trim();
  if (!value) return undefined;
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol))
    throw new ConfigError('environment', [
      { path: name, message: `must be an http:// or https:// URL (the OTLP/HTTP collector), not "${value}"` },
    ]);
  return toTracesUrl(value);
}

/** The OTLP header list format: `key1=value1,key2=value2`, each part URL-encoded (W3C baggage style). */
export function parseOtlpHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const part of (text ?? '').split(',')) {
    const equals = part.indexOf('=');
    if (equals <= 0) continue;
    const name = decode(part.slice(0, equals).trim());
    const value = decode(part.slice(equals + 1).trim());
    if (name) headers[name] = value;
  }
  return headers;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
