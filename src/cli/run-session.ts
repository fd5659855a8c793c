import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Goal } from '../config/load-goal.js';
import type { AgentDefinition } from '../config/load-swarm.js';
import { resolveRunSettings, type RunOverrides } from '../config/run-settings.js';
import { NoModelEndpointError } from '../errors/no-model-endpoint-error.js';
import { describeError } from '../errors/mux-swarm-error.js';
import type { LoadedConfig } from '../config/load-config.js';
import { EventBus } from '../events/event-bus.js';
import { RUNTIME_AGENT } from '../events/event-schema.js';
import { createNdjsonWriter } from '../events/ndjson-writer.js';
import { createLogger } from '../logging/logger.js';
import type { ModelFailureKind } from '../errors/model-chain-error.js';
import { ModelCooldowns } from '../providers/model-cooldowns.js';
import { chatModels } from './chat-models.js';
import type { ChatModel } from '../providers/chat-types.js';
import type { LoopExchangeOpener } from '../runtime/loop/loop-exchange.js';
import { RunContext } from '../runtime/run-context.js';
import { driveRun } from '../runtime/run-driver.js';
import type { SqliteDatabase } from '../state/database.js';
import { RunStore } from '../state/run-store.js';
import {
  beatRunSession,
  beginRunSession,
  endRunSession,
  previouslyActiveMs,
  SESSION_HEARTBEAT_MS,
} from '../state/run-sessions.js';
import { killGroupsForForcedQuit } from '../supervisor/forced-quit.js';
import { isSameProcessAlive, processStartTime } from '../supervisor/process-identity.js';
import { checkModelPrices } from './price-gate.js';
import { pickRun, type RunChoice } from './run-choice.js';
import { ToolHub } from '../tools/tool-hub.js';
import { builtinContextFor } from './builtin-context.js';
import { checkSandbox } from './sandbox-gate.js';
import { noteWatchdogRun } from '../supervisor/heartbeat.js';
import {
  endLeftProcessGroups,
  keepProcessGroupLedger,
  PROCESS_GROUP_LEDGER,
} from '../supervisor/process-group-ledger.js';
import { runGpuTool } from '../supervisor/run-gpu-tool.js';
import { discoverGpus } from '../hardware/gpu-discovery.js';
import { EventGate } from '../events/event-gate.js';
import { FailureMemory, userStoreDirectory } from '../failures/failure-memory.js';
import { FailureStore } from '../state/failure-store.js';
import { endpointGuidance } from './endpoint-guidance.js';
import type { OutputFormat } from './output-format.js';
import type { Project } from './project.js';
import { writeRunReport } from './run-report.js';
import { resumeCommand } from './resume-hint.js';
import { TextProgress } from './text-progress.js';
import { liveModels, type SessionModels } from '../replay/session-models.js';
import { telemetrySettings } from '../telemetry/telemetry-settings.js';
import { PACKAGE_VERSION } from './package-info.js';

export interface RunSessionOptions {
  project: Project;
  goal: Goal;
  overrides: RunOverrides;
  outputFormat: OutputFormat;
  /** Markdown report of the result, relative to the current directory. */
  outputFile?: string;
  verbose: boolean;
  environment: NodeJS.ProcessEnv;
  /** Default: resume the unfinished run of this goal, if there is one. */
  choice?: RunChoice;
  /** `run --hub` / `--remote`: the loop shares breakthroughs through this (opened and closed by the loop). */
  loopExchange?: LoopExchangeOpener;
  /** Text mode: the options of the command that started it, printed after `mux-swarm resume <run-id>` when it is interrupted. */
  resumeArguments?: string[];
  /** Where agents' models come from (default: their providers, each request recorded for replay; `replay` stands in for them). */
  models?: SessionModels;
}

/** Testing knob: the interval of `heartbeat` events in milliseconds (default 30 s). */
export const PULSE_INTERVAL_VARIABLE = 'MUX_SWARM_PULSE_MS';

/**
 * The composition root of `mux-swarm run`: resolves settings, checks there is a model to talk to, opens the
 * state store, starts the MCP servers, wires providers, events and logs, drives the run, and reports.
 * Returns the exit code.
 */
