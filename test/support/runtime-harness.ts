import { afterEach } from 'node:test';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGoal } from '../../src/config/load-goal.js';
import type { AgentDefinition } from '../../src/config/load-swarm.js';
import { limitsSchema, type Limits } from '../../src/config/swarm-schema.js';
import { mcpServerSchema, type McpServerConfig } from '../../src/config/config-schema.js';
import { EventBus } from '../../src/events/event-bus.js';
import type { ResultEvent, RunEvent } from '../../src/events/event-schema.js';
import { SecretScrubber } from '../../src/logging/secret-scrubber.js';
import { RunContext } from '../../src/runtime/run-context.js';
import { driveRun } from '../../src/runtime/run-driver.js';
import type { WalSyncCalls } from '../../src/state/journal-sync.js';
import { RunStore } from '../../src/state/run-store.js';
import { FailureMemory } from '../../src/failures/failure-memory.js';
import { FailureStore } from '../../src/state/failure-store.js';
import { ToolHub } from '../../src/tools/tool-hub.js';
import { ScriptedChatModel, type ScriptedReply } from './scripted-chat-model.js';

export function agentDefinition(name: string, overrides: Partial<AgentDefinition> = {}): AgentDefinition {
  return {
    name,
    role: 'specialist',
    description: `the ${name} agent`,
    systemPrompt: `You are ${name}.`,
    provider: 'scripted',
    model: `${name}-model`,
    params: {},
    mcpServers: [],
    tools: [],
    deniedTools: [],
    canDelegateTo: [],
    maxTurns: 10,
    ...overrides,
    chain: overrides.chain ?? [
      { provider: overrides.provider ?? 'scripted', model: overrides.model ?? `${name}-model` },
    ],
  };
}

export interface HarnessOptions {
  orchestrator?: Partial<AgentDefinition>;
  agents?: AgentDefinition[];
  mode?: 'hierarchical' | 'flat';
  flatOrder?: string[];
  limits?: Partial<Limits>;
  /** Replies per agent name. */
  script: Record<string, ScriptedReply[]>;
  goal?: string;
  secrets?: string[];
  /** MCP servers; default: built-in fs and shell. */
  servers?: Record<string, unknown>;
  /** Failure memory on: the workdir's state database and a user store in this directory. */
  userStore?: string;
  /** The `heartbeat` interval (default 30 s). */
  pulseIntervalMs?: number;
  /** How the journal's WAL is synced (default node:fs's fdatasync), to observe or slow it. */
  walSync?: WalSyncCalls;
}

export interface RuntimeHarness {
  run: RunContext;
  workdir: string;
  runDirectory: string;
  events: RunEvent[];
  store: RunStore;
  models: Map<string, ScriptedChatModel>;
  drive(): Promise<ResultEvent>;
  close(): Promise<void>;
}

/**
 * A real run (SQLite store, built-in MCP servers in-process, event bus) whose agents talk to scripted models
 * instead of an endpoint: how runtime behaviour is tested.
 */
export async function createRuntimeHarness(options: HarnessOptions): Promise<RuntimeHarness> {
  const root = mkdtempSync(join(tmpdir(), 'mux-swarm-runtime-'));
  const workdir = join(root, 'work');
  mkdirSync(workdir);
  const runDirectory = join(workdir, '.mux-swarm', 'runs', 'test-run');
  mkdirSync(runDirectory, { recursive: true });
  const scrubber = new SecretScrubber(options.secrets ?? []);
  // The journal as `mux-swarm run` opens it: WAL synced off the event loop.
  const store = RunStore.openJournal(join(workdir, '.mux-swarm'), scrubber, options.walSync);
  const events: RunEvent[] = [];
  const bus = new EventBus('test-run', scrubber, (error) => {
    throw error;
  });
  bus.subscribe((event) => events.push(event));
  bus.subscribe((event) => store.appendEvent(event));
  const servers = Object.fromEntries(
    Object.entries(
      options.servers ?? { fs: { builtin: 'filesystem' }, shell: { builtin: 'shell', options: { timeoutMs: 10_000 } } },
    ).map(([name, entry]) => [name, mcpServerSchema.parse(entry) as McpServerConfig]),
  );
  const hub = await ToolHub.start(servers, {
    context: {
      workdir,
      allowedRoots: [workdir],
      spillDirectory: join(runDirectory, 'spill'),
      projectDirectory: workdir,
      stateDirectory: join(workdir, '.mux-swarm'),
      scrubber,
      run: { id: 'test-run', directory: runDirectory, emit: (event) => bus.emit(event) },
    },
  });
  const agents = options.agents ?? [];
  const orchestrator = agentDefinition('orchestrator', {
    role: 'orchestrator',
    canDelegateTo: agents.map((agent) => agent.name),
    ...options.orchestrator,
  });
  const models = new Map<string, ScriptedChatModel>();
  for (const agent of [orchestrator, ...agents])
    models.set(agent.name, new ScriptedChatModel(agent.model, options.script[agent.name] ?? []));
  const run = new RunContext({
    runId: 'test-run',
    workdir,
    runDirectory,
    goal: parseGoal(options.goal ?? '# Test goal\n\nDo the thing.', 'goal.md'),
    mode: options.mode ?? 'hierarchical',
    orchestrator,
    agents,
    flatOrder: options.flatOrder ?? agents.map((agent) => agent.name),
    limits: { ...limitsSchema.parse({}), ...options.limits },
    hub,
    modelFor: (agent) => models.get(agent.name)!,
    events: bus,
    store,
    scrubber,
    ...(options.pulseIntervalMs === undefined ? {} : { pulseIntervalMs: options.pulseIntervalMs }),
    trainingServers: Object.entries(servers)
      .filter(([, entry]) => entry.type === 'builtin' && entry.builtin === 'training')
      .map(([name]) => name),
    ...(options.userStore === undefined
      ? {}
      : {
          failureMemory: {
            memory: new FailureMemory(new FailureStore(store.database), FailureMemory.openUserStore(options.userStore)),
            scrub: (text: string) => scrubber.text(text),
          },
        }),
  });
  return {
    run,
    workdir,
    runDirectory,
    events,
    store,
    models,
    drive: () => driveRun(run),
    async close() {
      await hub.close();
      run.dependencies.failureMemory?.memory.close();
      store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Tool results the runtime sent back to an agent's model, from its recorded requests. */
export function toolMessages(model: ScriptedChatModel, requestIndex: number): string[] {
  const request = model.requests[requestIndex];
  if (!request) throw new Error(`no request ${requestIndex} to ${model.model}`);
  return request.messages.filter((message) => message.role === 'tool').map((message) => String(message.content));
}

/** A scripted turn that calls `complete`. */
export function completeTurn(
  status: 'success' | 'failure' | 'partial',
  summary: string,
  artifacts: string[] = [],
): { toolCalls: Array<{ name: string; arguments: unknown }> } {
  return { toolCalls: [{ name: 'complete', arguments: { status, summary, artifacts } }] };
}

/** Creates harnesses inside tests and closes each one after its test, pass or fail. */
export function harnessPerTest(): (options: HarnessOptions) => Promise<RuntimeHarness> {
  const open: RuntimeHarness[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((harness) => harness.close()));
  });
  return async (options) => {
    const harness = await createRuntimeHarness(options);
    open.push(harness);
    return harness;
  };
}
