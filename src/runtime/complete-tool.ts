import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { z } from 'zod';
import { parseToolInput, toolParameters, type RuntimeTool } from './runtime-tool.js';

export const COMPLETE_TOOL_NAME = 'complete';

const completeInput = z.object({
  status: z.enum(['success', 'failure', 'partial']).describe('success: the task is done; partial: some of it is done; failure: it could not be done'),
  summary: z.string().min(1).describe('What you did and found, and anything the caller must know. Be specific and brief.'),
  artifacts: z.array(z.string()).default([]).describe('Paths of the files you produced or changed (relative to the working directory)'),
});

/**
 * The explicit end of an agent's task. Artifacts must exist (unless the task failed), so a "success" cannot
 * point at files that were never written.
 */
export function createCompleteTool(options: { workdir: string; scope: 'task' | 'goal' }): RuntimeTool {
  const what = options.scope === 'goal' ? 'the whole goal' : 'your task';
  return {
    definition: {
      name: COMPLETE_TOOL_NAME,
      description: `Finish ${what}: report the status, a summary and the files produced. Call it exactly once, when you are done or cannot go on; nothing you write after it is read.`,
      parameters: toolParameters(completeInput),
    },
    async execute(input) {
      const parsed = parseToolInput(completeInput, input, COMPLETE_TOOL_NAME);
      if (!parsed.ok) return { text: parsed.error, isError: true };
      const { status, summary } = parsed.value;
      const artifacts = parsed.value.artifacts.map((path) => normalise(options.workdir, path));
      const missing = status === 'failure' ? [] : artifacts.filter((path) => !existsSync(resolve(options.workdir, path)));
      if (missing.length > 0) {
        return {
          text: `not completed: these artifact paths do not exist: ${missing.join(', ')}. Create them, correct the paths (relative to ${options.workdir}), or leave them out, then call ${COMPLETE_TOOL_NAME} again.`,
          isError: true,
        };
      }
      return { text: `completed with status ${status}`, isError: false, completion: { status, summary, artifacts } };
    },
  };
}

function normalise(workdir: string, path: string): string {
  const absolute = resolve(workdir, path);
  const inside = relative(workdir, absolute);
  return inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside : absolute;
}
