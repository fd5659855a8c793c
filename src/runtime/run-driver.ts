import { hostname } from 'node:os';
import type { AgentDefinition } from '../config/load-swarm.js';
import { describeError } from '../errors/mux-swarm-error.js';
import {
  RUNTIME_AGENT,
  type InitEvent,
  type PhaseStanding,
  type ResultEvent,
  type ResultSubtype,
} from '../events/event-schema.js';
import type { GpuDiscovery } from '../hardware/gpu-discovery.js';
import { COMPLETE_TOOL_NAME } from './complete-tool.js';
import { GpuCostMeter } from './gpu-cost-meter.js';
import { DELEGATE_TOOL_NAME } from './delegate-tool-name.js';
import { runDelegation, type DelegationOutcome } from './delegation.js';
import { runExperimentLoop } from './loop/experiment-loop.js';
import { READ_RESULT_TOOL_NAME } from './read-result-tool.js';
import { restartMessage, taskWithRecoveryReport } from './recovery/recovery-messages.js';
import { prepareRecoveryReport, type RecoveryReport } from './recovery/recovery-report.js';
import type { RunContext } from './run-context.js';
import { exitCodeFor, runStatusFor, subtypeForStop } from './run-result.js';
import { RunStoppedError } from '../errors/run-stopped-error.js';
import { lastGoalRefusal } from './goal-refusal.js';
import { standingAtEnd } from './phases/standing-at-end.js';
import { formatPhaseStanding } from '../events/phase-standing-text.js';

interface Ending {
  subtype: ResultSubtype;
  result: string;
  artifacts: string[];
  /** The goal-completing agent's last claim of success was refused by the goal's checks: what it then said. */
  refusedClaim?: { agent: string; status: string; summary: string };
}

/** Phase 0's report and the session it was written for. */
interface Recovery {
  report: RecoveryReport;
  session: number;
}

/**
 * Runs the goal to an explicit result: records the run, announces it (`system`/`init`), writes the recovery
 * report (phase 0), works the goal in the configured mode, and ends with one `result` event and a finished run
 * row, whatever happened. A goal whose phases are all done by their checks ends at once, without a model call.
 */
export async function driveRun(run: RunContext, options: { resumedSession?: number } = {}): Promise<ResultEvent> {
  const { goal, mode } = run.dependencies;
  if (options.resumedSession !== undefined) run.store.reopenRun(run.runId);
  else
    run.store.createRun({
      id: run.runId,
      goalName: goal.name,
      goalSource: goal.label,
      goalText: goal.text,
      mode,
      settings: settingsSnapshot(run),
      hostname: hostname(),
      pid: process.pid,
      startedAt: new Date(run.startedAt).toISOString(),
    });
  emitInit(run, options.resumedSession);
  run.startClock();
  run.startPulse();
  const gpuCost = new GpuCostMeter(run);

  let ending: Ending;
  let report: RecoveryReport | undefined;
  try {
    const session = options.resumedSession ?? 1;
    report = await prepareRecoveryReport(run, { session, resumed: options.resumedSession !== undefined });
    // A loop goes on while its phases' checks hold: they are its setup, its stop conditions are in `loop:`.
    if (goal.frontMatter.loop) ending = await runExperimentLoop(run, { report, session });
    else if (report.goalComplete) ending = { subtype: 'success', result: report.text, artifacts: [] };
    else
      ending =
        mode === 'flat' ? await workFlat(run, { report, session }) : await workHierarchical(run, { report, session });
  } catch (error) {
    const stopped = error instanceof RunStoppedError ? error : run.stopError;
    ending = stopped
      ? {
          subtype: subtypeForStop(stopped.reason),
          result: `Stopped: ${stopped.message.replace(/\.?\s*$/, '')}.`,
          artifacts: [],
        }
      : { subtype: 'error_during_execution', result: describeError(error), artifacts: [] };
  } finally {
    run.dispose();
  }
  // Training jobs still running are stopped now (with time to checkpoint), so that their end and GPU time are in the result.
  await run.dependencies.beforeResult?.().catch(() => {});
  gpuCost.close();
  // Whatever ended the run, the result says where the goal stands now: evaluated at the end, never copied from its start.
  const phases = await standingAtEnd(run, {
    succeeded: ending.subtype === 'success',
    atStart: report?.goalComplete ? report.evaluation : undefined,
  });
  if (ending.refusedClaim) ending = goalUnmetEnding(ending, ending.refusedClaim, phases);

  const totals = run.usage.totals();
  const gpu = run.usage.gpuTime();
  const exitCode = exitCodeFor(ending.subtype);
  const { calls: _calls, cost_usd: totalCost, ...usage } = totals;
  const costUnknownModels = run.usage.costUnknownModels();
  const event = run.events.emit({
    type: 'result',
    agent: RUNTIME_AGENT,
    subtype: ending.subtype,
    is_error: ending.subtype !== 'success',
    exit_code: exitCode,
    num_turns: run.usage.turns,
    total_cost_usd: totalCost,
    usage,
    usage_by_agent: run.usage.byAgent(),
    usage_by_model: run.usage.byModel(),
    ...(gpu.seconds > 0 ? { gpu_seconds: gpu.seconds, gpu_cost_usd: gpu.costUsd } : {}),
    ...(costUnknownModels.length > 0 ? { cost_unknown_models: costUnknownModels } : {}),
    duration_ms: run.now() - run.startedAt,
    result: ending.result,
    artifacts: ending.artifacts,
    ...(phases ? { phases } : {}),
  }) as ResultEvent;
  run.store.finishRun(run.runId, {
    status: runStatusFor(ending.subtype),
    subtype: ending.subtype,
    exitCode,
    result: ending.result,
    endedAt: run.isoNow(),
    numTurns: run.usage.turns,
    costUsd: totalCost,
    inputTokens: totals.input_tokens,
    outputTokens: totals.output_tokens,
    ...(phases ? { phases } : {}),
  });
  return event;
}

