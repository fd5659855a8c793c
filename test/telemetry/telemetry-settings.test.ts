import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configSchema } from '../../src/config/config-schema.js';
import { ConfigError } from '../../src/errors/config-error.js';
import { parseOtlpHeaders, telemetrySettings } from '../../src/telemetry/telemetry-settings.js';

const telemetry = (value: unknown) =>
  configSchema.parse({ providers: { p: { baseURL: 'http://127.0.0.1:1/v1' } }, telemetry: value }).telemetry;

describe('telemetrySettings', () => {
  it('is off without an endpoint in config.json or the environment', () => {
    assert.equal(telemetrySettings(undefined, {}), undefined);
    assert.equal(telemetrySettings(telemetry({ includeContent: true }), {}), undefined);
  });

  it('reads config.json first, then the traces endpoint as it is, then the base endpoint with /v1/traces', () => {
    const environment = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318/',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces:4318/custom/path',
    };
    assert.equal(
      telemetrySettings(telemetry({ otlp: { endpoint: 'https://otel.example.com' } }), environment)?.tracesUrl,
      'https://otel.example.com/v1/traces',
    );
    assert.equal(telemetrySettings(undefined, environment)?.tracesUrl, 'http://traces:4318/custom/path');
    assert.equal(
      telemetrySettings(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://base:4318/' })?.tracesUrl,
      'http://base:4318/v1/traces',
    );
    assert.equal(
      telemetrySettings(telemetry({ otlp: { endpoint: 'http://c:4318/v1/traces' } }), {})?.tracesUrl,
      'http://c:4318/v1/traces',
    );
  });

  it('merges the header variables under config.json headers; content off and service "mux-swarm" by default', () => {
    const settings = telemetrySettings(
      telemetry({ otlp: { endpoint: 'http://c:4318', headers: { 'x-a': 'config' } } }),
      {
        OTEL_EXPORTER_OTLP_HEADERS: 'x-a=env,Authorization=Bearer%20abc',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'x-b=traces',
      },
    );
    assert.deepEqual(settings?.headers, { 'x-a': 'config', Authorization: 'Bearer abc', 'x-b': 'traces' });
    assert.equal(settings?.includeContent, false);
    assert.equal(settings?.serviceName, 'mux-swarm');
    assert.equal(
      telemetrySettings(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c', OTEL_SERVICE_NAME: 'gpu-box-7' })
        ?.serviceName,
      'gpu-box-7',
    );
  });

  it('OTEL_SDK_DISABLED=true turns traces off; an endpoint variable that is not a URL is a configuration error', () => {
    assert.equal(
      telemetrySettings(telemetry({ otlp: { endpoint: 'http://c:4318' } }), { OTEL_SDK_DISABLED: 'true' }),
      undefined,
    );
    assert.throws(
      () => telemetrySettings(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' }),
      (error: unknown) =>
        error instanceof ConfigError && /OTEL_EXPORTER_OTLP_ENDPOINT: must be an http/.test(error.message),
    );
  });

  it('config.json telemetry is strict', () => {
    assert.throws(() => telemetry({ otlp: { endpoint: 'http://c:4318', header: {} } }), /header/);
    assert.throws(() => telemetry({ otlp: { endpoint: 'ftp://c' } }), /http:\/\/ or https:\/\//);
  });

  it('parses the OTLP header list, skipping malformed parts', () => {
    assert.deepEqual(parseOtlpHeaders('a=1, b = two%2C2 ,broken,=x'), { a: '1', b: 'two,2' });
    assert.deepEqual(parseOtlpHeaders(undefined), {});
  });
});
