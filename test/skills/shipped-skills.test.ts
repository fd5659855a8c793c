import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { McpTestClient } from '../support/mcp-test-client.js';
import { listSkills, startSkillsClient, type SkillListing } from '../servers/skills/skills-harness.js';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const skillsDirectory = join(repositoryRoot, 'skills');

/** The skills the GPU pipeline of the seed story relies on. */
const EXPECTED_SKILLS = [
  'qlora-training',
  'dataset-distillation',
  'evaluation',
  'gpu-monitoring',
  'training-error-recovery',
];

/** The four failures the seed story recovered from, as Python printed them. */
const SEED_STORY_SIGNATURES = [
  "TypeError: TrainingArguments.__init__() got an unexpected keyword argument 'overwrite_output_dir'",
  "TypeError: Trainer.__init__() got an unexpected keyword argument 'tokenizer'",
  "TypeError: SFTTrainer.__init__() got an unexpected keyword argument 'max_seq_length'",
  'ValueError: Unable to create tensor',
  'excessive nesting',
];

/** Placeholders read_skill replaces with the skill's folder, and the relative paths written after them. */
const PLACEHOLDER = /\{baseDir\}|\{skillDir\}|\$\{SKILL_DIR\}/;
const PLACEHOLDER_PATH = /(?:\{baseDir\}|\{skillDir\}|\$\{SKILL_DIR\})\/([^\s`'"()<>\]|]+)/g;

/** Skill folders as skills-server discovery sees them: one level down, not hidden. */
function skillFolders(): string[] {
  return readdirSync(skillsDirectory, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => entry.name)
    .sort();
}

/** Every file under `directory` whose name ends in `extension`, skipping hidden folders and __pycache__. */
function filesEndingIn(directory: string, extension: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('.') || entry.name === '__pycache__' || entry.name === 'node_modules') return [];
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return filesEndingIn(path, extension);
    return entry.isFile() && entry.name.endsWith(extension) ? [path] : [];
  });
}

let client: McpTestClient;
let listing: SkillListing;

before(async () => {
  client = await startSkillsClient([skillsDirectory], { PATH: process.env.PATH ?? '' });
  listing = (await listSkills(client)).listing;
});

after(async () => {
  await client.close();
});

describe('the skills shipped in skills/', () => {
  it('lists every skill folder, under its folder name, with a description, and none as invalid', () => {
    assert.deepEqual(listing.invalid, [], `invalid skills: ${JSON.stringify(listing.invalid, null, 2)}`);
    const folders = skillFolders();
    assert.ok(folders.length > 0, 'skills/ holds no skill folder');
    for (const folder of folders) {
      const skill = listing.skills.find((candidate) => candidate.path === join(skillsDirectory, folder));
      const why = existsSync(join(skillsDirectory, folder, 'SKILL.md')) ? '' : ' (it has no SKILL.md)';
      assert.ok(skill, `skills/${folder} is not listed by list_skills${why}`);
      assert.equal(skill.name, folder, `skills/${folder}: keep the name equal to the folder name`);
      assert.ok(
        skill.description.trim().length >= 20,
        `skills/${folder} has no useful description: "${skill.description}"`,
      );
    }
  });

  it('includes the skills of the GPU pipeline', () => {
    const names = listing.skills.map((skill) => skill.name);
    const missing = EXPECTED_SKILLS.filter((name) => !names.includes(name));
    assert.deepEqual(missing, [], `missing skills: ${missing.join(', ')} (listed: ${names.join(', ')})`);
  });

  it('read_skill fills in every placeholder, and every {baseDir}/path a SKILL.md names is in its folder', async () => {
    assert.ok(listing.skills.length > 0, 'no skill listed');
    for (const skill of listing.skills) {
      const outcome = await client.call('read_skill', { name: skill.name });
      assert.equal(outcome.isError, false, `read_skill ${skill.name}: ${outcome.text}`);
      assert.doesNotMatch(outcome.text, PLACEHOLDER, `read_skill ${skill.name} left a placeholder`);

      const source = readFileSync(join(skill.path, 'SKILL.md'), 'utf8');
      for (const match of source.matchAll(PLACEHOLDER_PATH)) {
        const path = (match[1] ?? '').replace(/[.,;:]+$/, '');
        assert.ok(
          existsSync(join(skill.path, path)),
          `${relative(repositoryRoot, skill.path)}/SKILL.md names {baseDir}/${path}, which is not in the folder`,
        );
        assert.ok(
          outcome.text.includes(join(skill.path, path)),
          `read_skill ${skill.name} does not show the absolute path of ${path}`,
        );
      }
    }
  });

  it('training-error-recovery quotes each failure of the seed story verbatim', async () => {
    const outcome = await client.call('read_skill', { name: 'training-error-recovery' });
    assert.equal(outcome.isError, false, outcome.text);
    for (const signature of SEED_STORY_SIGNATURES)
      assert.ok(outcome.text.includes(signature), `training-error-recovery does not mention: ${signature}`);
  });

  it('every Python script under skills/ compiles', (context) => {
    const scripts = filesEndingIn(skillsDirectory, '.py');
    if (scripts.length === 0) {
      context.skip('no Python script under skills/');
      return;
    }
    // Byte code goes to a temporary prefix, not into __pycache__ folders in the repository.
    const pycachePrefix = mkdtempSync(join(tmpdir(), 'mux-swarm-pycache-'));
    try {
      for (const script of scripts) {
        try {
          execFileSync('python3', ['-m', 'py_compile', script], {
            env: { ...process.env, PYTHONPYCACHEPREFIX: pycachePrefix },
            stdio: 'pipe',
          });
        } catch (error) {
          const stderr = String((error as { stderr?: Buffer }).stderr ?? error);
          assert.fail(`${relative(repositoryRoot, script)} does not compile:\n${stderr}`);
        }
      }
    } finally {
      rmSync(pycachePrefix, { recursive: true, force: true });
    }
  });
});