export async function runSession(options: RunSessionOptions): Promise<number> {
  const { project, goal, environment } = options;
  const { config } = project;
  const settings = resolveRunSettings(project.swarm, goal, options.overrides, config.config);
  const team: AgentDefinition[] =
    settings.mode === 'hierarchical'
      ? [settings.orchestrator, ...settings.agents]
      : settings.agents.filter((agent) => settings.flatOrder.includes(agent.name));
  // The process's one scrubber (built with the config from the environment and config.json): store, events, logs,
  // tool results, the servers' files and what is printed all pass through it.
  const { scrubber } = config;
  // Traces (docs/telemetry.md): resolved here, so a bad endpoint variable stops the run before it starts.
  const telemetry = telemetrySettings(config.config.telemetry, environment);

  // Bubblewrap is tried (a few ms) while the keys and prices are checked; its verdict comes before anything is written.
  const sandboxCheck = checkSandbox(config, environment);
  sandboxCheck.catch(() => undefined);
  const sessionModels = options.models ?? liveModels();
  if (!sessionModels.offline) {
    checkProviderKeys(team, project, environment);
    await checkModelPrices(team, settings, project, goal, options.overrides);
  }
  const sandbox = await sandboxCheck;

  const store = RunStore.openJournal(config.stateDirectory, scrubber);
  let runId: string;
  let session: number;
  let resumed: boolean;
  try {
    const picked = pickRun(store.database, options.choice ?? { kind: 'auto' }, goal, scrubber);
    resumed = picked.resumeRunId !== undefined;
    runId = picked.resumeRunId ?? newRunId();
    if (!resumed)
      store.createRun({
        id: runId,
        goalName: goal.name,
        goalSource: goal.label,
        goalText: goal.text,
        mode: settings.mode,
        settings: {},
        hostname: hostname(),
        pid: process.pid,
        startedAt: new Date().toISOString(),
      });
    session = beginRunSession(
      store.database,
      runId,
      { hostname: hostname(), pid: process.pid, processStart: processStartTime(process.pid) },
      new Date(),
      isSameProcessAlive,
    );
  } catch (error) {
    store.close();
    throw error;
  }
  noteWatchdogRun(runId, environment);
  const heartbeat = setInterval(() => beatRunSession(store.database, runId, session, new Date()), SESSION_HEARTBEAT_MS);
  heartbeat.unref();

  const runDirectory = join(config.stateDirectory, 'runs', runId);
  mkdirSync(runDirectory, { recursive: true });
  const logger = createLogger({
    level: config.config.logging.level,
    consoleLevel: options.outputFormat === 'text' ? config.config.logging.consoleLevel : 'error',
    file: join(runDirectory, 'run.log'),
    scrubber,
  });
  for (const warning of project.swarm.warnings) logger.warn(warning);
  if (sandbox.warning !== undefined) logger.warn(sandbox.warning);
  const events = new EventBus(runId, scrubber, (error) => logger.error({ err: error }, 'an event listener failed'));
  events.subscribe((event) => store.appendEvent(event));
  if (options.outputFormat === 'stream-json') events.subscribe(createNdjsonWriter(process.stdout));
  // Only a run with traces configured loads OpenTelemetry (test/telemetry/telemetry-off.test.ts).
  const tracing = telemetry
    ? (await import('../telemetry/run-tracing.js')).startRunTracing(telemetry, {
        runId,
        serviceVersion: PACKAGE_VERSION,
        warn: (message) => logger.warn(message),
      })
    : undefined;
  if (tracing) events.subscribe(tracing.listener);
  const progress =
    options.outputFormat === 'text'
      ? new TextProgress(events, { environment, verbose: options.verbose, workdir: config.workdir })
      : undefined;
  // Text mode: an interrupted run ends with the command that resumes it, as the last line on stderr.
  const resumeHint = `${resumeCommand(runId, options.resumeArguments ?? [])}\n`;
  let interrupted = false;

  const failureMemory = openFailureMemory(config, store.database, environment, (message) => logger.warn(message));
  // A resumed run's events are numbered on; what servers report while they start follows the init line.
  if (resumed) events.continueFrom(store.journal.nextEventSeq(runId));
  const serverEvents = new EventGate(events);
  if (sandbox.warning !== undefined)
    serverEvents.emit({ type: 'system', subtype: 'warning', agent: RUNTIME_AGENT, message: sandbox.warning });
  // A session killed with a command in flight left its process group running: end it before anything else runs.
  const ledger = join(runDirectory, PROCESS_GROUP_LEDGER);
  const left = resumed ? await endLeftProcessGroups(ledger) : [];
  if (left.length > 0) {
    const message = `ended ${left.length} process group${left.length === 1 ? '' : 's'} the previous session of this run left running: ${left.map((group) => `${group.processGroupId} (${group.command.slice(0, 120)})`).join(', ')}`;
    logger.warn(message);
    serverEvents.emit({ type: 'system', subtype: 'warning', agent: RUNTIME_AGENT, message });
  }
  const stopLedger = keepProcessGroupLedger(ledger);
  let hub: ToolHub | undefined;
  // Set once the run exists: a run that stops for a provider outage leaves its training jobs running for the resume.
  let stoppingForOutage = (): boolean => false;
  const signalHandlers: Array<[NodeJS.Signals, () => void]> = [];
  try {
    // The GPUs are looked for (nvidia-smi, rocm-smi: a fraction of a second on a GPU box) while the servers start.
    const gpusFound = discoverGpus(5_000, { env: environment, run: runGpuTool });
    hub = await ToolHub.start(config.config.mcpServers, {
      context: {
        ...builtinContextFor(config, join(runDirectory, 'spill'), environment),
        run: {
          id: runId,
          directory: runDirectory,
          emit: (event) => serverEvents.emit(event),
          stoppingToResume: () => stoppingForOutage(),
        },
      },
      onStderrLine: (server, line) => logger.info({ server }, line),
      onWarning: (message) => {
        logger.warn(message);
        events.emit({ type: 'system', subtype: 'warning', agent: RUNTIME_AGENT, message });
      },
    });

    const cooldowns = new ModelCooldowns();
    // A resumed run goes on with its chains' state: entries that failed shortly before the restart are still passed over.
    if (resumed)
      for (const cooling of store.failovers.cooling(runId, new Date().toISOString()))
        cooldowns.cool(cooling.entry, Date.parse(cooling.cooledUntil), cooling.kind as ModelFailureKind);
    const liveModelFor = chatModels({
      config: config.config,
      environment,
      cooldowns,
      onRetry: (agent, notice) =>
        events.emit({
          type: 'model-retry',
          agent,
          provider: notice.provider,
          model: notice.model,
          attempt: notice.attempt,
          delay_ms: notice.delayMs,
          reason: notice.reason,
        }),
      onWarning: (message) => {
        logger.warn(message);
        events.emit({ type: 'system', subtype: 'warning', agent: RUNTIME_AGENT, message });
      },
    });
    // Recorded (every run journals what each call asked) or replayed: see src/replay/session-models.ts.
    const models = new Map<string, ChatModel>();
    const modelFor = (agent: AgentDefinition): ChatModel => {
      let model = models.get(agent.name);
      if (!model) {
        model = sessionModels.modelFor(agent, () => liveModelFor(agent), {
          runId,
          workdir: config.workdir,
          runDirectory,
          database: store.database,
          scrubber,
        });
        models.set(agent.name, model);
      }
      return model;
    };

    const run: RunContext = new RunContext({
      runId,
      workdir: config.workdir,
      runDirectory,
      goal,
      mode: settings.mode,
      orchestrator: settings.orchestrator,
      agents: settings.agents,
      flatOrder: settings.flatOrder,
      limits: settings.limits,
      hub,
      modelFor,
      events,
      store,
      trainingServers: Object.entries(config.config.mcpServers)
        .filter(([, entry]) => entry.type === 'builtin' && entry.builtin === 'training')
        .map(([name]) => name),
      gpus: await gpusFound,
      scrubber,
      failureMemory: { memory: failureMemory, scrub: (text) => scrubber.text(text) },
      ...(config.config.memory.shareGraph !== 'none' && failureMemory.user !== undefined
        ? { userMemoryGraph: failureMemory.user.database }
        : {}),
      beforeResult: async () => hub?.close(),
      ...(options.loopExchange ? { loopExchange: options.loopExchange } : {}),
      ...pulseInterval(environment),
      ...(sessionModels.toolStandIn ? { toolStandIn: sessionModels.toolStandIn } : {}),
    });
    stoppingForOutage = () => run.stopError?.reason === 'provider_outage';
    let interrupts = 0;
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const handler = (): void => {
        interrupts += 1;
        if (interrupts > 1) {
          killGroupsForForcedQuit(); // background jobs too: a forced quit stops everything
          progress?.close();
          if (progress) process.stderr.write(resumeHint);
          process.exit(130);
        }
        logger.warn(`${signal} received: stopping the run (again to quit at once)`);
        run.stop('interrupted', signal);
      };
      process.on(signal, handler);
      signalHandlers.push([signal, handler]);
    }
    if (resumed) {
      store.closeInterruptedModelCalls(runId);
      run.restore({
        usage: store.journal.completedModelCalls(runId),
        previouslyActiveMs: previouslyActiveMs(store.database, runId, session),
      });
    }
    logger.info(
      { runId, workdir: config.workdir, goal: goal.label, session },
      resumed ? 'run resuming' : 'run starting',
    );
    progress?.showWaiting(() => run.activity.inFlight());
    const result = await driveRun(run, resumed ? { resumedSession: session } : {});
    interrupted = result.subtype === 'error_interrupted' || result.subtype === 'error_provider_outage';
    logger.info({ subtype: result.subtype, exitCode: result.exit_code }, 'run finished');

    // No model ever answered: most likely a setup problem (a server not started, a wrong URL): say how to give the swarm one.
    if (
      (result.subtype === 'error_during_execution' || result.subtype === 'error_provider_outage') &&
      run.usage.totals().calls === 0 &&
      !sessionModels.offline
    ) {
      process.stderr.write(scrubber.text(`${endpointGuidance(config.config, environment, result.result)}\n`));
    }
    if (options.outputFile)
      writeRunReport(resolve(options.outputFile), { goal, result: scrubber.value(result), runId });
    if (options.outputFormat === 'json') process.stdout.write(scrubber.text(`${JSON.stringify(result)}\n`));
    if (options.outputFormat === 'text') process.stdout.write(scrubber.text(`${result.result}\n`));
    return result.exit_code;
  } finally {
    await tracing?.close();
    progress?.close();
    for (const [signal, handler] of signalHandlers) process.off(signal, handler);
    await hub?.close();
    stopLedger();
    failureMemory.close();
    clearInterval(heartbeat);
    endRunSession(store.database, runId, session, new Date());
    store.close();
    logger.flush();
    if (progress && interrupted) process.stderr.write(resumeHint);
  }
}

