import assert from 'node:assert/strict';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listSkills, makeTemporaryDirectory, skillText, startSkillsClient, writeSkill } from './skills-harness.js';

let base: string;

before(async () => {
  base = await makeTemporaryDirectory();
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

/** A fresh directory under the test's temporary base. */
async function freshDirectory(name: string): Promise<string> {
  const directory = path.join(base, name);
  await mkdir(directory, { recursive: true });
  return directory;
}

describe('skills server list_skills', () => {
  it('offers list_skills and read_skill', async () => {
    const client = await startSkillsClient([await freshDirectory('tools-only')]);
    try {
      assert.deepEqual((await client.toolNames()).sort(), ['list_skills', 'read_skill']);
    } finally {
      await client.close();
    }
  });

  it('lists each skill with its one-line description, sorted by name', async () => {
    const directory = await freshDirectory('listing');
    await writeSkill(directory, 'train-lora', {
      name: 'train-lora',
      description: 'Fine-tune a model with LoRA on one GPU.',
    });
    await writeSkill(directory, 'dataset-card', {
      name: 'dataset-card',
      description: 'Write a\ndataset card\n  from the data.',
    });
    await writeSkill(directory, '.hidden', { name: 'hidden', description: 'Never listed.' });
    await mkdir(path.join(directory, 'no-skill-file'), { recursive: true });
    await writeFile(path.join(directory, 'notes.txt'), 'a stray file next to the skill folders');
    const missingDirectory = path.join(base, 'does-not-exist');

    const client = await startSkillsClient([missingDirectory, directory]);
    try {
      const { text, listing } = await listSkills(client);
      assert.deepEqual(
        listing.skills.map((skill) => [skill.name, skill.description, skill.path, skill.available]),
        [
          ['dataset-card', 'Write a dataset card from the data.', path.join(directory, 'dataset-card'), true],
          ['train-lora', 'Fine-tune a model with LoRA on one GPU.', path.join(directory, 'train-lora'), true],
        ],
      );
      assert.deepEqual(listing.invalid, []);
      assert.deepEqual(listing.shadowed, []);
      assert.deepEqual(listing.directories, [missingDirectory, directory]);
      assert.match(text, /^2 skills; call read_skill/);
      assert.match(text, /^- train-lora: Fine-tune a model with LoRA on one GPU\.$/m);
      assert.match(text, /^- dataset-card: Write a dataset card from the data\.$/m);
      assert.doesNotMatch(text, /hidden|no-skill-file|notes/);
    } finally {
      await client.close();
    }
  });

  it('names a skill after its folder when the front matter gives no name', async () => {
    const directory = await freshDirectory('folder-name');
    await writeSkill(directory, 'gpu-report', { description: 'Report on the GPUs.' });
    const client = await startSkillsClient([directory]);
    try {
      const { listing } = await listSkills(client);
      assert.deepEqual(
        listing.skills.map((skill) => skill.name),
        ['gpu-report'],
      );
    } finally {
      await client.close();
    }
  });

  it('uses the skill found first in the search order and reports the later one as shadowed', async () => {
    const project = await freshDirectory('precedence-project');
    const user = await freshDirectory('precedence-user');
    await writeSkill(project, 'deploy', { name: 'deploy', description: 'Project deploy.' }, 'Project body.');
    await writeSkill(user, 'deploy', { name: 'deploy', description: 'User deploy.' }, 'User body.');
    // Another folder name, same declared name: shadowed all the same.
    await writeSkill(user, 'deploy-copy', { name: 'deploy', description: 'Copied deploy.' });
    await writeSkill(user, 'backup', { name: 'backup', description: 'User backup.' });

    const client = await startSkillsClient([project, user]);
    try {
      const { text, listing } = await listSkills(client);
      assert.deepEqual(
        listing.skills.map((skill) => [skill.name, skill.description]),
        [
          ['backup', 'User backup.'],
          ['deploy', 'Project deploy.'],
        ],
      );
      assert.deepEqual(listing.shadowed, [
        { name: 'deploy', path: path.join(user, 'deploy'), shadowed_by: path.join(project, 'deploy') },
        { name: 'deploy', path: path.join(user, 'deploy-copy'), shadowed_by: path.join(project, 'deploy') },
      ]);
      assert.match(
        text,
        new RegExp(
          `Shadowed[^\\n]*\\n- deploy in ${escape(path.join(user, 'deploy'))} \\(used: ${escape(path.join(project, 'deploy'))}\\)`,
        ),
      );

      const read = await client.call('read_skill', { name: 'deploy' });
      assert.equal(read.isError, false);
      assert.match(read.text, /Project body\./);
      assert.doesNotMatch(read.text, /User body\./);
    } finally {
      await client.close();
    }
  });

  it('does not let a directory reached twice (through a symbolic link) shadow its own skills', async () => {
    const directory = await freshDirectory('listed-twice');
    await writeSkill(directory, 'once', { name: 'once', description: 'Only once.' });
    const link = path.join(base, 'listed-twice-link');
    await symlink(directory, link);
    const client = await startSkillsClient([directory, link]);
    try {
      const { listing } = await listSkills(client);
      assert.deepEqual(
        listing.skills.map((skill) => skill.name),
        ['once'],
      );
      assert.deepEqual(listing.shadowed, []);
    } finally {
      await client.close();
    }
  });

  it('filters by agent: skills naming agents go to those agents, skills naming none to all', async () => {
    const directory = await freshDirectory('agents');
    await writeSkill(directory, 'train-lora', {
      name: 'train-lora',
      description: 'Train.',
      agents: ['trainer', 'lead'],
    });
    await writeSkill(directory, 'write-report', { name: 'write-report', description: 'Report.', agents: 'writer' });
    await writeSkill(directory, 'read-logs', { name: 'read-logs', description: 'Logs.' });

    const client = await startSkillsClient([directory]);
    try {
      const all = await listSkills(client);
      assert.deepEqual(
        all.listing.skills.map((skill) => [skill.name, skill.agents]),
        [
          ['read-logs', undefined],
          ['train-lora', ['trainer', 'lead']],
          ['write-report', ['writer']],
        ],
      );

      const trainer = await listSkills(client, 'trainer');
      assert.deepEqual(
        trainer.listing.skills.map((skill) => skill.name),
        ['read-logs', 'train-lora'],
      );
      assert.match(trainer.text, /^2 skills for agent "trainer"/);

      const writer = await listSkills(client, 'writer');
      assert.deepEqual(
        writer.listing.skills.map((skill) => skill.name),
        ['read-logs', 'write-report'],
      );

      const stranger = await listSkills(client, 'stranger');
      assert.deepEqual(
        stranger.listing.skills.map((skill) => skill.name),
        ['read-logs'],
      );
    } finally {
      await client.close();
    }
  });

  it('reports malformed SKILL.md files with the file and the problem, and still lists the others', async () => {
    const directory = await freshDirectory('invalid');
    await writeSkill(directory, 'good', { name: 'good', description: 'Works.' });
    await writeSkill(directory, 'bad-yaml', '---\nname: bad-yaml\ndescription: [unclosed\n---\nBody.\n');
    await writeSkill(directory, 'no-description', skillText({ name: 'no-description' }));
    await writeSkill(directory, 'bad-name', skillText({ name: 'Bad_Name', description: 'Capitals and underscores.' }));
    await writeSkill(directory, 'no-front-matter', '# Just markdown\n\nNo front matter here.\n');
    await writeSkill(
      directory,
      'bad-requires',
      skillText({ name: 'bad-requires', description: 'x', requires: { bins: ['relative/tool'] } }),
    );

    const client = await startSkillsClient([directory]);
    try {
      const { text, listing } = await listSkills(client);
      assert.deepEqual(
        listing.skills.map((skill) => skill.name),
        ['good'],
      );
      const problems = new Map(listing.invalid.map((entry) => [path.relative(directory, entry.path), entry.problem]));
      assert.deepEqual([...problems.keys()].sort(), [
        'bad-name/SKILL.md',
        'bad-requires/SKILL.md',
        'bad-yaml/SKILL.md',
        'no-description/SKILL.md',
        'no-front-matter/SKILL.md',
      ]);
      assert.match(problems.get('bad-yaml/SKILL.md')!, /^invalid YAML in the front matter at line 3, column \d+: /);
      assert.match(
        problems.get('no-description/SKILL.md')!,
        /^front matter field "description" is missing: add one line/,
      );
      assert.match(
        problems.get('bad-name/SKILL.md')!,
        /^name "Bad_Name" is not a valid skill name: use lowercase letters/,
      );
      assert.match(problems.get('no-front-matter/SKILL.md')!, /^no YAML front matter/);
      assert.match(
        problems.get('bad-requires/SKILL.md')!,
        /^front matter field "requires\.bins" lists programs by bare name .* or by absolute path/,
      );
      assert.match(text, /Not usable until fixed:/);
      assert.ok(text.includes(`- ${path.join(directory, 'bad-yaml', 'SKILL.md')}: invalid YAML`), text);
    } finally {
      await client.close();
    }
  });

  it('finds skills added, and drops skills removed, after the server started', async () => {
    const directory = path.join(base, 'created-later');
    const client = await startSkillsClient([directory]);
    try {
      const before = await listSkills(client);
      assert.deepEqual(before.listing.skills, []);
      assert.match(before.text, /^No skills\. Searched: /);

      await writeSkill(
        directory,
        'fresh',
        { name: 'fresh', description: 'Written by an agent during the run.' },
        'Fresh body.',
      );
      const afterAdding = await listSkills(client);
      assert.deepEqual(
        afterAdding.listing.skills.map((skill) => [skill.name, skill.description]),
        [['fresh', 'Written by an agent during the run.']],
      );
      const read = await client.call('read_skill', { name: 'fresh' });
      assert.equal(read.isError, false);
      assert.match(read.text, /Fresh body\./);

      await rm(path.join(directory, 'fresh'), { recursive: true });
      assert.deepEqual((await listSkills(client)).listing.skills, []);
    } finally {
      await client.close();
    }
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
