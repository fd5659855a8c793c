import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { RunEventListener } from '../events/event-bus.js';
import { describeError } from '../errors/mux-swarm-error.js';
import { RunSpans } from './run-spans.js';
import type { TelemetrySettings } from './telemetry-settings.js';

/** A run's traces: the event listener that builds them, and the flush at the end. */
export interface RunTracing {
  listener: RunEventListener;
  /** Ends the spans still open and sends what is left, waiting at most `flushTimeoutMs`; never throws. */
  close(): Promise<void>;
}

export interface RunTracingOptions {
  runId: string;
  serviceVersion: string;
  /** Called at most once, when traces cannot be sent: the run goes on without them. */
  warn: (message: string) => void;
  /** How long the end of the run waits for the last spans to reach the collector (default 1 s). */
  flushTimeoutMs?: number;
}

/** How long one export may take, retries included, while the run goes on (the last one is bounded by close()). */
const EXPORT_TIMEOUT_MS = 5_000;

/**
 * Loaded with `import()` by the run's composition root only when traces are configured, so a run without them never
 * loads OpenTelemetry. The provider stays private to the run (nothing is registered globally): mux-swarm's spans are
 * built from its events, not from instrumented libraries. Spans go out in batches during the run and the rest at its end.
 */
export function startRunTracing(settings: TelemetrySettings, options: RunTracingOptions): RunTracing {
  let warned = false;
  const warnOnce = (message: string): void => {
    if (warned) return;
    warned = true;
    options.warn(message);
  };
  const exporter = new OTLPTraceExporter({
    url: settings.tracesUrl,
    headers: settings.headers,
    timeoutMillis: EXPORT_TIMEOUT_MS,
  });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      'service.name': settings.serviceName,
      'service.version': options.serviceVersion,
    }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: reportingFailures(exporter, (reason) =>
          warnOnce(`traces could not be sent to ${settings.tracesUrl} (${reason}); the run goes on without them`),
        ),
        exportTimeoutMillis: EXPORT_TIMEOUT_MS,
      }),
    ],
  });
  const spans = new RunSpans(
    provider.getTracer('mux-swarm', options.serviceVersion),
    options.runId,
    settings.includeContent,
  );
  const flushTimeoutMs = options.flushTimeoutMs ?? 1_000;
  return {
    listener: spans.listener,
    async close() {
      spans.end();
      const shutdown = provider.shutdown().then(
        () => true,
        (error: unknown) => {
          warnOnce(`traces could not be sent to ${settings.tracesUrl} (${describeError(error)})`);
          return true;
        },
      );
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), flushTimeoutMs);
        timer.unref();
      });
      const sent = await Promise.race([shutdown, deadline]);
      clearTimeout(timer);
      if (!sent)
        warnOnce(
          `the collector at ${settings.tracesUrl} did not take the run's last traces within ${flushTimeoutMs} ms; they are dropped`,
        );
    },
  };
}

type ExportCallback = Parameters<SpanExporter['export']>[1];
type ExportResult = Parameters<ExportCallback>[0];

/** The exporter, telling `onFailure` why an export failed (the SDK itself only reports to its silent diagnostics). */
function reportingFailures(exporter: SpanExporter, onFailure: (reason: string) => void): SpanExporter {
  return {
    export(spans, done) {
      exporter.export(spans, (result: ExportResult) => {
        // ExportResultCode.SUCCESS is 0.
        if (result.code !== 0) onFailure(result.error ? describeError(result.error) : 'the export failed');
        done(result);
      });
    },
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
  };
}
