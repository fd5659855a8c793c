import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { KnowledgeGraph } from '../../../src/state/knowledge-graph.js';
import { outcomeOf, type McpTestClient, type TestToolOutcome } from '../../support/mcp-test-client.js';
import { connectMemory, graphOf, makeTemporaryDirectory, removeDirectory } from './memory-harness.js';

const referenceEntryPoint = path.resolve('node_modules/@modelcontextprotocol/server-memory/dist/index.js');

let directory: string;
let reference: Client;
let ours: McpTestClient;

before(async () => {
  directory = await makeTemporaryDirectory();
  reference = new Client({ name: 'memory-interop', version: '0.0.0' });
  await reference.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [referenceEntryPoint],
      env: { ...getDefaultEnvironment(), MEMORY_FILE_PATH: path.join(directory, 'reference.jsonl') },
      stderr: 'pipe',
    }),
  );
  ours = await connectMemory(path.join(directory, 'ours.db'));
});

after(async () => {
  await reference.close();
  await ours.close();
  await removeDirectory(directory);
});

async function callReference(name: string, args: Record<string, unknown> = {}): Promise<TestToolOutcome> {
  return outcomeOf((await reference.callTool({ name, arguments: args })) as CallToolResult);
}

/** Calls both servers and asserts the same result: same content and structured content, or both an error. */
async function callBoth(
  name: string,
  args: Record<string, unknown> = {},
): Promise<{ reference: TestToolOutcome; ours: TestToolOutcome }> {
  const expected = await callReference(name, args);
  const actual = await ours.call(name, args);
  const step = `${name} ${JSON.stringify(args)}`;
  assert.equal(
    actual.isError,
    expected.isError,
    `${step}: error flag (ours: ${actual.text}; reference: ${expected.text})`,
  );
  if (expected.isError) {
    assert.ok(
      actual.text.startsWith(expected.text),
      `${step}: our message "${actual.text}" starts like "${expected.text}"`,
    );
  } else {
    assert.deepEqual(actual.structured, expected.structured, `${step}: structured content`);
    assert.deepEqual(actual.content, expected.content, `${step}: text content`);
  }
  return { reference: expected, ours: actual };
}

/** A tool's schemas without the human-readable descriptions, which are allowed to differ. */
function schemaStructure(tool: Tool): unknown {
  const strip = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(strip);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'description')
        .map(([key, inner]) => [key, strip(inner)]),
    );
  };
  return {
    inputSchema: strip(tool.inputSchema),
    outputSchema: strip(tool.outputSchema),
    annotations: tool.annotations,
  };
}

/**
 * Our input schema without its one extension of the reference's, the optional boolean `general` on what is written
 * (checked here to be exactly that), and the paths where it was found.
 */
function withoutGeneralMark(schema: unknown, path = ''): { schema: unknown; marks: string[] } {
  if (Array.isArray(schema)) {
    const items = schema.map((item, index) => withoutGeneralMark(item, `${path}[${index}]`));
    return { schema: items.map((item) => item.schema), marks: items.flatMap((item) => item.marks) };
  }
  if (schema === null || typeof schema !== 'object') return { schema, marks: [] };
  const marks: string[] = [];
  const entries = Object.entries(schema).map(([key, inner]) => {
    if (key !== 'properties' || inner === null || typeof inner !== 'object' || !('general' in inner)) {
      const stripped = withoutGeneralMark(inner, `${path}.${key}`);
      marks.push(...stripped.marks);
      return [key, stripped.schema] as const;
    }
    const { general, ...others } = inner as Record<string, unknown>;
    assert.deepEqual(general, { type: 'boolean' }, `${path}.general is a plain boolean`);
    assert.ok(!((schema as { required?: string[] }).required ?? []).includes('general'), `${path}.general is optional`);
    marks.push(path);
    const stripped = withoutGeneralMark(others, `${path}.${key}`);
    marks.push(...stripped.marks);
    return [key, stripped.schema] as const;
  });
  return { schema: Object.fromEntries(entries), marks };
}

function sortedGraph(graph: KnowledgeGraph): { entities: string[]; relations: string[] } {
  return {
    entities: graph.entities.map((entity) => JSON.stringify(entity)).sort(),
    relations: graph.relations.map((relation) => JSON.stringify(relation)).sort(),
  };
}

