import { existsSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';
import { parseToolInput, toolParameters, type Completion, type RuntimeTool } from './runtime-tool.js';

export const COMPLETE_TOOL_NAME = 'complete';

/** How every refused completion begins: the no-progress detector recognises a refusal in a transcript by it. */
export const NOT_COMPLETED_PREFIX = 'not completed:';
/** How a completion refused because the goal's checks fail begins. */
export const GOAL_UNMET_PREFIX = `${NOT_COMPLETED_PREFIX} the goal does not hold yet`;

const completeInput = z.object({
  status: z
    .enum(['success', 'failure', 'partial'])
    .describe('success: the task is done; partial: some of it is done; failure: it could not be done'),
  summary: z
    .string()
    .min(1)
    .describe('What you did and found, and anything the caller must know. Be specific and brief.'),
  artifacts: z
    .array(z.string())
    .default([])
    .describe('Paths of the files you produced or changed (relative to the working directory)'),
});

/** The goal's "Done when" conditions that do not hold, one line each (phase, goal file line, condition, what was found); empty when all hold. */
export type GoalCheck = () => Promise<string[]>;

/**
 * The explicit end of an agent's task. Artifacts must exist (unless the task failed), so a "success" cannot
 * point at files that were never written; and where the agent's success ends the goal (`checkGoal`), every
 * "Done when" condition of the goal must hold too: the same evaluation as `mux-swarm goal check`.
 */
export function createCompleteTool(options: {
  workdir: string;
  scope: 'task' | 'goal';
  checkGoal?: GoalCheck;
}): RuntimeTool {
  const what = options.scope === 'goal' ? 'the whole goal' : 'your task';
  return {
    definition: {
      name: COMPLETE_TOOL_NAME,
      description:
        `Finish ${what}: report the status, a summary and the files produced. Call it exactly once, when you are done or cannot go on; nothing you write after it is read.` +
        (options.checkGoal
          ? ' A success is accepted only when every "Done when" condition of the goal holds: mux-swarm checks them.'
          : ''),
      parameters: toolParameters(completeInput),
    },
    async execute(input) {
      const parsed = parseToolInput(completeInput, input, COMPLETE_TOOL_NAME);
      if (!parsed.ok) return { text: parsed.error, isError: true };
      const { status, summary } = parsed.value;
      const artifacts = parsed.value.artifacts.map((path) => normalise(options.workdir, path));
      const outside = artifacts.filter((path) => !insideWorkdir(options.workdir, path));
      if (outside.length > 0) {
        return {
          text: `${NOT_COMPLETED_PREFIX} these artifacts are outside the working directory ${options.workdir}: ${outside.join(', ')}. Artifacts are files you produced inside it: give their paths relative to it, or leave those out, then call ${COMPLETE_TOOL_NAME} again.`,
          isError: true,
        };
      }
      const missing =
        status === 'failure' ? [] : artifacts.filter((path) => !existsSync(resolve(options.workdir, path)));
      if (missing.length > 0) {
        return {
          text: `${NOT_COMPLETED_PREFIX} these artifact paths do not exist: ${missing.join(', ')}. Create them, correct the paths (relative to ${options.workdir}), or leave them out, then call ${COMPLETE_TOOL_NAME} again.`,
          isError: true,
        };
      }
      if (status === 'success' && options.checkGoal) {
        const unmet = await options.checkGoal();
        if (unmet.length > 0) return { text: goalUnmetText(unmet), isError: true };
      }
      return { text: `completed with status ${status}`, isError: false, completion: { status, summary, artifacts } };
    },
  };
}

/** The first unmet condition on the first line (what a repeated refusal is recognised by), the others below it. */
function goalUnmetText(unmet: string[]): string {
  const [first, ...rest] = unmet;
  return [
    `${GOAL_UNMET_PREFIX}: ${first}`,
    ...(rest.length > 0 ? ['Also unmet:', ...rest.map((line) => `- ${line}`)] : []),
    `Success is accepted only when every "Done when" condition of the goal holds (\`mux-swarm goal check\` evaluates the same). ` +
      `Do the missing work, then call ${COMPLETE_TOOL_NAME} again; if it cannot be done, call ${COMPLETE_TOOL_NAME} with status partial or failure and say what is missing and why.`,
  ].join('\n');
}

/**
 * The completion a `complete` call with this input makes once it is accepted, its artifacts normalised as the tool
 * does: what a replay answering from a recording (`replay --tools recorded`) hands back without checking again.
 */
export function acceptedCompletion(workdir: string, input: Record<string, unknown>): Completion | undefined {
  const parsed = parseToolInput(completeInput, input, COMPLETE_TOOL_NAME);
  if (!parsed.ok) return undefined;
  return {
    status: parsed.value.status,
    summary: parsed.value.summary,
    artifacts: parsed.value.artifacts.map((path) => normalise(workdir, path)),
  };
}

function normalise(workdir: string, path: string): string {
  const absolute = resolve(workdir, path);
  const inside = relative(workdir, absolute);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : absolute;
}

/** Whether a normalised artifact path is inside the workdir: lexically, and where it really is when it exists (links resolved). */
function insideWorkdir(workdir: string, path: string): boolean {
  if (isAbsolute(path)) return false;
  try {
    const real = relative(realpathSync(workdir), realpathSync(resolve(workdir, path)));
    return real !== '' && !real.startsWith('..') && !isAbsolute(real);
  } catch {
    return true; // Not there (yet): the lexical check holds; a missing artifact is refused on its own.
  }
}
