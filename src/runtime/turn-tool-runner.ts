import type { ToolCall } from '../providers/chat-types.js';
import type { AgentTranscript } from './agent-transcript.js';
import { COMPLETE_TOOL_NAME } from './complete-tool.js';
import { ConcurrencyLimiter } from './concurrency-limiter.js';
import { DELEGATE_TOOL_NAME } from './delegate-tool-name.js';
import { failPoint } from '../supervisor/fail-points.js';
import type { RunContext } from './run-context.js';
import type { Completion } from './runtime-tool.js';
import { executeToolCall, type AgentToolbox, type ExecutedToolCall } from './tool-execution.js';

/**
 * Runs the tool calls of one model turn: the others concurrently (delegations and tools each within their own
 * limit), the completion last so that it reports on their outcome; then journals every result in one transaction.
 * Calls the journal already holds are not run again (see executeToolCall), so a resumed turn finishes where it stopped.
 */
export class TurnToolRunner {
  private readonly toolLimiter: ConcurrencyLimiter;
  private readonly delegationLimiter: ConcurrencyLimiter;

  constructor(
    private readonly run: RunContext,
    private readonly toolbox: AgentToolbox,
    private readonly transcript: AgentTranscript,
    private readonly owner: { agent: string; delegationId: string },
  ) {
    this.toolLimiter = new ConcurrencyLimiter(run.limits.maxParallelToolCalls);
    this.delegationLimiter = new ConcurrencyLimiter(run.limits.maxConcurrentDelegations);
  }

  /**
   * A resumed turn whose results were all journaled: when it called the completion tool, the completion is
   * checked again (it is idempotent) and returned; nothing is appended to the transcript.
   */
  async recheckCompletion(toolCalls: ToolCall[], turn: number): Promise<Completion | undefined> {
    const completeCall = toolCalls.find((call) => call.name === COMPLETE_TOOL_NAME);
    if (!completeCall) return undefined;
    const executed = await executeToolCall(
      this.run,
      this.toolbox,
      { ...this.owner, turn },
      completeCall,
      toolCalls.indexOf(completeCall),
    );
    return executed.completion;
  }

  /** Runs the turn's calls; returns the completion when the agent called the completion tool successfully. */
  async runTurn(toolCalls: ToolCall[], turn: number): Promise<Completion | undefined> {
    const { run, toolbox } = this;
    const scope = { ...this.owner, turn };
    const completeCall = toolCalls.find((call) => call.name === COMPLETE_TOOL_NAME);
    const others = toolCalls.filter((call) => call.name !== COMPLETE_TOOL_NAME);
    const settled = await Promise.allSettled(
      others.map((call) =>
        (call.name === DELEGATE_TOOL_NAME ? this.delegationLimiter : this.toolLimiter).run(() =>
          executeToolCall(run, toolbox, scope, call, toolCalls.indexOf(call)),
        ),
      ),
    );
    run.throwIfStopped();
    const results = new Map<string, ExecutedToolCall>();
    for (const outcome of settled) {
      if (outcome.status === 'rejected') throw outcome.reason;
      results.set(outcome.value.toolCallId, outcome.value);
    }
    let completion: Completion | undefined;
    if (completeCall) {
      const executed = await executeToolCall(run, toolbox, scope, completeCall, toolCalls.indexOf(completeCall));
      results.set(executed.toolCallId, executed);
      completion = executed.completion;
    }
    this.transcript.append(
      ...toolCalls.map((call) => ({
        role: 'tool' as const,
        tool_call_id: call.id,
        content: results.get(call.id)?.text ?? `not run: only one ${COMPLETE_TOOL_NAME} call is taken per turn`,
      })),
    );
    failPoint('turn-recorded');
    return completion;
  }
}
