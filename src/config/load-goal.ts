import { basename, resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '../errors/config-error.js';
import { durationSchema } from '../text/duration.js';
import { parseFrontMatterYaml, splitFrontMatter, unclosedFrontMatter } from './front-matter.js';
import { formatIssues } from './format-issues.js';
import { goalLoopSchema } from './goal-loop.js';
import { parseGoalPhases, type GoalPhase } from './goal-phases.js';
import { displayPath } from './load-config.js';
import { readProjectFile } from './read-project-file.js';
import { agentNameSchema } from './swarm-schema.js';

export const goalFrontMatterSchema = z.strictObject({
  name: z.string().min(1).optional(),
  description: z.string().optional(),
  mode: z.enum(['hierarchical', 'flat']).optional(),
  /** Restrict the team to these specialists. */
  agents: z.array(agentNameSchema).min(1).optional(),
  budget: z
    .strictObject({
      usd: z.number().positive().optional(),
      tokens: z.number().int().positive().optional(),
      /** Wall-clock limit: seconds, or "45m", "2h". */
      time: durationSchema.optional(),
    })
    .optional(),
  limits: z
    .strictObject({
      maxTurns: z.number().int().positive().optional(),
      maxConcurrentDelegations: z.number().int().positive().max(64).optional(),
    })
    .optional(),
  /** Run the goal as a self-improvement loop of experiments judged by a metric (docs/loop.md). */
  loop: goalLoopSchema.optional(),
});
export type GoalFrontMatter = z.infer<typeof goalFrontMatterSchema>;

export interface Goal {
  /** Absolute path of the goal file, when it came from one. */
  file?: string;
  /** How the goal is named in messages: a path, "stdin" or "--task". */
  label: string;
  /** Short name: front matter `name`, else the first heading, else the file name or first words. */
  name: string;
  /** The markdown without front matter: what the agents are given. */
  text: string;
  /** Line of the goal file on which `text` begins (front matter and blank lines before it skipped): parse `text` again with it and lines stay right. */
  textLine?: number;
  frontMatter: GoalFrontMatter;
  /** The `## Phase N: title` sections with their "Done when" conditions; the whole goal as phase 1 without them. */
  phases: GoalPhase[];
}

export function loadGoalFile(path: string, currentDirectory: string): Goal {
  const file = resolve(currentDirectory, path);
  const label = displayPath(file, currentDirectory);
  const read = readProjectFile(file);
  if (!read.ok) {
    throw new ConfigError(
      label,
      [{ path: '', message: read.code === 'ENOENT' ? `goal file not found at ${file}` : read.problem }],
      'Pass a markdown goal file, `-` to read it from stdin, or --task "…" for a one-line goal.',
    );
  }
  const source = read.text;
  return { ...parseGoal(source, label, basename(file).replace(/\.md$/i, '')), file };
}

/** Parses goal markdown (with optional YAML front matter). `fallbackName` is used when no name is found. */
export function parseGoal(source: string, label: string, fallbackName?: string): Goal {
  let frontMatter: GoalFrontMatter = {};
  let text = source;
  let firstLine = 1;
  if (source.includes('\u0000')) {
    throw new ConfigError(label, [
      {
        path: '',
        message: `a binary file, not text (a NUL character on line ${source.slice(0, source.indexOf('\u0000')).split('\n').length}); a goal is markdown text`,
      },
    ]);
  }
  const split = splitFrontMatter(source);
  const unclosed = split ? undefined : unclosedFrontMatter(source);
  if (unclosed !== undefined) {
    throw new ConfigError(label, [
      {
        path: 'front matter',
        message: `the "---" on line ${unclosed} opens front matter that no "---" line closes; add a "---" line after its last field (without it the fields would be read as the goal's text and ignored)`,
      },
    ]);
  }
  if (split) {
    text = split.body;
    firstLine = source.slice(0, source.length - split.body.length).split('\n').length;
    const yaml = parseFrontMatterYaml(split.yaml);
    if ('problem' in yaml) throw new ConfigError(label, [{ path: 'front matter', message: yaml.problem }]);
    const data = yaml.data;
    const parsed = goalFrontMatterSchema.safeParse(data);
    if (!parsed.success) {
      throw new ConfigError(
        label,
        formatIssues(parsed.error.issues, data, goalFrontMatterSchema).map((issue) => ({
          ...issue,
          path: `front matter${issue.path ? `.${issue.path}` : ''}`,
        })),
      );
    }
    frontMatter = parsed.data;
  }
  const body = text;
  const textLine = firstLine + (/^\s*/.exec(body)?.[0].split('\n').length ?? 1) - 1;
  text = text.trim();
  if (text.length === 0)
    throw new ConfigError(label, [{ path: '', message: 'the goal is empty; write what the swarm should achieve' }]);
  const heading = /^#\s+(.+)$/m.exec(text)?.[1]?.trim();
  const name = frontMatter.name ?? heading ?? fallbackName ?? firstWords(text);
  const phases = parseGoalPhases(body, { label, firstLine, goalName: name });
  return { label, name, text, textLine, frontMatter, phases };
}

function firstWords(text: string): string {
  const line = text.split('\n')[0] ?? text;
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}
