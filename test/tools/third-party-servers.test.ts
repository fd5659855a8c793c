import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ToolHub } from '../../src/tools/tool-hub.js';
import {
  livingProcessesWithEnvironment,
  servers,
  tempContext,
  type TempContext,
} from '../fixtures/hub-test-support.js';
import { waitFor } from '../fixtures/process-helpers.js';
import { REPOSITORY_ROOT } from '../support/run-cli.js';

const packageEntry = (name: string) =>
  join(REPOSITORY_ROOT, 'node_modules', '@modelcontextprotocol', name, 'dist', 'index.js');

/**
 * The reference servers from npm, launched over stdio from config entries shaped as their READMEs show them:
 * through `npx` (filesystem), through `sh -c` (memory) and directly with node (everything).
 */
describe('third-party MCP servers from npm, over stdio', () => {
  const marker = `MUX_SWARM_INTEROP_MARKER=${randomUUID()}`;
  const [markerName, markerValue] = marker.split('=') as [string, string];
  const warnings: string[] = [];
  let temp: TempContext;
  let hub: ToolHub;
  let root: string;

  before(async () => {
    temp = await tempContext();
    root = temp.context.workdir;
    writeFileSync(join(root, 'notes.txt'), 'first line\nsecond line\n');
    hub = await ToolHub.start(
      servers({
        files: {
          command: 'npx',
          args: ['--no', 'mcp-server-filesystem', root],
          cwd: REPOSITORY_ROOT,
          env: { [markerName]: markerValue },
        },
        graph: {
          command: 'sh',
          args: ['-c', `node "${packageEntry('server-memory')}"`],
          env: { MEMORY_FILE_PATH: join(root, 'graph.jsonl'), [markerName]: markerValue },
        },
        everything: {
          command: process.execPath,
          args: [packageEntry('server-everything'), 'stdio'],
          env: { [markerName]: markerValue },
        },
      }),
      {
        context: temp.context,
        startupTimeoutMs: 30_000,
        onWarning: (message) => warnings.push(message),
        restartDelayMs: () => 20,
      },
    );
  });

  after(async () => {
    await hub?.close();
    assert.deepEqual(
      livingProcessesWithEnvironment(marker),
      [],
      'no process of any server is left (npx, sh -c and their children included)',
    );
    await temp?.remove();
  });

  it('lists their tools, each exposed as server__tool', () => {
    const names = new Set(hub.tools().map((tool) => tool.exposedName));
    for (const expected of [
      'files__read_text_file',
      'files__write_file',
      'files__edit_file',
      'files__list_allowed_directories',
      'graph__create_entities',
      'graph__search_nodes',
      'graph__read_graph',
      'everything__echo',
      'everything__get-sum',
    ]) {
      assert.ok(names.has(expected), `${expected} is listed (got ${[...names].join(', ')})`);
    }
    assert.deepEqual(
      hub.statuses.map((status) => [status.name, status.status, status.transport]),
      [
        ['files', 'connected', 'stdio'],
        ['graph', 'connected', 'stdio'],
        ['everything', 'connected', 'stdio'],
      ],
    );
  });

  it('calls the filesystem server through npx: writes, reads, edits with a diff, and refuses paths outside its root', async () => {
    const written = await hub.call('files__write_file', { path: join(root, 'out.txt'), content: 'alpha\nbeta\n' });
    assert.equal(written.isError, false, written.text);
    assert.equal(readFileSync(join(root, 'out.txt'), 'utf8'), 'alpha\nbeta\n');
    const read = await hub.call('files__read_text_file', { path: join(root, 'notes.txt'), head: 1 });
    assert.equal(read.text, 'first line');
    const edited = await hub.call('files__edit_file', {
      path: join(root, 'out.txt'),
      edits: [{ oldText: 'beta', newText: 'gamma' }],
    });
    assert.match(edited.text, /-beta\n\+gamma/);
    const outside = await hub.call('files__read_text_file', { path: '/etc/hostname' });
    assert.equal(outside.isError, true);
    assert.match(outside.text, /Access denied|outside allowed directories/i);
  });

  it('calls the memory server through sh -c: the graph it keeps answers searches, and its errors come back as errors', async () => {
    const created = await hub.call('graph__create_entities', {
      entities: [
        {
          name: 'venv-python',
          entityType: 'quirk',
          observations: ['python in this venv is a shim; use /venv/main/bin/python'],
        },
      ],
    });
    assert.equal(created.isError, false, created.text);
    const found = await hub.call('graph__search_nodes', { query: 'shim' });
    assert.match(found.text, /venv-python/);
    const failed = await hub.call('graph__add_observations', {
      observations: [{ entityName: 'no-such-entity', contents: ['x'] }],
    });
    assert.equal(failed.isError, true);
    assert.match(failed.text, /no-such-entity/);
  });

  it('calls the everything server: text, structured results, and schema errors for bad arguments', async () => {
    assert.match((await hub.call('everything__echo', { message: 'hello interop' })).text, /hello interop/);
    const sum = await hub.call('everything__get-sum', { a: 2, b: 40 });
    assert.equal(sum.isError, false, sum.text);
    assert.match(sum.text, /42/);
    const bad = await hub.call('everything__get-sum', { a: 'two' });
    assert.equal(bad.isError, true);
    assert.match(bad.text, /invalid|expected number/i);
  });

  it('restarts the everything server after kill -9, leaving none of the old process behind', async () => {
    const before = livingProcessesWithEnvironment(marker);
    const everythingPids = before.filter((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('server-everything'),
    );
    assert.equal(everythingPids.length, 1, 'one everything process');
    process.kill(everythingPids[0]!, 'SIGKILL');
    assert.ok(
      await waitFor(() => hub.statuses[2]?.restarts === 1 && hub.statuses[2]?.status === 'connected', 20_000),
      'restarted',
    );
    assert.match((await hub.call('everything__echo', { message: 'back again' })).text, /back again/);
    assert.ok(!livingProcessesWithEnvironment(marker).includes(everythingPids[0]!));
    assert.ok(
      warnings.some((warning) => warning.startsWith('MCP server "everything" restarted')),
      warnings.join('\n'),
    );
  });

  it('kill -9 of the sh -c wrapper takes the server it started down with it (no orphan), and the server comes back', async () => {
    const processes = () =>
      livingProcessesWithEnvironment(marker).map((pid) => ({
        pid,
        command: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'),
      }));
    const wrapper = processes().find(
      (entry) => entry.command[0] === 'sh' && entry.command.join(' ').includes('server-memory'),
    );
    const child = processes().find(
      (entry) => entry.command[0] !== 'sh' && entry.command.join(' ').includes('server-memory'),
    );
    assert.ok(wrapper && child, 'sh and the node server it started are both running');
    process.kill(wrapper.pid, 'SIGKILL');
    assert.ok(
      await waitFor(() => !livingProcessesWithEnvironment(marker).includes(child.pid), 10_000),
      'the orphaned node server was killed with its group',
    );
    assert.ok(
      await waitFor(() => hub.statuses[1]?.restarts === 1 && hub.statuses[1]?.status === 'connected', 20_000),
      'restarted',
    );
    const found = await hub.call('graph__search_nodes', { query: 'shim' });
    assert.match(found.text, /venv-python/, 'the restarted server reads the same graph file');
  });
});
