import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { discoverSkills, type SkillDiscoveryOptions } from './discover-skills.js';
import { describeMissingRequirements } from './missing-requirements.js';
import { catalogForAgent, type Skill, type SkillCatalog } from './skill-catalog.js';

const missingShape = z.object({
  env: z.array(z.string()).describe('Environment variables not set.'),
  bins: z.array(z.string()).describe('Programs not found on the PATH.'),
  any_bins: z.array(z.string()).describe('Programs of which one is needed and none was found.'),
});

export const listSkillsOutputShape = {
  skills: z.array(
    z.object({
      name: z.string(),
      description: z.string(),
      path: z.string().describe("Absolute path of the skill's folder."),
      available: z.boolean(),
      agents: z.array(z.string()).optional().describe('Agents the skill is meant for; absent means every agent.'),
      unavailable_reason: z.string().optional(),
      missing: missingShape.optional(),
    }),
  ),
  shadowed: z
    .array(z.object({ name: z.string(), path: z.string(), shadowed_by: z.string() }))
    .describe('Skills hidden by one of the same name earlier in the search order.'),
  invalid: z
    .array(z.object({ path: z.string(), problem: z.string() }))
    .describe('SKILL.md files (or directories) that could not be used.'),
  directories: z.array(z.string()).describe('The directories searched, in order of precedence.'),
};

const listSkillsInput = {
  agent: z
    .string()
    .min(1)
    .optional()
    .describe('Only skills meant for this agent (skills that name no agents are meant for all).'),
};

/** Registers list_skills: every skill's name and description, unavailable ones with what they miss. */
export function registerListSkillsTool(server: McpServer, options: SkillDiscoveryOptions): void {
  server.registerTool(
    'list_skills',
    {
      title: 'List skills',
      description:
        'Lists the skills: playbooks for recurring tasks, each a folder with instructions and scripts. Gives each ' +
        "skill's name and one-line description; a skill whose required environment variables or programs are " +
        'missing here is marked unavailable with what is missing. Call read_skill with a name to get its ' +
        'instructions before doing what it describes. Pass "agent" to see only the skills meant for that agent.',
      inputSchema: listSkillsInput,
      outputSchema: listSkillsOutputShape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (input): Promise<CallToolResult> => {
      const catalog = catalogForAgent(await discoverSkills(options), input.agent);
      return {
        content: [{ type: 'text', text: describeCatalog(catalog, input.agent) }],
        structuredContent: structuredCatalog(catalog),
      };
    },
  );
}

function structuredCatalog(catalog: SkillCatalog): z.infer<z.ZodObject<typeof listSkillsOutputShape>> {
  return {
    skills: catalog.skills.map((skill) => ({
      name: skill.name,
      description: skill.description,
      path: skill.directory,
      available: skill.missing === undefined,
      ...(skill.agents === undefined ? {} : { agents: skill.agents }),
      ...(skill.missing === undefined
        ? {}
        : {
            unavailable_reason: describeMissingRequirements(skill.missing),
            missing: { env: skill.missing.env, bins: skill.missing.bins, any_bins: skill.missing.anyBins },
          }),
    })),
    shadowed: catalog.shadowed.map((entry) => ({
      name: entry.name,
      path: entry.directory,
      shadowed_by: entry.shadowedBy,
    })),
    invalid: catalog.invalid.map((entry) => ({ path: entry.path, problem: entry.problem })),
    directories: catalog.directories,
  };
}

function describeCatalog(catalog: SkillCatalog, agent: string | undefined): string {
  const lines: string[] = [];
  const forAgent = agent === undefined ? '' : ` for agent "${agent}"`;
  if (catalog.skills.length === 0) {
    lines.push(
      `No skills${forAgent}. Searched: ${catalog.directories.join(', ') || '(no directories)'}. ` +
        'A skill is a folder in one of these holding a SKILL.md.',
    );
  } else {
    const unavailable = catalog.skills.filter((skill) => skill.missing !== undefined).length;
    lines.push(
      `${catalog.skills.length} skill${catalog.skills.length === 1 ? '' : 's'}${forAgent}` +
        `${unavailable > 0 ? ` (${unavailable} unavailable here)` : ''}; call read_skill with a name to get its instructions:`,
    );
    for (const skill of catalog.skills) lines.push(describeSkillLine(skill));
  }
  if (catalog.invalid.length > 0) {
    lines.push('', 'Not usable until fixed:');
    for (const entry of catalog.invalid) lines.push(`- ${entry.path}: ${entry.problem}`);
  }
  if (catalog.shadowed.length > 0) {
    lines.push('', 'Shadowed (a skill of the same name earlier in the search order is used instead):');
    for (const entry of catalog.shadowed)
      lines.push(`- ${entry.name} in ${entry.directory} (used: ${entry.shadowedBy})`);
  }
  return lines.join('\n');
}

function describeSkillLine(skill: Skill): string {
  const status = skill.missing === undefined ? '' : ` [unavailable: ${describeMissingRequirements(skill.missing)}]`;
  return `- ${skill.name}${status}: ${skill.description}`;
}
