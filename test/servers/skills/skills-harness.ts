import { chmod, mkdir, mkdtemp, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { createSkillsServer } from '../../../src/servers/skills/skills-server.js';
import { connectTestClient, type McpTestClient } from '../../support/mcp-test-client.js';

/** Makes a temporary directory (real path) for a test; remove it with fs.rm when done. */
export async function makeTemporaryDirectory(): Promise<string> {
  return await realpath(await mkdtemp(path.join(tmpdir(), 'mux-swarm-skills-')));
}

/** SKILL.md text: `frontMatter` as YAML between "---" lines, then `body`. */
export function skillText(frontMatter: Record<string, unknown>, body = '# Steps\n\nDo the thing.'): string {
  return `---\n${stringifyYaml(frontMatter)}---\n\n${body}\n`;
}

/** Writes `<directory>/<folder>/SKILL.md` (text as given, or built from front matter) and returns the folder. */
export async function writeSkill(
  directory: string,
  folder: string,
  content: string | Record<string, unknown>,
  body?: string,
): Promise<string> {
  const skillFolder = path.join(directory, folder);
  await mkdir(skillFolder, { recursive: true });
  await writeFile(path.join(skillFolder, 'SKILL.md'), typeof content === 'string' ? content : skillText(content, body));
  return skillFolder;
}

/** Writes a file (and its folders) with the given mode, e.g. 0o755 for a fake program. */
export async function writeFileWithMode(file: string, text: string, mode: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  await chmod(file, mode);
}

/** Starts the skills server over `directories` and connects a real MCP client to it. */
export async function startSkillsClient(
  directories: string[],
  environment: NodeJS.ProcessEnv = { PATH: '' },
): Promise<McpTestClient> {
  return await connectTestClient(createSkillsServer({ directories, environment }));
}

export interface ListedSkill {
  name: string;
  description: string;
  path: string;
  available: boolean;
  agents?: string[];
  unavailable_reason?: string;
  missing?: { env: string[]; bins: string[]; any_bins: string[] };
}

export interface SkillListing {
  skills: ListedSkill[];
  shadowed: Array<{ name: string; path: string; shadowed_by: string }>;
  invalid: Array<{ path: string; problem: string }>;
  directories: string[];
}

/** Calls list_skills and returns its text and structured content. */
export async function listSkills(
  client: McpTestClient,
  agent?: string,
): Promise<{ text: string; listing: SkillListing }> {
  const outcome = await client.call('list_skills', agent === undefined ? {} : { agent });
  if (outcome.isError) throw new Error(`list_skills failed: ${outcome.text}`);
  return { text: outcome.text, listing: outcome.structured as unknown as SkillListing };
}
