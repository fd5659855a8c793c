import path from 'node:path';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { suggestNames } from '../../text/name-suggestions.js';
import { discoverSkills, type SkillDiscoveryOptions } from './discover-skills.js';
import { describeMissingRequirements } from './missing-requirements.js';
import type { SkillCatalog } from './skill-catalog.js';
import { listSkillFolderFiles } from './skill-folder-files.js';
import { fillSkillPlaceholders, renderSkillInstructions } from './skill-instructions.js';

export const readSkillOutputShape = {
  name: z.string(),
  description: z.string(),
  path: z.string().describe("Absolute path of the skill's folder."),
  available: z.boolean(),
  unavailable_reason: z.string().optional(),
  files: z.array(z.string()).describe('Other files in the folder, relative to it.'),
  files_omitted: z.number().int().describe('Files beyond the listing limit.'),
  instructions: z.string().describe('The body of SKILL.md with the folder placeholders filled in.'),
};

const readSkillInput = {
  name: z.string().min(1).describe("The skill's name, as list_skills gives it."),
};

/** Registers read_skill: a skill's instructions, its folder and the files in it. */
export function registerReadSkillTool(server: McpServer, options: SkillDiscoveryOptions): void {
  server.registerTool(
    'read_skill',
    {
      title: 'Read a skill',
      description:
        "Returns a skill's instructions (the body of its SKILL.md), the absolute path of its folder, and the " +
        'other files in the folder (scripts, references) relative to it. Follow the instructions; run the ' +
        'scripts from that folder. A skill missing something it requires is still returned, led by a warning.',
      inputSchema: readSkillInput,
      outputSchema: readSkillOutputShape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    async (input): Promise<CallToolResult> => {
      const catalog = await discoverSkills(options);
      const skill = catalog.skills.find((candidate) => candidate.name === input.name);
      if (skill === undefined)
        return { content: [{ type: 'text', text: describeUnknownSkill(input.name, catalog) }], isError: true };
      const folder = await listSkillFolderFiles(skill.directory);
      return {
        content: [{ type: 'text', text: renderSkillInstructions(skill, folder) }],
        structuredContent: {
          name: skill.name,
          description: skill.description,
          path: skill.directory,
          available: skill.missing === undefined,
          ...(skill.missing === undefined ? {} : { unavailable_reason: describeMissingRequirements(skill.missing) }),
          files: folder.files,
          files_omitted: folder.omitted,
          instructions: fillSkillPlaceholders(skill.body, skill.directory),
        },
      };
    },
  );
}

function describeUnknownSkill(name: string, catalog: SkillCatalog): string {
  const broken = catalog.invalid.find(
    (entry) => path.basename(entry.path) === 'SKILL.md' && path.basename(path.dirname(entry.path)) === name,
  );
  if (broken !== undefined) {
    return `Skill "${name}" cannot be used because of a problem in ${broken.path}: ${broken.problem}. Fix that file, then call read_skill again.`;
  }
  const names = catalog.skills.map((skill) => skill.name);
  if (names.length === 0)
    return `No skill named "${name}": there are no skills (searched ${catalog.directories.join(', ')}).`;
  const suggestions = suggestNames(name, names, {
    limit: 3,
    maxDistance: (length) => Math.max(2, Math.floor(length / 3)),
    containmentFrom: 3,
  });
  const hint =
    suggestions.length > 0 ? ` Did you mean ${suggestions.map((suggestion) => `"${suggestion}"`).join(' or ')}?` : '';
  return `No skill named "${name}".${hint} Call list_skills to see all skills (${names.length}).`;
}