/** The `heartbeat` interval from MUX_SWARM_PULSE_MS, when it holds a positive number of milliseconds. */
function pulseInterval(environment: NodeJS.ProcessEnv): { pulseIntervalMs?: number } {
  const value = Number(environment[PULSE_INTERVAL_VARIABLE]);
  return Number.isFinite(value) && value > 0 ? { pulseIntervalMs: value } : {};
}

/**
 * The workdir's failure memory and, unless memory.shareWithUserStore is false, the user store shared by every workdir
 * on this machine; a user store that cannot be opened only warns (the run goes on with the workdir's).
 */
function openFailureMemory(
  config: LoadedConfig,
  database: SqliteDatabase,
  environment: NodeJS.ProcessEnv,
  warn: (message: string) => void,
): FailureMemory {
  const options = { secrets: config.scrubber };
  const workdir = new FailureStore(database, options);
  const memory = config.config.memory;
  if (!memory.shareWithUserStore) return new FailureMemory(workdir);
  const directory = userStoreDirectory(memory, environment, dirname(config.file));
  try {
    return new FailureMemory(workdir, FailureMemory.openUserStore(directory, options));
  } catch (error) {
    warn(
      `the user failure memory in ${directory} cannot be opened (${describeError(error)}); this run remembers failures in the workdir only`,
    );
    return new FailureMemory(workdir);
  }
}

