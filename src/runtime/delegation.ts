import type { AgentDefinition } from '../config/load-swarm.js';
import { describeError } from '../errors/mux-swarm-error.js';
import type { ChatMessage } from '../providers/chat-types.js';
import type { DelegationRecord } from '../state/run-journal.js';
import { runAgent, type AgentOutcome, type AgentStopReason } from './agent-loop.js';
import { createCompleteTool } from './complete-tool.js';
import { goalCheckFor } from './goal-check.js';
import { DELEGATE_TOOL_NAME } from './delegate-tool-name.js';
import { createReadResultTool } from './read-result-tool.js';
import type { RunContext } from './run-context.js';
import { RunStoppedError } from '../errors/run-stopped-error.js';
import type { RuntimeTool } from './runtime-tool.js';
import { composeSystemPrompt } from './system-prompt.js';
import type { HubTool } from '../tools/tool-hub.js';

export interface DelegationRequest {
  /** Stable across restarts: "d1" for the goal (flat steps d1, d2 …), else the journal id of the delegate call. */
  id: string;
  agent: AgentDefinition;
  task: string;
  /** Who hands the task over: an agent's name, or the runtime itself for the root task. */
  from: string;
  parentDelegationId: string | null;
  depth: number;
  /** `goal` when this agent's completion ends the run. */
  scope: 'task' | 'goal';
  /**
   * This agent's success is the goal's: the orchestrator's, the last flat step's, a loop iteration's. Its completion
   * with status success is refused while a "Done when" condition of the goal does not hold.
   */
  checksGoal?: boolean;
  /** Given to the agent as a message before its next model call when the delegation resumes after a restart. */
  resumeMessage?: string;
}

export interface DelegationOutcome extends AgentOutcome {
  delegationId: string;
  costUsd: number;
  durationMs: number;
}

/**
 * Runs one task on one agent as a recorded delegation (start and end events, a row with the outcome).
 * A model or provider failure inside a specialist becomes a `failure` outcome its caller can act on; at the
 * root (depth 0), and when the run is stopping, the error is passed up.
 */
export async function runDelegation(run: RunContext, request: DelegationRequest): Promise<DelegationOutcome> {
  const delegationId = request.id;
  const recorded = run.store.journal.delegation(run.runId, delegationId);
  // Resuming a run: a delegation that finished before the restart is not worked again.
  if (recorded?.status) return recordedOutcome(recorded);
  const startedAt = recorded ? Date.parse(recorded.started_at) : run.now();
  if (!recorded) {
    run.store.startDelegation({
      runId: run.runId,
      id: delegationId,
      parentId: request.parentDelegationId,
      agent: request.agent.name,
      fromAgent: request.from,
      depth: request.depth,
      task: request.task,
      startedAt: new Date(startedAt).toISOString(),
    });
    run.events.emit({
      type: 'delegation-start',
      agent: request.agent.name,
      delegation_id: delegationId,
      parent_delegation_id: request.parentDelegationId,
      from: request.from,
      depth: request.depth,
      task: request.task,
    });
  }
  const resumeFrom = recorded ? (run.store.journal.transcript(run.runId, delegationId) as ChatMessage[]) : undefined;

  const checkGoal = request.checksGoal ? goalCheckFor(run) : undefined;
  const delegates =
    request.depth < run.limits.maxDelegationDepth
      ? request.agent.canDelegateTo
          .map((name) => run.agent(name))
          .filter((agent): agent is AgentDefinition => agent !== undefined)
      : [];
  const runtimeTools: RuntimeTool[] = [
    createCompleteTool({
      workdir: run.dependencies.workdir,
      scope: request.scope,
      ...(checkGoal ? { checkGoal } : {}),
    }),
    createReadResultTool({ workdir: run.dependencies.workdir, runDirectory: run.dependencies.runDirectory }),
    ...(delegates.length > 0 ? [createDelegateTool(run, request.agent, delegates, delegationId, request.depth)] : []),
  ];
  const hubTools = (): HubTool[] => run.dependencies.hub.toolsFor(request.agent);
  const systemPrompt = composeSystemPrompt(request.agent, {
    workdir: run.dependencies.workdir,
    delegates,
    scope: request.scope,
    hasTools: hubTools().length > 0,
    checksGoal: checkGoal !== undefined,
  });

  let outcome: AgentOutcome;
  try {
    outcome = await runAgent(run, {
      agent: request.agent,
      systemPrompt,
      task: request.task,
      delegationId,
      runtimeTools,
      hubTools,
      ...(resumeFrom ? { resumeFrom } : {}),
      ...(resumeFrom && request.resumeMessage ? { resumeMessage: request.resumeMessage } : {}),
    });
  } catch (error) {
    if (error instanceof RunStoppedError) {
      // A stopped run (Ctrl-C, a limit) leaves its delegations unfinished in the journal: resuming continues them.
      finish(
        run,
        request,
        delegationId,
        startedAt,
        { status: 'partial', summary: describeError(error), artifacts: [], turns: 0, stopReason: 'error' },
        { record: false },
      );
      throw error;
    }
    const failed = finish(run, request, delegationId, startedAt, {
      status: 'failure',
      summary: `${request.agent.name} could not work: ${describeError(error)}`,
      artifacts: [],
      turns: 0,
      stopReason: 'error',
    });
    if (request.depth === 0) throw error;
    return failed;
  }
  return finish(run, request, delegationId, startedAt, outcome);
}

