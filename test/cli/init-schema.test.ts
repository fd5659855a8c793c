import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { schemaReference, withSchemaReference } from '../../src/cli/schema-reference.js';
import { REPOSITORY_ROOT, runCli } from '../support/run-cli.js';

const schemaOf = (path: string): string => (JSON.parse(readFileSync(path, 'utf8')) as { $schema: string }).$schema;

describe('init writes "$schema" into config.json and swarm.json', () => {
  const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-init-schema-'));
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('pointing at the installed package schema, and the files still validate', async () => {
    const init = await runCli(['init', 'project'], { cwd: directory });
    assert.equal(init.code, 0, init.stderr);
    const project = join(directory, 'project');
    for (const [file, schema] of [
      ['config.json', 'config.schema.json'],
      ['swarm.json', 'swarm.schema.json'],
    ] as const) {
      const reference = schemaOf(join(project, file));
      // Outside the package (here a temporary directory): the file URL of the package's own schema.
      assert.equal(reference, pathToFileURL(join(REPOSITORY_ROOT, 'schemas', schema)).href);
      assert.ok(existsSync(fileURLToPath(reference)), `${file}: ${reference} does not exist`);
    }
    const validate = await runCli(['validate'], { cwd: project });
    assert.equal(validate.code, 0, validate.stderr);
  });

  it('and in the repository itself the shipped files name it by a relative path', () => {
    assert.equal(schemaOf(join(REPOSITORY_ROOT, 'config.json')), './schemas/config.schema.json');
    assert.equal(schemaOf(join(REPOSITORY_ROOT, 'swarm.json')), './schemas/swarm.schema.json');
    assert.ok(existsSync(join(REPOSITORY_ROOT, 'schemas', 'config.schema.json')));
  });

  it('relative inside the package (a project with mux-swarm in its node_modules), a file URL outside it', () => {
    assert.equal(
      schemaReference('swarm.json', '/p', '/p/node_modules/mux-swarm'),
      './node_modules/mux-swarm/schemas/swarm.schema.json',
    );
    assert.equal(
      schemaReference('config.json', '/home/me/project', '/usr/lib/node_modules/mux-swarm'),
      'file:///usr/lib/node_modules/mux-swarm/schemas/config.schema.json',
    );
    assert.equal(schemaReference('goals/example.md', '/p', '/p'), undefined);
  });

  it('replacing an existing "$schema" or adding it first, leaving the rest of the text as it was', () => {
    assert.equal(
      withSchemaReference('{\n  "a": { "b": 1 }\n}\n', './s.json'),
      '{\n  "$schema": "./s.json",\n  "a": { "b": 1 }\n}\n',
    );
    assert.equal(
      withSchemaReference('{\n  "$schema": "./old.json",\n  "a": 1\n}\n', 'file:///new.json'),
      '{\n  "$schema": "file:///new.json",\n  "a": 1\n}\n',
    );
    assert.deepEqual(JSON.parse(withSchemaReference('{}', './s.json')), { $schema: './s.json' });
  });
});
