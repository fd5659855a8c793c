import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { startOtlpReceiver, type OtlpReceiver } from '../support/otlp-receiver.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { CLI, REPOSITORY_ROOT, TEST_HOME } from '../support/run-cli.js';

/**
 * Traces cost nothing when they are off: a run without an endpoint does not even load OpenTelemetry. Checked by what
 * the module loader resolves (as test/cli/startup-imports.test.ts does), in the compiled modules and in the bundle,
 * against a run with traces on that does load it (so the check can fail).
 */
describe('telemetry off: the OpenTelemetry modules are not loaded', () => {
  let server: FakeOpenAIServer;
  let receiver: OtlpReceiver;
  let project: ProjectFixture;
  let hook: string;

  before(async () => {
    server = await startFakeOpenAIServer({
      fallback: () => ({ toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'done' } }] }),
    });
    receiver = await startOtlpReceiver();
    project = createProjectFixture();
    project.write('swarm.json', { orchestrator: fakeAgent('orchestrator'), agents: [fakeAgent('helper')] });
    project.write('goal.md', '# Nothing much\n\nSay done.\n');
    hook = join(project.directory, 'log-resolved.mjs');
    const resolveHook =
      'export async function resolve(specifier, context, next) { const resolved = await next(specifier, context); process.stderr.write(`resolved ${resolved.url}\\n`); return resolved; }';
    writeFileSync(
      hook,
      `import { register } from 'node:module';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(resolveHook)}`)});\n`,
    );
  });
  after(async () => {
    await server.close();
    await receiver.close();
    project.remove();
  });

  /** The URLs the module loader resolved during `mux-swarm run`, with traces on or off. */
  async function resolvedUrls(traces: boolean, bundle: boolean): Promise<string[]> {
    project.write(
      'config.json',
      fakeConfig(server.baseURL, traces ? { telemetry: { otlp: { endpoint: receiver.endpoint } } } : {}),
    );
    const child = spawn(process.execPath, ['--import', hook, CLI, 'run', 'goal.md', '--output-format', 'json'], {
      cwd: project.directory,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: TEST_HOME,
        ...(bundle ? {} : { MUX_SWARM_NO_BUNDLE: '1' }),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stderr);
    return stderr.split('\n').flatMap((line) => (line.startsWith('resolved ') ? [line.slice('resolved '.length)] : []));
  }

  it('the compiled modules: no @opentelemetry package and no src/telemetry module but its settings', async () => {
    const otel = (urls: string[]) =>
      urls.filter((url) => url.includes('/node_modules/@opentelemetry/') || /\/dist\/telemetry\/run-/.test(url));
    assert.deepEqual(otel(await resolvedUrls(false, false)), []);
    const on = otel(await resolvedUrls(true, false));
    assert.ok(
      on.some((url) => url.includes('/node_modules/@opentelemetry/sdk-trace/')),
      on.join('\n'),
    );
    assert.ok(
      on.some((url) => url.endsWith('/dist/telemetry/run-tracing.js')),
      on.join('\n'),
    );
  });

  it('the bundle: the chunk that holds the OTel SDK and the span builder is not read', async () => {
    const bundle = join(REPOSITORY_ROOT, 'dist', 'bundle');
    const telemetryChunks = readdirSync(bundle)
      .filter((name) => name.endsWith('.js'))
      .filter((name) => {
        const text = readFileSync(join(bundle, name), 'utf8');
        return text.includes('OTLPExporterBase') || text.includes('mux_swarm.delegation.task');
      });
    assert.ok(telemetryChunks.length > 0, 'npm run build bundles the telemetry');
    assert.ok(!telemetryChunks.includes('main.js'), 'the telemetry is a lazy chunk, not in main.js');
    const read = (urls: string[]) => telemetryChunks.filter((name) => urls.some((url) => url.endsWith(`/${name}`)));
    assert.deepEqual(read(await resolvedUrls(false, true)), []);
    assert.notDeepEqual(read(await resolvedUrls(true, true)), []);
  });
});