/** Ends a delegation: its outcome journaled (unless it only stopped), and its end event. Its cost is that of its own and its sub-delegations' model calls, across restarts. */
function finish(
  run: RunContext,
  request: DelegationRequest,
  delegationId: string,
  startedAt: number,
  outcome: AgentOutcome,
  options: { record: boolean } = { record: true },
): DelegationOutcome {
  const costUsd = run.store.journal.delegationCost(run.runId, delegationId);
  const durationMs = run.now() - startedAt;
  if (options.record) {
    run.store.finishDelegation({
      runId: run.runId,
      id: delegationId,
      status: outcome.status,
      stopReason: outcome.stopReason,
      summary: outcome.summary,
      artifacts: outcome.artifacts,
      turns: outcome.turns,
      costUsd,
      endedAt: run.isoNow(),
    });
  }
  run.events.emit({
    type: 'delegation-end',
    agent: request.agent.name,
    delegation_id: delegationId,
    status: outcome.status,
    stop_reason: outcome.stopReason,
    summary: outcome.summary,
    artifacts: outcome.artifacts,
    turns: outcome.turns,
    duration_ms: durationMs,
    cost_usd: costUsd,
  });
  return { ...outcome, delegationId, costUsd, durationMs };
}

function recordedOutcome(record: DelegationRecord): DelegationOutcome {
  return {
    delegationId: record.id,
    status: record.status ?? 'partial',
    summary: record.summary ?? '',
    artifacts: record.artifacts_json === null ? [] : (JSON.parse(record.artifacts_json) as string[]),
    turns: record.turns,
    stopReason: (record.stop_reason ?? 'completed') as AgentStopReason,
    costUsd: record.cost_usd,
    durationMs: record.ended_at ? Date.parse(record.ended_at) - Date.parse(record.started_at) : 0,
  };
}

/** The tool through which an agent hands a task to one of the agents it may delegate to. */
function createDelegateTool(
  run: RunContext,
  caller: AgentDefinition,
  delegates: AgentDefinition[],
  callerDelegationId: string,
  depth: number,
): RuntimeTool {
  const names = delegates.map((agent) => agent.name);
  return {
    definition: {
      name: DELEGATE_TOOL_NAME,
      description:
        `Hand a task to another agent and get back its status, summary and the files it produced. Several ${DELEGATE_TOOL_NAME} calls in one turn run in parallel. Agents:\n` +
        delegates.map((agent) => `- ${agent.name}: ${agent.description}`).join('\n'),
      parameters: {
        type: 'object',
        properties: {
          agent: { type: 'string', enum: names, description: 'Which agent does the task' },
          task: {
            type: 'string',
            description:
              'A self-contained task: what to do, which files to read, which files to write, how to know it is done',
          },
        },
        required: ['agent', 'task'],
        additionalProperties: false,
      },
    },
    async execute(input, context) {
      const { agent: target, task } = (input ?? {}) as { agent?: unknown; task?: unknown };
      if (typeof target !== 'string' || !names.includes(target)) {
        return {
          text: `${caller.name} cannot delegate to ${JSON.stringify(target ?? null)}; valid agents: ${names.join(', ')}`,
          isError: true,
        };
      }
      if (typeof task !== 'string' || task.trim() === '')
        return {
          text: `invalid arguments for ${DELEGATE_TOOL_NAME}: "task" must be a non-empty string`,
          isError: true,
        };
      const outcome = await runDelegation(run, {
        id: context.journalId,
        agent: run.agent(target)!,
        task,
        from: caller.name,
        parentDelegationId: callerDelegationId,
        depth: depth + 1,
        scope: 'task',
      });
      return {
        text: formatDelegationResult(target, outcome),
        isError: outcome.status === 'failure' || outcome.status === 'stuck',
      };
    },
  };
}

export function formatDelegationResult(agent: string, outcome: DelegationOutcome): string {
  const lines = [
    `${agent} finished with status ${outcome.status} after ${outcome.turns} turn${outcome.turns === 1 ? '' : 's'} (${outcome.stopReason}, $${outcome.costUsd.toFixed(4)}).`,
    `Summary: ${outcome.summary}`,
    `Artifacts: ${outcome.artifacts.length > 0 ? outcome.artifacts.join(', ') : 'none'}`,
  ];
  return lines.join('\n');
}
