import { Option, type Command } from 'commander';
import { MissingApiKeyError } from '../../errors/missing-api-key-error.js';
import { describeError } from '../../errors/mux-swarm-error.js';
import type { GpuDiscovery } from '../../hardware/gpu-discovery.js';
import type { ServerStatus } from '../../tools/tool-hub.js';
import type { CommandOutcome } from '../command-outcome.js';
import { addProjectOptions } from '../common-options.js';
import type { Project, ProjectOptions } from '../project.js';
import { formatTable } from '../table.js';
import type { SandboxStanding } from '../sandbox-gate.js';
import { ConfigError } from '../../errors/config-error.js';
import type { ProbeResult } from '../tool-call-probe.js';
import { describeProbes, probeIsUsable } from './status-probe-text.js';

interface StatusOptions extends ProjectOptions {
  json?: boolean;
  outputFormat?: 'text' | 'json';
  probe?: boolean;
  probeTimeout?: string;
}

interface ProviderReport {
  name: string;
  baseURL: string;
  key: string;
  reachable: boolean;
  latencyMs?: number;
  models?: string[];
  error?: string;
}

interface ModelReport {
  agent: string;
  provider: string;
  model: string;
  /** Its place in the agent's failover chain: 1 for the first (or only) model. */
  entry: number;
  listed: boolean | null;
}

export function registerStatusCommand(program: Command, outcome: CommandOutcome): void {
  const command = program
    .command('status')
    .description('is every provider reachable, every model listed, every MCP server up, and which GPUs are there?')
    .option('--json', 'machine-readable output')
    .addOption(
      new Option('-f, --output-format <format>', 'text, or json (the same as --json)').choices(['text', 'json']),
    )
    .option(
      '--probe',
      'also send each configured model one short tool-calling request and report how it answers (native tool_calls, a text form the runtime recovers, or nothing usable)',
    )
    .option('--probe-timeout <duration>', 'how long each probe waits for its answer: 90s, 5m (default 60s)');
  addProjectOptions(command).action(async (options: StatusOptions) => {
    const [{ parseDuration }, { loadProject }, { withInspectionHub }, { discoverGpus }, { runGpuTool }] =
      await Promise.all([
        import('../../text/duration.js'),
        import('../project.js'),
        import('../inspection-hub.js'),
        import('../../hardware/gpu-discovery.js'),
        import('../../supervisor/run-gpu-tool.js'),
      ]);
    const probeTimeoutMs = options.probeTimeout === undefined ? undefined : parseDuration(options.probeTimeout);
    if (options.probeTimeout !== undefined && (probeTimeoutMs === undefined || probeTimeoutMs <= 0)) {
      throw new ConfigError('command line', [
        { path: '', message: `--probe-timeout "${options.probeTimeout}" is not a duration; use e.g. 90s or 5m` },
      ]);
    }
    const project = loadProject(options);
    const [providers, servers, gpus, sandbox, probes] = await Promise.all([
      checkProviders(project),
      withInspectionHub(project.config, async (hub) => hub.statuses),
      discoverGpus(5_000, { run: runGpuTool }),
      sandboxStatus(project),
      options.probe ? probeModels(project, probeTimeoutMs) : undefined,
    ]);
    const models = checkModels(project, providers);
    const healthy =
      providers
        .filter((provider) => usedProviders(project).has(provider.name))
        .every((provider) => provider.reachable) &&
      models.every((model) => model.listed !== false) &&
      servers.every((server) => server.status !== 'failed' || server.optional) &&
      sandbox.problem === undefined &&
      (probes ?? []).every(probeIsUsable);
    if (options.json || options.outputFormat === 'json') {
      process.stdout.write(
        `${JSON.stringify({ healthy, providers, models, mcpServers: servers, gpus, sandbox, ...(probes ? { probes } : {}) }, null, 2)}\n`,
      );
    } else process.stdout.write(render(providers, models, servers, gpus, healthy, sandbox, probes));
    outcome.exitCode = healthy ? 0 : 1;
  });
}

function usedProviders(project: Project): Set<string> {
  return new Set(
    [project.swarm.orchestrator, ...project.swarm.agents].flatMap((agent) => agent.chain.map((ref) => ref.provider)),
  );
}

async function checkProviders(project: Project): Promise<ProviderReport[]> {
  const { providers, prices } = project.config.config;
  const { createProviderClient } = await import('../../providers/provider-client.js');
  return Promise.all(
    Object.entries(providers).map(async ([name, provider]): Promise<ProviderReport> => {
      const key = provider.apiKeyEnv
        ? `${provider.apiKeyEnv} ${process.env[provider.apiKeyEnv] ? 'set' : 'NOT SET'}`
        : 'none needed';
      const started = Date.now();
      try {
        const client = createProviderClient(name, { ...provider, maxRetries: 0 }, { env: process.env, prices });
        const models = await client.listModels(AbortSignal.timeout(10_000));
        return { name, baseURL: provider.baseURL, key, reachable: true, latencyMs: Date.now() - started, models };
      } catch (error) {
        const problem =
          error instanceof MissingApiKeyError
            ? `not checked (${provider.apiKeyEnv} is not set)`
            : describeError(error).split('\n')[0]!;
        return { name, baseURL: provider.baseURL, key, reachable: false, error: problem };
      }
    }),
  );
}

