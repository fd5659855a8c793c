import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { KnowledgeGraph } from '../../../src/state/knowledge-graph.js';
import { createMemoryServer } from '../../../src/servers/memory/memory-server.js';
import { connectTestClient, type McpTestClient, type TestToolOutcome } from '../../support/mcp-test-client.js';

/** A temporary directory for one test's database; remove it with `removeDirectory`. */
export async function makeTemporaryDirectory(): Promise<string> {
  return await realpath(await mkdtemp(path.join(tmpdir(), 'mux-swarm-memory-')));
}

export async function removeDirectory(directory: string): Promise<void> {
  await rm(directory, { recursive: true, force: true });
}

/** Starts a memory server on `databasePath` and connects a real MCP client to it in-process. */
export async function connectMemory(databasePath: string): Promise<McpTestClient> {
  return await connectTestClient(createMemoryServer({ databasePath }), 'memory-test');
}

/** A graph-shaped tool result (read_graph, search_nodes, open_nodes), checked to be one and not an error. */
export function graphOf(outcome: TestToolOutcome): KnowledgeGraph {
  if (outcome.isError) throw new Error(`expected a graph, got the error result: ${outcome.text}`);
  const structured = outcome.structured as unknown as KnowledgeGraph | undefined;
  if (!structured || !Array.isArray(structured.entities) || !Array.isArray(structured.relations)) {
    throw new Error(`expected structured {entities, relations}, got: ${outcome.text}`);
  }
  return structured;
}

/** The entity names of a graph, in the order returned. */
export function entityNames(graph: KnowledgeGraph): string[] {
  return graph.entities.map((entity) => entity.name);
}

/** Relations written `from -type-> to`, in the order returned. */
export function relationLines(graph: KnowledgeGraph): string[] {
  return graph.relations.map((relation) => `${relation.from} -${relation.relationType}-> ${relation.to}`);
}

/** Calls search_nodes and returns the entity names found, best first. */
export async function searchNames(memory: McpTestClient, query: string): Promise<string[]> {
  return entityNames(graphOf(await memory.call('search_nodes', { query })));
}