/**
 * The goal-completing agent insisted on success while the goal's checks failed, and ended without it (stuck, out of
 * turns, or with partial/failure): the run says which condition does not hold, as the checks stand at its end.
 */
function goalUnmetEnding(
  ending: Ending,
  claim: NonNullable<Ending['refusedClaim']>,
  phases: PhaseStanding | undefined,
): Ending {
  if (phases !== undefined && phases.first_unmet === null) return { ...ending, refusedClaim: undefined };
  const standing = phases === undefined ? '' : ` (${formatPhaseStanding(phases)})`;
  return {
    subtype: 'error_goal_unmet',
    result: `The goal does not hold${standing}. ${claim.agent} claimed success, the goal's checks refused it, and it ended ${claim.status}: ${claim.summary}`,
    artifacts: ending.artifacts,
  };
}

/** The orchestrator's context begins with the recovery report: before the goal, or after its transcript when it resumes. */
async function workHierarchical(run: RunContext, recovery: Recovery): Promise<Ending> {
  const { goal, orchestrator } = run.dependencies;
  const task = taskWithRecoveryReport(recovery.report, goalTask(goal.name, goal.text));
  const outcome = await runDelegation(run, {
    id: 'd1',
    agent: orchestrator,
    task,
    from: RUNTIME_AGENT,
    parentDelegationId: null,
    depth: 0,
    scope: 'goal',
    checksGoal: true,
    resumeMessage: restartMessage(recovery.report, recovery.session),
  });
  if (outcome.status === 'success')
    return { subtype: 'success', result: outcome.summary, artifacts: outcome.artifacts };
  return {
    subtype: 'error_goal_failed',
    result: outcome.summary,
    artifacts: outcome.artifacts,
    ...refusedClaim(run, 'd1', orchestrator.name, outcome),
  };
}

/** The agent's last completion was a success the goal's checks refused (read from its journaled transcript). */
function refusedClaim(
  run: RunContext,
  delegationId: string,
  agent: string,
  outcome: DelegationOutcome,
): Pick<Ending, 'refusedClaim'> {
  const transcript = run.store.journal.transcript(run.runId, delegationId) as Parameters<typeof lastGoalRefusal>[0];
  return lastGoalRefusal(transcript) === undefined
    ? {}
    : { refusedClaim: { agent, status: outcome.status, summary: outcome.summary } };
}

/**
 * Flat mode: the specialists work the goal one after another, each told what the previous ones produced. The
 * first step this session works (a new one, or the one a restart interrupted) is given the recovery report.
 */
async function workFlat(run: RunContext, recovery: Recovery): Promise<Ending> {
  const { goal, flatOrder } = run.dependencies;
  const steps: Array<{ agent: string; outcome: DelegationOutcome }> = [];
  let briefed = false;
  let lastStep: { id: string; agent: string; outcome: DelegationOutcome } | undefined;
  for (const [index, name] of flatOrder.entries()) {
    const agent = run.agent(name)!;
    const id = `d${index + 1}`;
    const brief: boolean = !briefed && !run.store.journal.delegation(run.runId, id)?.status;
    briefed ||= brief;
    const task = flatTask(goal.name, goal.text, flatOrder, index, steps);
    const last = index === flatOrder.length - 1;
    const outcome = await runDelegation(run, {
      id,
      agent,
      task: brief ? taskWithRecoveryReport(recovery.report, task) : task,
      from: RUNTIME_AGENT,
      parentDelegationId: null,
      depth: 0,
      scope: 'task',
      // The last step's success is the goal's: the goal's checks must hold for it.
      checksGoal: last,
      ...(brief ? { resumeMessage: restartMessage(recovery.report, recovery.session) } : {}),
    });
    steps.push({ agent: name, outcome });
    if (last && outcome.status !== 'success') lastStep = { id, agent: name, outcome };
    if (outcome.status === 'failure' || outcome.status === 'stuck') break;
  }
  const allSucceeded = steps.length === flatOrder.length && steps.every((step) => step.outcome.status === 'success');
  return {
    subtype: allSucceeded ? 'success' : 'error_goal_failed',
    result: steps.map((step) => `${step.agent} (${step.outcome.status}): ${step.outcome.summary}`).join('\n\n'),
    artifacts: [...new Set(steps.flatMap((step) => step.outcome.artifacts))],
    ...(allSucceeded || lastStep === undefined ? {} : refusedClaim(run, lastStep.id, lastStep.agent, lastStep.outcome)),
  };
}