/**
 * A missing key is known before anything starts: say so, with the ways to give the swarm a model. An agent with a
 * failover chain needs one entry whose key is set (the others are left out with a warning when the run starts).
 */
function checkProviderKeys(team: AgentDefinition[], project: Project, environment: NodeJS.ProcessEnv): void {
  const { config } = project;
  const keyMissing = (providerName: string): string | undefined => {
    const variable = config.config.providers[providerName]!.apiKeyEnv;
    return variable && !environment[variable]?.trim() ? variable : undefined;
  };
  const stranded = team.filter((agent) => agent.chain.every((ref) => keyMissing(ref.provider) !== undefined));
  for (const providerName of new Set(stranded.map((agent) => agent.provider))) {
    const agents = stranded.filter((agent) => agent.provider === providerName).map((agent) => agent.name);
    const chains = stranded.some((agent) => agent.provider === providerName && agent.chain.length > 1)
      ? ' (nor that of any other entry of its failover chain)'
      : '';
    throw new NoModelEndpointError(
      endpointGuidance(
        config.config,
        environment,
        `${agents.join(', ')} use${agents.length === 1 ? 's' : ''} provider "${providerName}", whose key variable ${keyMissing(providerName)} is not set${chains}.`,
      ),
    );
  }
}

/** Sortable by time, readable, unique enough for one workdir: `20261122-153012-a1b2`. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}
