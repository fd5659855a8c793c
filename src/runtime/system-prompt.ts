import type { AgentDefinition } from '../config/load-swarm.js';
import { COMPLETE_TOOL_NAME } from './complete-tool.js';
import { DELEGATE_TOOL_NAME } from './delegate-tool-name.js';
import { READ_RESULT_TOOL_NAME } from './read-result-tool.js';

export interface PromptContext {
  workdir: string;
  /** Agents this one may delegate to, with what they are for. */
  delegates: Array<Pick<AgentDefinition, 'name' | 'description'>>;
  /** `goal` for the agent that completes the whole run. */
  scope: 'task' | 'goal';
  hasTools: boolean;
  /** Its success is checked against the goal's "Done when" conditions before it is accepted. */
  checksGoal?: boolean;
}

/** The agent's own prompt from swarm.json, followed by the rules every agent of a mux-swarm run works by. */
export function composeSystemPrompt(agent: AgentDefinition, context: PromptContext): string {
  const rules = [
    `You are "${agent.name}", an agent in a mux-swarm run. Nobody is watching live: work autonomously until done.`,
    `- Working directory: ${context.workdir}. Files are how agents share work: write results to files and give their paths.`,
    context.hasTools
      ? '- Act through your tools; check what a tool returned before relying on it.'
      : '- You have no world tools: reason from what you are given.',
    `- Long tool results are saved to a file and you get the start and the path; read more with ${READ_RESULT_TOOL_NAME}.`,
  ];
  if (context.delegates.length > 0) {
    rules.push(
      `- You can hand work to these agents with ${DELEGATE_TOOL_NAME} (several ${DELEGATE_TOOL_NAME} calls in one turn run in parallel):`,
      ...context.delegates.map((delegate) => `  - ${delegate.name}: ${delegate.description}`),
      '  Give each a self-contained task: what to do, which files to read, which files to write. They do not see your conversation.',
    );
  }
  rules.push(
    context.scope === 'goal'
      ? `- When the goal is achieved, or cannot be, call ${COMPLETE_TOOL_NAME} with the status, a summary of the outcome and the paths of the deliverables. The run ends there.`
      : `- When your task is done, or cannot be, call ${COMPLETE_TOOL_NAME} with the status, a summary and the paths of the files you produced. Only what you pass to ${COMPLETE_TOOL_NAME} reaches the caller.`,
  );
  if (context.checksGoal) {
    rules.push(
      `- A success is accepted only when every "Done when" condition of the goal holds: mux-swarm checks them when you call ${COMPLETE_TOOL_NAME}, and tells you which do not.`,
    );
  }
  return `${agent.systemPrompt.trim()}\n\n## How this run works\n${rules.join('\n')}`;
}