function goalTask(name: string, text: string): string {
  return `# Goal: ${name}\n\n${text}`;
}

function flatTask(
  name: string,
  text: string,
  order: string[],
  index: number,
  previous: Array<{ agent: string; outcome: DelegationOutcome }>,
): string {
  const sections = [
    goalTask(name, text),
    `## Your part\nThe team works this goal in order: ${order.join(' → ')}. You are step ${index + 1} of ${order.length} (${order[index]}). Do your share, building on the files earlier steps wrote.`,
  ];
  if (previous.length > 0) {
    sections.push(
      '## Earlier steps',
      ...previous.map(
        (step) =>
          `### ${step.agent}: ${step.outcome.status}\n${step.outcome.summary}\nFiles: ${step.outcome.artifacts.length > 0 ? step.outcome.artifacts.join(', ') : 'none'}`,
      ),
    );
  }
  return sections.join('\n\n');
}

function agentsInPlay(run: RunContext): AgentDefinition[] {
  const { mode, orchestrator, agents } = run.dependencies;
  return mode === 'hierarchical' ? [orchestrator, ...agents] : agents;
}

function emitInit(run: RunContext, resumedSession: number | undefined): void {
  const { hub, goal, mode, workdir, orchestrator, flatOrder } = run.dependencies;
  const limits = run.limits;
  const team = agentsInPlay(run);
  const first = mode === 'flat' ? (run.agent(flatOrder[0]!) ?? orchestrator) : orchestrator;
  run.events.emit({
    type: 'system',
    subtype: 'init',
    agent: RUNTIME_AGENT,
    cwd: workdir,
    mode,
    model: first.model,
    goal: { name: goal.name, source: goal.label },
    agents: team.map((agent) => ({
      name: agent.name,
      role: agent.role,
      provider: agent.provider,
      model: agent.model,
      ...(agent.chain.length > 1 ? { failover_chain: agent.chain.map((ref) => `${ref.provider}/${ref.model}`) } : {}),
      tools: [
        COMPLETE_TOOL_NAME,
        READ_RESULT_TOOL_NAME,
        ...(mayDelegate(run, agent) ? [DELEGATE_TOOL_NAME] : []),
        ...hub.toolsFor(agent).map((tool) => tool.exposedName),
      ],
      can_delegate_to: agent.canDelegateTo,
    })),
    tools: hub.tools().map((tool) => tool.exposedName),
    mcp_servers: hub.statuses.map((status) => ({
      name: status.name,
      status: status.status,
      tools: status.tools,
      ...(status.error ? { error: status.error } : {}),
    })),
    limits: {
      max_turns: limits.maxTurns,
      max_budget_usd: limits.maxBudgetUsd ?? null,
      max_tokens: limits.maxTokens ?? null,
      timeout_ms: limits.timeout ?? null,
      max_concurrent_delegations: limits.maxConcurrentDelegations,
      max_delegation_depth: limits.maxDelegationDepth,
    },
    ...(resumedSession === undefined ? {} : { resumed_session: resumedSession }),
    ...(run.dependencies.gpus === undefined ? {} : { gpus: gpusForInit(run.dependencies.gpus) }),
  });
}

function gpusForInit(discovery: GpuDiscovery): NonNullable<InitEvent['gpus']> {
  return {
    source: discovery.source,
    ...(discovery.note === undefined ? {} : { note: discovery.note }),
    devices: discovery.gpus.map((gpu) => ({
      index: gpu.index,
      name: gpu.name,
      ...(gpu.memoryTotalMiB === undefined ? {} : { memory_total_mib: gpu.memoryTotalMiB }),
      ...(gpu.memoryUsedMiB === undefined ? {} : { memory_used_mib: gpu.memoryUsedMiB }),
      ...(gpu.driver === undefined ? {} : { driver: gpu.driver }),
    })),
  };
}

/** Whether the agent is offered `delegate` where it works: at depth 0 (orchestrator, flat steps) or as a delegate at depth 1. */
function mayDelegate(run: RunContext, agent: AgentDefinition): boolean {
  if (agent.canDelegateTo.length === 0) return false;
  const depth = agent.role === 'orchestrator' || run.dependencies.mode === 'flat' ? 0 : 1;
  return depth < run.limits.maxDelegationDepth;
}

function settingsSnapshot(run: RunContext): unknown {
  return {
    workdir: run.dependencies.workdir,
    // The report parses the stored goal text again to check its phases: with this line its conditions keep their file lines.
    goalTextLine: run.dependencies.goal.textLine ?? 1,
    limits: run.limits,
    agents: agentsInPlay(run).map((agent) => ({
      name: agent.name,
      role: agent.role,
      provider: agent.provider,
      model: agent.model,
      chain: agent.chain,
      canDelegateTo: agent.canDelegateTo,
    })),
  };
}
