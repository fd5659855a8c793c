import assert from 'node:assert/strict';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  listSkills,
  makeTemporaryDirectory,
  startSkillsClient,
  writeFileWithMode,
  writeSkill,
} from './skills-harness.js';

let base: string;
/** The only directory on the PATH the server is given. */
let binDirectory: string;
let skillsDirectory: string;

before(async () => {
  base = await makeTemporaryDirectory();
  binDirectory = path.join(base, 'bin');
  skillsDirectory = path.join(base, 'skills');
  await writeFileWithMode(path.join(binDirectory, 'fake-gpu-tool'), '#!/bin/sh\nexit 0\n', 0o755);
  // Same kind of file, but without the execute bit: not a usable program.
  await writeFileWithMode(path.join(binDirectory, 'not-executable-tool'), '#!/bin/sh\nexit 0\n', 0o644);
  // A directory (which has execute bits) is no program either.
  await mkdir(path.join(binDirectory, 'directory-tool'), { recursive: true });

  await writeSkill(skillsDirectory, 'uses-fake-tool', {
    name: 'uses-fake-tool',
    description: 'Needs the fake tool.',
    requires: { bins: ['fake-gpu-tool'] },
  });
  await writeSkill(skillsDirectory, 'uses-unexecutable', {
    name: 'uses-unexecutable',
    description: 'Needs a file without x.',
    requires: { bins: 'not-executable-tool' },
  });
  await writeSkill(skillsDirectory, 'uses-directory', {
    name: 'uses-directory',
    description: 'Needs a directory.',
    requires: { bins: ['directory-tool'] },
  });
  await writeSkill(skillsDirectory, 'uses-absolute', {
    name: 'uses-absolute',
    description: 'Names its program by path.',
    requires: { bins: [path.join(binDirectory, 'fake-gpu-tool')] },
  });
  await writeSkill(skillsDirectory, 'uses-sh', {
    name: 'uses-sh',
    description: 'Needs sh.',
    requires: { bins: ['sh'] },
  });
  await writeSkill(
    skillsDirectory,
    'needs-token',
    {
      name: 'needs-token',
      description: 'Needs a token.',
      requires: { env: ['HF_TOKEN', 'WANDB_API_KEY'], bins: ['fake-gpu-tool'] },
    },
    'Upload with $HF_TOKEN.',
  );
  await writeSkill(skillsDirectory, 'openclaw-style', {
    name: 'openclaw-style',
    description: 'Declares requirements the OpenClaw way.',
    metadata: {
      openclaw: {
        emoji: '🔧',
        requires: { env: ['GEMINI_API_KEY'], bins: ['fake-gpu-tool'], anyBins: ['docker', 'podman'] },
      },
    },
  });
  await writeSkill(skillsDirectory, 'metadata-requires', {
    name: 'metadata-requires',
    description: 'Declares requirements under metadata.requires.',
    metadata: { requires: { bins: ['missing-tool'], anyBins: ['docker', 'fake-gpu-tool'] } },
  });
});

after(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('skills server requirements', () => {
  it('marks skills unavailable, with what is missing, using only the environment and PATH it was given', async () => {
    // process.env has a PATH with sh on it and maybe HF_TOKEN; the server must not look there.
    const client = await startSkillsClient([skillsDirectory], {
      PATH: binDirectory,
      WANDB_API_KEY: 'set',
      HF_TOKEN: '',
    });
    try {
      const { text, listing } = await listSkills(client);
      const byName = new Map(listing.skills.map((skill) => [skill.name, skill]));
      assert.equal(listing.skills.length, 8);

      assert.equal(byName.get('uses-fake-tool')?.available, true);
      assert.equal(byName.get('uses-fake-tool')?.missing, undefined);
      assert.equal(byName.get('uses-absolute')?.available, true);

      for (const [name, program] of [
        ['uses-unexecutable', 'not-executable-tool'],
        ['uses-directory', 'directory-tool'],
        ['uses-sh', 'sh'],
      ] as const) {
        const skill = byName.get(name);
        assert.equal(skill?.available, false, name);
        assert.deepEqual(skill?.missing, { env: [], bins: [program], any_bins: [] }, name);
        assert.equal(skill?.unavailable_reason, `program "${program}" is not on the PATH (or not executable)`, name);
      }

      // An empty variable counts as missing; a set one does not.
      const token = byName.get('needs-token');
      assert.equal(token?.available, false);
      assert.deepEqual(token?.missing, { env: ['HF_TOKEN'], bins: [], any_bins: [] });
      assert.equal(token?.unavailable_reason, 'environment variable HF_TOKEN is not set');
      assert.match(text, /^- needs-token \[unavailable: environment variable HF_TOKEN is not set\]: Needs a token\.$/m);
      assert.match(text, /^- uses-fake-tool: Needs the fake tool\.$/m);
      assert.match(text, /^8 skills \(6 unavailable here\);/);

      assert.deepEqual(byName.get('openclaw-style')?.missing, {
        env: ['GEMINI_API_KEY'],
        bins: [],
        any_bins: ['docker', 'podman'],
      });
      assert.match(
        byName.get('openclaw-style')?.unavailable_reason ?? '',
        /none of the programs "docker", "podman" is on the PATH/,
      );
      // One of anyBins found is enough.
      assert.deepEqual(byName.get('metadata-requires')?.missing, { env: [], bins: ['missing-tool'], any_bins: [] });
    } finally {
      await client.close();
    }
  });

  it('makes a skill available once its variables are set', async () => {
    const client = await startSkillsClient([skillsDirectory], {
      PATH: binDirectory,
      HF_TOKEN: 'hf_x',
      WANDB_API_KEY: 'w',
      GEMINI_API_KEY: 'g',
    });
    try {
      const { listing } = await listSkills(client);
      const byName = new Map(listing.skills.map((skill) => [skill.name, skill]));
      assert.equal(byName.get('needs-token')?.available, true);
      assert.deepEqual(byName.get('openclaw-style')?.missing, { env: [], bins: [], any_bins: ['docker', 'podman'] });
    } finally {
      await client.close();
    }
  });

  it('finds no program at all when the environment has no PATH', async () => {
    const client = await startSkillsClient([skillsDirectory], {});
    try {
      const { listing } = await listSkills(client);
      assert.equal(listing.skills.find((skill) => skill.name === 'uses-fake-tool')?.available, false);
      assert.equal(listing.skills.find((skill) => skill.name === 'uses-absolute')?.available, true);
    } finally {
      await client.close();
    }
  });

  it('still reads an unavailable skill, leading with a warning that says what is missing', async () => {
    const client = await startSkillsClient([skillsDirectory], { PATH: binDirectory });
    try {
      const outcome = await client.call('read_skill', { name: 'needs-token' });
      assert.equal(outcome.isError, false);
      const [first, second] = outcome.text.split('\n');
      assert.match(
        first ?? '',
        /^WARNING: skill "needs-token" is unavailable here: environment variables HF_TOKEN, WANDB_API_KEY are not set\. /,
      );
      assert.match(second ?? '', /^Skill "needs-token" — folder: /);
      assert.match(outcome.text, /Upload with \$HF_TOKEN\./);
      const structured = outcome.structured as { available: boolean; unavailable_reason: string };
      assert.equal(structured.available, false);
      assert.equal(structured.unavailable_reason, 'environment variables HF_TOKEN, WANDB_API_KEY are not set');

      const available = await client.call('read_skill', { name: 'uses-fake-tool' });
      assert.doesNotMatch(available.text, /WARNING/);
    } finally {
      await client.close();
    }
  });
});