describe('memory server interoperability with @modelcontextprotocol/server-memory', () => {
  it('lists the same tools with the same argument and result schemas and hints, plus an optional general mark on writes', async () => {
    const referenceTools = (await reference.listTools()).tools;
    const ourTools = (await ours.client.listTools()).tools;
    assert.deepEqual(ourTools.map((tool) => tool.name).sort(), referenceTools.map((tool) => tool.name).sort());
    const marked: Record<string, string[]> = {};
    for (const referenceTool of referenceTools) {
      const ourTool = ourTools.find((tool) => tool.name === referenceTool.name);
      assert.ok(ourTool);
      const ourStructure = schemaStructure(ourTool) as { inputSchema: unknown };
      const { schema, marks } = withoutGeneralMark(ourStructure.inputSchema);
      if (marks.length > 0) marked[referenceTool.name] = marks;
      assert.deepEqual({ ...ourStructure, inputSchema: schema }, schemaStructure(referenceTool), referenceTool.name);
    }
    assert.deepEqual(marked, {
      create_entities: ['.properties.entities.items'],
      create_relations: ['.properties.relations.items'],
      add_observations: ['.properties.observations.items'],
    });
  });

  it('takes the general mark and answers as the reference does without it', async () => {
    const expected = await callReference('create_entities', {
      entities: [{ name: 'Marked', entityType: 'quirk', observations: ['holds everywhere'] }],
    });
    const actual = await ours.call('create_entities', {
      entities: [{ name: 'Marked', entityType: 'quirk', observations: ['holds everywhere'], general: true }],
    });
    assert.equal(actual.isError, false, actual.text);
    assert.deepEqual(actual.structured, expected.structured);
    assert.deepEqual(actual.content, expected.content);
    await callBoth('delete_entities', { entityNames: ['Marked'] });
  });

  it('gives the same results for the same sequence of calls', async () => {
    await callBoth('read_graph');
    await callBoth('create_entities', {
      entities: [
        { name: 'Alice', entityType: 'person', observations: ['likes TypeScript', 'lives in Berlin'] },
        { name: 'Acme', entityType: 'company', observations: ['makes anvils'] },
        { name: 'Bob', entityType: 'person', observations: [] },
      ],
    });
    await callBoth('create_entities', {
      entities: [
        { name: 'Alice', entityType: 'robot', observations: ['ignored'] },
        { name: 'Carol', entityType: 'person', observations: ['reads Rust'] },
      ],
    });
    await callBoth('create_relations', {
      relations: [
        { from: 'Alice', to: 'Acme', relationType: 'works_at' },
        { from: 'Bob', to: 'Acme', relationType: 'works_at' },
        { from: 'Alice', to: 'Bob', relationType: 'knows' },
      ],
    });
    await callBoth('create_relations', {
      relations: [
        { from: 'Alice', to: 'Acme', relationType: 'works_at' },
        { from: 'Carol', to: 'Dave', relationType: 'knows' },
      ],
    });
    await callBoth('add_observations', {
      observations: [
        { entityName: 'Alice', contents: ['likes TypeScript', 'plays chess'] },
        { entityName: 'Bob', contents: ['new hire'] },
      ],
    });
    await callBoth('add_observations', {
      observations: [
        { entityName: 'Bob', contents: ['must not be kept'] },
        { entityName: 'Nobody', contents: ['anything'] },
      ],
    });
    await callBoth('read_graph');
    await callBoth('delete_observations', {
      deletions: [
        { entityName: 'Alice', observations: ['lives in Berlin', 'never said'] },
        { entityName: 'Nobody', observations: ['anything'] },
      ],
    });
    await callBoth('delete_relations', {
      relations: [
        { from: 'Alice', to: 'Bob', relationType: 'knows' },
        { from: 'Ghost', to: 'Acme', relationType: 'haunts' },
      ],
    });
    await callBoth('open_nodes', { names: ['Bob', 'Alice', 'Ghost'] });
    await callBoth('delete_entities', { entityNames: ['Acme', 'Ghost'] });
    const final = await callBoth('read_graph');
    assert.deepEqual(
      graphOf(final.ours).entities.map((entity) => entity.name),
      ['Alice', 'Bob', 'Carol'],
      'the sequence really changed the graph',
    );
    await callBoth('open_nodes', { names: ['Carol', 'Alice'] });
    await callBoth('create_entities', { entities: [{ name: 'Acme', entityType: 'company', observations: [] }] });
    await callBoth('open_nodes', { names: ['Acme'] });
  });

  // Tests in a file run in order: this one searches the graph the sequence above left on both servers.
  it('finds what the reference finds, ranked, and more where all words match', async () => {
    for (const query of ['typescript', 'script', 'PERSON', 'chess', 'Carol', 'rust', 'zeppelin', '']) {
      const expected = graphOf(await callReference('search_nodes', { query }));
      const actual = graphOf(await ours.call('search_nodes', { query }));
      assert.deepEqual(sortedGraph(actual), sortedGraph(expected), `search_nodes ${JSON.stringify(query)}`);
    }
    assert.deepEqual(graphOf(await callReference('search_nodes', { query: 'chess typescript' })).entities, []);
    assert.deepEqual(
      graphOf(await ours.call('search_nodes', { query: 'chess typescript' })).entities.map((entity) => entity.name),
      ['Alice'],
    );
  });
});
