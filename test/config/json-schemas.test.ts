import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { configSchema } from '../../src/config/config-schema.js';
import {
  configJsonSchemaText,
  JSON_SCHEMA_FILES,
  type JsonSchemaFileName,
} from '../../src/config/json-schema/config-json-schemas.js';
import { swarmSchema } from '../../src/config/swarm-schema.js';
import { PRESETS } from '../../src/cli/presets/presets.js';
import { REPOSITORY_ROOT } from '../support/run-cli.js';

// ajv-formats is CommonJS: its default export arrives as the module object under ESM.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

/** The committed schema, compiled by a real JSON Schema validator (ajv, draft-07, formats checked, strict). */
function validator(file: JsonSchemaFileName): ValidateFunction {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, allErrors: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'schemas', file), 'utf8')) as object);
}

const readJson = (path: string): unknown => JSON.parse(readFileSync(join(REPOSITORY_ROOT, path), 'utf8'));
const errorsOf = (validate: ValidateFunction): string => JSON.stringify(validate.errors, null, 2);

/** Every config.json and swarm.json the repository ships or tests with, and those `init --preset` writes. */
const CONFIGS: Array<[string, unknown]> = [
  ['config.json', readJson('config.json')],
  ['test/fixtures/replay/config.json', readJson('test/fixtures/replay/config.json')],
];
const SWARMS: Array<[string, unknown]> = [
  ['swarm.json', readJson('swarm.json')],
  ['test/fixtures/replay/swarm.json', readJson('test/fixtures/replay/swarm.json')],
];
for (const preset of PRESETS) {
  if (preset.files['config.json'])
    CONFIGS.push([`preset ${preset.name} config.json`, JSON.parse(preset.files['config.json'])]);
  if (preset.files['swarm.json'])
    SWARMS.push([`preset ${preset.name} swarm.json`, JSON.parse(preset.files['swarm.json'])]);
}

describe('JSON Schemas of config.json and swarm.json', () => {
  it('are committed exactly as the zod schemas generate them (run `npm run build` and commit schemas/ when this fails)', () => {
    for (const file of Object.keys(JSON_SCHEMA_FILES) as JsonSchemaFileName[]) {
      assert.equal(
        readFileSync(join(REPOSITORY_ROOT, 'schemas', file), 'utf8'),
        configJsonSchemaText(file),
        `schemas/${file} is stale`,
      );
    }
  });

  it('accept every shipped and test config.json, which zod accepts too', () => {
    const validate = validator('config.schema.json');
    assert.ok(CONFIGS.length >= 3);
    for (const [name, config] of CONFIGS) assert.ok(validate(config), `${name}: ${errorsOf(validate)}`);
    // The shipped config.json holds ${VAR} references that zod reads only once interpolated; the fixture has none.
    assert.ok(configSchema.safeParse(readJson('test/fixtures/replay/config.json')).success);
  });

  it('accept every shipped and test swarm.json, which zod accepts too', () => {
    const validate = validator('swarm.schema.json');
    assert.ok(SWARMS.length >= 3);
    for (const [name, swarm] of SWARMS) {
      assert.ok(validate(swarm), `${name}: ${errorsOf(validate)}`);
      assert.ok(swarmSchema.safeParse(swarm).success, name);
    }
  });

  it('reject a misspelt key at the top level and deep inside', () => {
    const config = validator('config.schema.json');
    const shipped = readJson('config.json') as Record<string, Record<string, Record<string, unknown>>>;
    assert.equal(config({ ...shipped, provders: {} }), false);
    assert.ok(
      config.errors?.some(
        (error) => error.keyword === 'additionalProperties' && error.params.additionalProperty === 'provders',
      ),
      errorsOf(config),
    );
    const typoProvider = {
      ...shipped,
      providers: { ...shipped.providers, openrouter: { ...shipped.providers!.openrouter, baseUrl: 'https://x' } },
    };
    assert.equal(config(typoProvider), false);

    const swarm = validator('swarm.schema.json');
    const team = readJson('swarm.json') as { agents: Array<Record<string, unknown>> };
    assert.equal(swarm({ ...team, agents: [{ ...team.agents[0], modle: 'x' }, ...team.agents.slice(1)] }), false);
    assert.ok(
      swarm.errors?.some((error) => error.params.additionalProperty === 'modle'),
      errorsOf(swarm),
    );
  });

  it('follow the zod schemas: a failover chain of models, failover durations, optional defaults, inferred server types', () => {
    const swarm = validator('swarm.schema.json');
    const team = readJson('swarm.json') as { orchestrator: Record<string, unknown>; agents: unknown[] };
    const chain = {
      ...team,
      orchestrator: {
        ...team.orchestrator,
        provider: undefined,
        model: ['openrouter/openai/gpt-5', { provider: 'ollama', model: 'qwen2.5-coder:7b' }],
      },
    };
    delete chain.orchestrator.provider;
    assert.ok(swarm(chain), errorsOf(swarm));
    assert.equal(
      swarm({ ...team, orchestrator: { ...team.orchestrator, model: [] } }),
      false,
      'an empty chain is refused, as zod refuses it',
    );
    assert.equal(swarm({ ...team, mode: 'mesh' }), false);

    const config = validator('config.schema.json');
    const minimal = {
      providers: { local: { baseURL: 'http://127.0.0.1:11434/v1' } },
      mcpServers: { fs: { builtin: 'filesystem' }, everything: { command: 'npx', args: ['x'] } },
    };
    assert.ok(config(minimal), errorsOf(config));
    assert.ok(configSchema.safeParse(minimal).success);
    assert.ok(config({ ...minimal, failover: { maxWait: '10s', cooldown: 300 } }), errorsOf(config));
    assert.equal(config({ ...minimal, failover: { maxWait: true } }), false);
    assert.equal(config({ ...minimal, mcpServers: { fs: { builtin: 'filesystm' } } }), false);
    assert.equal(
      config({ ...minimal, providers: { local: { baseURL: 'not a url' } } }),
      false,
      'a baseURL must be a URL',
    );
    assert.ok(
      config({ ...minimal, providers: { local: { baseURL: '${LOCAL_URL:-http://127.0.0.1:8000/v1}' } } }),
      'or a ${VAR} reference',
    );
  });
});
