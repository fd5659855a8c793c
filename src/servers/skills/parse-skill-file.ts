import path from 'node:path';
import { parseFrontMatterYaml, splitFrontMatter } from '../../config/front-matter.js';
import { z } from 'zod';
import type { SkillRequirements } from './skill-catalog.js';

/** The file that makes a folder a skill. */
export const SKILL_FILE = 'SKILL.md';

/** Skill names: lowercase letters, digits and hyphens, starting with a letter or digit (at most 64 characters). */
export const SKILL_NAME_PATTERN = /^[a-z0-9][a-z0-9-]*$/;
const MAX_NAME_LENGTH = 64;
const MAX_DESCRIPTION_LENGTH = 1024;

/** What a valid SKILL.md declares. */
export interface SkillFileContent {
  name: string;
  description: string;
  agents: string[] | undefined;
  requirements: SkillRequirements;
  body: string;
}

export type SkillFileParse = { valid: true; content: SkillFileContent } | { valid: false; problem: string };

/** A name or a list of names; one name alone is read as a list of one. */
const nameList = z.union(
  [
    z
      .string()
      .min(1)
      .transform((name) => [name]),
    z.array(z.string().min(1)),
  ],
  {
    error: 'must be a name or a list of names',
  },
);

const programList = nameList.refine((names) => names.every((name) => !name.includes('/') || path.isAbsolute(name)), {
  error: 'lists programs by bare name (looked up on the PATH) or by absolute path',
});

const requirementsSchema = z.looseObject(
  {
    env: nameList.optional(),
    bins: programList.optional(),
    anyBins: programList.optional(),
  },
  { error: 'must be a mapping such as { env: [HF_TOKEN], bins: [python3] }' },
);

const frontMatterSchema = z.looseObject({
  name: z.string({ error: 'must be text' }).optional(),
  description: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? 'is missing: add one line saying what the skill does and when to use it'
          : 'must be text (one line)',
    })
    .transform((text) => text.replace(/\s+/g, ' ').trim())
    .pipe(
      z
        .string()
        .min(1, { error: 'is empty: write one line saying what the skill does and when to use it' })
        .max(MAX_DESCRIPTION_LENGTH, {
          error: `is longer than ${MAX_DESCRIPTION_LENGTH} characters: keep it to one line; details go in the body`,
        }),
    ),
  agents: nameList.optional(),
  requires: requirementsSchema.optional(),
  metadata: z.unknown().optional(),
});

/**
 * Reads the text of a SKILL.md: YAML front matter (`name`, `description`, optional `agents` and `requires`,
 * other fields ignored) and the markdown body. `folderName` is the name when the front matter gives none.
 * Never throws: a file that cannot be used comes back with the problem in words.
 */
export function parseSkillFile(source: string, folderName: string): SkillFileParse {
  const split = splitFrontMatter(source);
  if (!split) {
    return invalid(
      'no YAML front matter: start the file with a "---" line, then "name: …" and "description: …" lines, then a closing "---" line',
    );
  }
  const yaml = parseFrontMatterYaml(split.yaml);
  if ('problem' in yaml) return invalid(yaml.problem.replace(/^invalid YAML/, 'invalid YAML in the front matter'));
  const data = yaml.data;
  if (typeof data !== 'object' || Array.isArray(data) || data === null) {
    return invalid(
      'the front matter is not a mapping of fields: write "name: …" and "description: …" lines between the "---" lines',
    );
  }
  const parsed = frontMatterSchema.safeParse(data);
  if (!parsed.success) return invalid(describeIssues(parsed.error.issues, ''));
  const frontMatter = parsed.data;

  const name = frontMatter.name?.trim() ?? folderName;
  if (!SKILL_NAME_PATTERN.test(name) || name.length > MAX_NAME_LENGTH) {
    const origin =
      frontMatter.name === undefined ? `no "name" is given, and the folder name "${folderName}"` : `name "${name}"`;
    return invalid(
      `${origin} is not a valid skill name: use lowercase letters, digits and hyphens, starting with a letter or digit, at most ${MAX_NAME_LENGTH} characters`,
    );
  }

  const requirements: SkillRequirements = { env: [], bins: [], anyBins: [] };
  addRequirements(requirements, frontMatter.requires);
  for (const [where, value] of metadataRequirements(frontMatter.metadata)) {
    const metadataParse = requirementsSchema.safeParse(value);
    if (!metadataParse.success) return invalid(describeIssues(metadataParse.error.issues, where));
    addRequirements(requirements, metadataParse.data);
  }

  return {
    valid: true,
    content: {
      name,
      description: frontMatter.description,
      agents: frontMatter.agents,
      requirements,
      body: split.body.trim(),
    },
  };
}

function invalid(problem: string): SkillFileParse {
  return { valid: false, problem };
}

function addRequirements(into: SkillRequirements, from: z.infer<typeof requirementsSchema> | undefined): void {
  if (from === undefined) return;
  for (const key of ['env', 'bins', 'anyBins'] as const) {
    for (const name of from[key] ?? []) if (!into[key].includes(name)) into[key].push(name);
  }
}

/**
 * The Claude / OpenClaw places for requirements: `metadata.requires`, and `metadata.<tool>.requires`
 * (`metadata.openclaw.requires`). Returns each found with where it was, for messages.
 */
function metadataRequirements(metadata: unknown): Array<[string, unknown]> {
  if (!isMapping(metadata)) return [];
  const found: Array<[string, unknown]> = [];
  if (metadata.requires !== undefined) found.push(['metadata.requires', metadata.requires]);
  for (const [key, value] of Object.entries(metadata)) {
    if (key !== 'requires' && isMapping(value) && value.requires !== undefined)
      found.push([`metadata.${key}.requires`, value.requires]);
  }
  return found;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Issues as `front matter field "requires.bins" …`; `prefix` is the path of the validated value, if nested. */
function describeIssues(issues: readonly z.core.$ZodIssue[], prefix: string): string {
  return issues
    .map((issue) => {
      const field = [...(prefix === '' ? [] : [prefix]), ...issue.path.map(String)].join('.');
      return field === '' ? `the front matter ${issue.message}` : `front matter field "${field}" ${issue.message}`;
    })
    .join('; ');
}