/** Every entry of every agent's chain, each provider/model pair probed once (probeToolCalling drops repeats). */
async function probeModels(project: Project, timeoutMs: number | undefined): Promise<ProbeResult[]> {
  const { probeToolCalling } = await import('../tool-call-probe.js');
  const { providers, prices } = project.config.config;
  const targets = [project.swarm.orchestrator, ...project.swarm.agents].flatMap((agent) =>
    agent.chain.map((ref) => ({ provider: ref.provider, model: ref.model })),
  );
  return probeToolCalling(targets, {
    providers,
    prices,
    env: process.env,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}

function checkModels(project: Project, providers: ProviderReport[]): ModelReport[] {
  // Every entry of a failover chain is checked: a backup that is not there is found before it is needed.
  return [project.swarm.orchestrator, ...project.swarm.agents].flatMap((agent) =>
    agent.chain.map((ref, index) => {
      const listing = providers.find((provider) => provider.name === ref.provider)?.models;
      return {
        agent: agent.name,
        provider: ref.provider,
        model: ref.model,
        entry: index + 1,
        listed: listing ? listing.includes(ref.model) : null,
      };
    }),
  );
}

type SandboxStatus = SandboxStanding & { problem?: string; limits?: { enforced: boolean; reason?: string } };

/**
 * The sandbox as `status` shows it: `problem` when an explicit "bwrap" cannot be used (the run would not start), and
 * whether the limits hold — a control group is made and removed (only here: `run` does not pay for the check).
 */
async function sandboxStatus(project: Project): Promise<SandboxStatus> {
  const [{ checkSandbox }, { createLimitGroup }] = await Promise.all([
    import('../sandbox-gate.js'),
    import('../../supervisor/sandbox/cgroup-limits.js'),
  ]);
  let standing: SandboxStanding;
  try {
    standing = await checkSandbox(project.config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { backend: 'bwrap', usable: false, confined: false, gpuDevices: [], problem: error.message };
  }
  if (!standing.confined) return standing;
  const group = createLimitGroup({ processes: 1 });
  if ('unavailable' in group) return { ...standing, limits: { enforced: false, reason: group.unavailable } };
  group.remove();
  return { ...standing, limits: { enforced: true } };
}

function describeSandbox(sandbox: SandboxStatus): string[] {
  if (sandbox.problem !== undefined) return sandbox.problem.split('\n').map((line) => `  NOT USABLE: ${line}`);
  if (sandbox.backend === 'none')
    return ['  backend none: shell commands, Python and training jobs run unconfined (config.json sandbox.backend)'];
  if (!sandbox.confined) return [`  backend ${sandbox.backend}: WARNING ${sandbox.warning ?? 'unconfined'}`];
  const gpus =
    sandbox.gpuDevices.length === 0
      ? 'no GPU devices on this machine'
      : `GPU devices bound in: ${sandbox.gpuDevices.join(', ')}`;
  const limits = sandbox.limits?.enforced
    ? 'process and memory limits enforced (control groups)'
    : `limits NOT enforced: ${sandbox.limits?.reason ?? 'unknown'}`;
  return [
    `  backend ${sandbox.backend}: bubblewrap works; shell commands, Python and training jobs run confined; ${gpus}; ${limits}`,
  ];
}

function render(
  providers: ProviderReport[],
  models: ModelReport[],
  servers: ServerStatus[],
  gpus: GpuDiscovery,
  healthy: boolean,
  sandbox: SandboxStatus,
  probes: ProbeResult[] | undefined,
): string {
  const sections = [
    'Providers',
    formatTable(
      ['provider', 'base URL', 'key', 'reachable'],
      providers.map((provider) => [
        provider.name,
        provider.baseURL,
        provider.key,
        provider.reachable
          ? `yes (${provider.latencyMs} ms, ${provider.models?.length ?? 0} models)`
          : `no: ${firstSentence(provider.error ?? '')}`,
      ]),
    ),
    ...providers
      .filter((provider) => !provider.reachable && firstSentence(provider.error ?? '') !== provider.error)
      .map((provider) => `  ${provider.name}: ${provider.error}`),
    '',
    'Models',
    formatTable(
      ['agent', 'model', 'listed by the endpoint'],
      models.map((model) => [
        model.entry === 1 ? model.agent : `  ↳ failover ${model.entry}`,
        `${model.provider}/${model.model}`,
        model.listed === null ? 'unknown (provider not reachable)' : model.listed ? 'yes' : 'NO: check the model id',
      ]),
    ),
    '',
    ...(probes ? [...describeProbes(probes), ''] : []),
    'MCP servers',
    formatTable(
      ['server', 'state', 'transport', 'tools'],
      servers.map((server) => [
        server.name,
        server.status === 'failed'
          ? `FAILED${server.optional ? ' (optional)' : ''}: ${server.error?.split('\n')[0] ?? ''}`
          : server.status,
        server.transport ?? '—',
        String(server.tools),
      ]),
    ),
    '',
    'GPUs',
    gpus.gpus.length === 0
      ? `  ${gpus.note ?? 'none'}`
      : formatTable(
          ['#', 'name', 'memory used/total', 'util', 'temp', 'power'],
          gpus.gpus.map((gpu) => [
            String(gpu.index),
            gpu.name,
            `${gpu.memoryUsedMiB ?? '?'} / ${gpu.memoryTotalMiB ?? '?'} MiB`,
            gpu.utilizationPercent === undefined ? '?' : `${gpu.utilizationPercent}%`,
            gpu.temperatureC === undefined ? '?' : `${gpu.temperatureC} C`,
            gpu.powerDrawW === undefined ? '?' : `${gpu.powerDrawW} W`,
          ]),
        ),
    '',
    'Sandbox',
    ...describeSandbox(sandbox),
    '',
    healthy ? 'Ready.' : 'Not ready: see the rows above.',
  ];
  return `${sections.join('\n')}\n`;
}

/** The first sentence of a message, for a table cell; the whole message is printed under the table. */
function firstSentence(text: string): string {
  const end = text.search(/[.:] /);
  return end > 0 && end < 90 ? text.slice(0, end) : text.length > 90 ? `${text.slice(0, 89)}…` : text;
}
