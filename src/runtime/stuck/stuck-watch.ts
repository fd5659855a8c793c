import type { AgentDefinition } from '../../config/load-swarm.js';
import { describeError } from '../../errors/mux-swarm-error.js';
import { RUNTIME_AGENT } from '../../events/event-schema.js';
import type { ChatMessage } from '../../providers/chat-types.js';
import type { AgentTranscript } from '../agent-transcript.js';
import { COMPLETE_TOOL_NAME, GOAL_UNMET_PREFIX } from '../complete-tool.js';
import type { RunContext } from '../run-context.js';
import { observedTurns } from './observed-turn.js';
import { StuckDetector, type StuckSignal, type StuckVerdict } from './stuck-detector.js';

/** How the runtime's warning to a stuck agent begins (a person reading a transcript can find it). */
export const STUCK_WARNING_PREFIX = 'mux-swarm: you are making no progress';

/** How a delegation the runtime ended as stuck reports itself to its caller. */
export interface StuckEnding {
  summary: string;
  signal: StuckSignal;
}

/**
 * The no-progress detector at work on one delegation: fed every turn whose results are recorded (live, or replayed
 * from the journal after a restart), it warns the agent in a runtime message the first time, and ends the
 * delegation as `stuck` if the agent goes on — with a `stuck` event each time and, at the end, a failure of kind
 * `stuck` in failure memory.
 */
export class StuckWatch {
  readonly #run: RunContext;
  readonly #agent: AgentDefinition;
  readonly #delegationId: string;
  readonly #detector: StuckDetector;

  constructor(run: RunContext, agent: AgentDefinition, delegationId: string) {
    this.#run = run;
    this.#agent = agent;
    this.#delegationId = delegationId;
    const limits = run.limits.stuck;
    this.#detector = new StuckDetector({
      repeatedCalls: agent.stuck?.repeatedCalls ?? limits.repeatedCalls,
      idleTurns: agent.stuck?.idleTurns ?? limits.idleTurns,
    });
  }

  /**
   * A resumed delegation: its recorded turns are observed again, in order, so the detector is where it was. When the
   * transcript ends with the last turn's results (a restart came before the runtime acted on them), acts on that turn's
   * verdict now: the warning it was about to give, or the end.
   */
  resume(transcript: AgentTranscript): StuckEnding | undefined {
    const { messages } = transcript;
    // A reply the restart cut off before the runtime acted on it is observed when the agent finishes that turn.
    const recorded = messages.at(-1)?.role === 'assistant' ? messages.slice(0, -1) : messages;
    let verdict: StuckVerdict = { action: 'none' };
    for (const turn of observedTurns(recorded)) verdict = this.#detector.observe(turn);
    if (messages.at(-1)?.role !== 'tool') return undefined;
    return this.#act(verdict, transcript);
  }

  /** After a live turn (its results, or its nudge, are in the transcript): warns, ends, or lets the agent go on. */
  afterTurn(transcript: AgentTranscript): StuckEnding | undefined {
    const lastAssistant = transcript.messages.findLastIndex((message) => message.role === 'assistant');
    const [turn] = observedTurns(transcript.messages, lastAssistant);
    if (!turn) return undefined;
    return this.#act(this.#detector.observe(turn), transcript);
  }

  #act(verdict: StuckVerdict, transcript: AgentTranscript): StuckEnding | undefined {
    if (verdict.action === 'none') return undefined;
    const { signal } = verdict;
    this.#run.events.emit({
      type: 'stuck',
      agent: this.#agent.name,
      delegation_id: this.#delegationId,
      pattern: signal.pattern,
      action: verdict.action === 'warn' ? 'warned' : 'ended',
      detail: signal.detail,
      turn: transcript.turns,
    });
    if (verdict.action === 'warn') {
      transcript.append({ role: 'user', content: warningText(signal) });
      return undefined;
    }
    const knownFixes = this.#remember(signal);
    const summary = `${this.#agent.name} ${signal.detail}, and went on after it was told.${lastWords(transcript.messages)}${knownFixes ? `\n\n${knownFixes}` : ''}`;
    return { summary, signal };
  }

  #remember(signal: StuckSignal): string {
    const failures = this.#run.failures;
    if (failures === undefined) return '';
    const subject = signal.refusal ? conditionOf(signal.refusal.text) : (signal.tool ?? this.#agent.name);
    try {
      return failures.afterStuck({
        pattern: signal.pattern,
        subject,
        description: `${this.#agent.name} ${signal.detail}`,
      });
    } catch (error) {
      this.#run.events.emit({
        type: 'system',
        subtype: 'warning',
        agent: RUNTIME_AGENT,
        message: `failure memory: ${describeError(error)} (the stuck delegation is unaffected)`,
      });
      return '';
    }
  }
}

function warningText(signal: StuckSignal): string {
  const advice =
    signal.pattern === 'repeated_refusal'
      ? signal.refusal?.goalUnmet
        ? `Calling ${COMPLETE_TOOL_NAME} with success again will be refused again until the condition holds: do the missing work first, or call ${COMPLETE_TOOL_NAME} with status partial or failure and say what is missing.`
        : `Fix what the refusal names before calling ${COMPLETE_TOOL_NAME} again, or call it with status partial or failure and say what blocks you.`
      : `Doing the same again will not change the result: try something different (another approach, another tool, other arguments), or call ${COMPLETE_TOOL_NAME} with status partial or failure and say what blocks you.`;
  return `${STUCK_WARNING_PREFIX}: you ${signal.detail}. ${advice} If you go on without progress, mux-swarm ends this task as stuck.`;
}

/** The condition named by a goal refusal's first line (what the stuck failure is filed under), or the line itself. */
function conditionOf(refusal: string): string {
  const first = refusal.split('\n')[0] ?? refusal;
  return first.startsWith(GOAL_UNMET_PREFIX)
    ? first.slice(GOAL_UNMET_PREFIX.length).replace(/^:\s*/, '').split(' — ')[0]!
    : first;
}

function lastWords(messages: readonly ChatMessage[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index]!;
    if (message.role === 'assistant' && typeof message.content === 'string' && message.content.trim() !== '')
      return ` Last message: ${message.content.trim().slice(0, 300)}`;
  }
  return '';
}
