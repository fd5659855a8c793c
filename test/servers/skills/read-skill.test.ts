import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTemporaryDirectory, startSkillsClient, writeSkill } from './skills-harness.js';

let base: string;

before(async () => {
  base = await makeTemporaryDirectory();
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

interface ReadSkillStructured {
  name: string;
  description: string;
  path: string;
  available: boolean;
  unavailable_reason?: string;
  files: string[];
  files_omitted: number;
  instructions: string;
}

describe('skills server read_skill', () => {
  it('fills in the skill folder, names it in a header and lists the other files relative to it', async () => {
    const directory = path.join(base, 'placeholders');
    const folder = await writeSkill(
      directory,
      'train-lora',
      { name: 'train-lora', description: 'Fine-tune with LoRA.' },
      [
        '# Train',
        'Run `python3 {baseDir}/scripts/train.py`.',
        'Config: {skillDir}/config/base.yaml and again {skillDir}/config/base.yaml',
        'Shell style: "${SKILL_DIR}/scripts/check.sh"',
        'Left alone: {baseDirectory} and $SKILL_DIR',
      ].join('\n'),
    );
    await mkdir(path.join(folder, 'scripts'), { recursive: true });
    await writeFile(path.join(folder, 'scripts', 'train.py'), 'print("train")\n');
    await writeFile(path.join(folder, 'scripts', 'check.sh'), 'true\n');
    await mkdir(path.join(folder, 'config'), { recursive: true });
    await writeFile(path.join(folder, 'config', 'base.yaml'), 'rank: 16\n');
    await mkdir(path.join(folder, '.cache'), { recursive: true });
    await writeFile(path.join(folder, '.cache', 'hidden.bin'), 'x');
    await mkdir(path.join(folder, 'scripts', '__pycache__'), { recursive: true });
    await writeFile(path.join(folder, 'scripts', '__pycache__', 'train.cpython-311.pyc'), 'x');

    const client = await startSkillsClient([directory]);
    try {
      const outcome = await client.call('read_skill', { name: 'train-lora' });
      assert.equal(outcome.isError, false, outcome.text);
      const lines = outcome.text.split('\n');
      assert.equal(
        lines[0],
        `Skill "train-lora" — folder: ${folder} (relative paths below are relative to this folder).`,
      );
      assert.deepEqual(lines.slice(1, 5), [
        'Other files in the folder:',
        '- config/base.yaml',
        '- scripts/check.sh',
        '- scripts/train.py',
      ]);
      assert.ok(outcome.text.includes(`Run \`python3 ${folder}/scripts/train.py\`.`), outcome.text);
      assert.ok(
        outcome.text.includes(`Config: ${folder}/config/base.yaml and again ${folder}/config/base.yaml`),
        outcome.text,
      );
      assert.ok(outcome.text.includes(`Shell style: "${folder}/scripts/check.sh"`), outcome.text);
      assert.ok(outcome.text.includes('Left alone: {baseDirectory} and $SKILL_DIR'), outcome.text);
      assert.doesNotMatch(
        outcome.text,
        /\{baseDir\}|\{skillDir\}|\$\{SKILL_DIR\}|name: train-lora|hidden\.bin|pycache|SKILL\.md/,
      );

      const structured = outcome.structured as unknown as ReadSkillStructured;
      assert.equal(structured.name, 'train-lora');
      assert.equal(structured.description, 'Fine-tune with LoRA.');
      assert.equal(structured.path, folder);
      assert.equal(structured.available, true);
      assert.deepEqual(structured.files, ['config/base.yaml', 'scripts/check.sh', 'scripts/train.py']);
      assert.equal(structured.files_omitted, 0);
      assert.ok(structured.instructions.startsWith('# Train\nRun `python3 '), structured.instructions);
      assert.ok(structured.instructions.includes(`${folder}/scripts/check.sh`));
    } finally {
      await client.close();
    }
  });

  it('says so when the folder holds nothing but SKILL.md', async () => {
    const directory = path.join(base, 'alone');
    await writeSkill(directory, 'alone', { name: 'alone', description: 'Only instructions.' }, 'Just read me.');
    const client = await startSkillsClient([directory]);
    try {
      const outcome = await client.call('read_skill', { name: 'alone' });
      assert.equal(outcome.text.split('\n')[1], 'Other files in the folder: none.');
      assert.deepEqual((outcome.structured as unknown as ReadSkillStructured).files, []);
    } finally {
      await client.close();
    }
  });

  it('answers an unknown name with an error naming the closest skills', async () => {
    const directory = path.join(base, 'unknown');
    await writeSkill(directory, 'train-lora', { name: 'train-lora', description: 'Train.' });
    await writeSkill(directory, 'train-full', { name: 'train-full', description: 'Train everything.' });
    await writeSkill(directory, 'gpu-report', { name: 'gpu-report', description: 'GPUs.' });
    const client = await startSkillsClient([directory]);
    try {
      const typo = await client.call('read_skill', { name: 'trian-lora' });
      assert.equal(typo.isError, true);
      assert.equal(typo.structured, undefined);
      assert.match(typo.text, /^No skill named "trian-lora"\. Did you mean "train-lora"/);
      assert.doesNotMatch(typo.text, /gpu-report/);
      assert.match(typo.text, /Call list_skills to see all skills \(3\)\.$/);

      const partial = await client.call('read_skill', { name: 'gpu' });
      assert.equal(partial.isError, true);
      assert.match(partial.text, /Did you mean "gpu-report"\?/);

      const unrelated = await client.call('read_skill', { name: 'write-poetry-now' });
      assert.equal(unrelated.isError, true);
      assert.doesNotMatch(unrelated.text, /Did you mean/);
      assert.match(unrelated.text, /list_skills/);
    } finally {
      await client.close();
    }
  });

  it('explains why a skill whose SKILL.md is malformed cannot be read', async () => {
    const directory = path.join(base, 'malformed');
    await writeSkill(directory, 'broken', '---\nname: broken\n---\nNo description above.\n');
    const client = await startSkillsClient([directory]);
    try {
      const outcome = await client.call('read_skill', { name: 'broken' });
      assert.equal(outcome.isError, true);
      assert.equal(
        outcome.text,
        `Skill "broken" cannot be used because of a problem in ${path.join(directory, 'broken', 'SKILL.md')}: ` +
          'front matter field "description" is missing: add one line saying what the skill does and when to use it. ' +
          'Fix that file, then call read_skill again.',
      );
    } finally {
      await client.close();
    }
  });
});
