import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { builtinContextFor } from '../../src/cli/builtin-context.js';
import { mcpServerSchema, type BuiltinServerConfig } from '../../src/config/config-schema.js';
import { loadConfig } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/errors/config-error.js';
import { openKnowledgeGraphStore } from '../../src/state/open-knowledge-graph-store.js';
import { createBuiltinServer } from '../../src/tools/builtin-servers.js';
import { connectTestClient } from '../support/mcp-test-client.js';
import { createProjectFixture } from '../support/project-fixture.js';

describe('the memory settings of config.json reach the memory server', () => {
  const project = createProjectFixture('mux-swarm-builtin-context-');
  after(() => project.remove());
  const load = (memory: Record<string, unknown>) => {
    const path = project.write('config.json', { providers: { local: { baseURL: 'http://127.0.0.1:9/v1' } }, memory });
    return loadConfig({
      path,
      environment: { HOME: join(project.directory, 'home') },
      currentDirectory: project.directory,
    });
  };

  it('memory.shareGraph defaults to "general"; the user store is left out when shareWithUserStore is false', () => {
    const config = load({});
    const defaults = builtinContextFor(config, join(project.directory, 'spill'), {
      HOME: join(project.directory, 'home'),
    });
    // The process's one scrubber goes to the servers and the user store alike.
    assert.deepEqual(defaults.userMemory, {
      userStoreDirectory: join(project.directory, 'home', '.mux-swarm'),
      shareGraph: 'general',
      secrets: config.scrubber,
    });
    assert.equal(defaults.scrubber, config.scrubber);
    const offConfig = load({ shareWithUserStore: false, shareGraph: 'all' });
    const off = builtinContextFor(offConfig, join(project.directory, 'spill'));
    assert.deepEqual(off.userMemory, { shareGraph: 'all', secrets: offConfig.scrubber });
  });

  it('refuses a shareGraph that is not general, all or none', () => {
    assert.throws(
      () => load({ shareGraph: 'some' }),
      (error: unknown) =>
        error instanceof ConfigError && /memory\.shareGraph/.test(error.message) && /"general"/.test(error.message),
    );
  });

  it('with shareGraph "all" the built-in memory server writes an unmarked entity through to the user store', async () => {
    const config = load({ userStore: 'lessons', shareGraph: 'all' });
    const entry = mcpServerSchema.parse({ builtin: 'memory' }) as BuiltinServerConfig;
    const memory = await connectTestClient(
      await createBuiltinServer(entry, builtinContextFor(config, join(project.directory, 'spill'))),
    );
    try {
      const created = await memory.call('create_entities', {
        entities: [{ name: 'cuda', entityType: 'quirk', observations: ['driver 550'] }],
      });
      assert.equal(created.isError, false, created.text);
    } finally {
      await memory.close();
    }
    const user = openKnowledgeGraphStore(join(project.directory, 'lessons', 'memory.db'));
    try {
      assert.deepEqual(user.readGraph().entities, [
        { name: 'cuda', entityType: 'quirk', observations: ['driver 550'] },
      ]);
    } finally {
      user.close();
    }
  });
});
