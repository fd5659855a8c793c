import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { entitySchema, relationSchema } from './knowledge-graph.js';
import type { KnowledgeGraphStore } from './knowledge-graph-store.js';
import { jsonResult, runMemoryTool, successResult } from './memory-tool-result.js';

const adds = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false } as const;
const removes = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false } as const;
const deleteReply = { success: z.boolean(), message: z.string() };

/** create_entities, create_relations, add_observations, delete_entities, delete_observations, delete_relations. */
export function registerMemoryWriteTools(server: McpServer, store: KnowledgeGraphStore, databasePath: string): void {
  const context = (toolName: string) => ({ toolName, databasePath, writes: true });

  server.registerTool(
    'create_entities',
    {
      title: 'Create Entities',
      description:
        'Create multiple new entities in the knowledge graph. Each entity has a unique name, a type and ' +
        'observations (short facts). An entity whose name already exists is skipped, not changed: use ' +
        'add_observations to extend it. Returns the entities that were created.',
      inputSchema: { entities: z.array(entitySchema) },
      outputSchema: { entities: z.array(entitySchema) },
      annotations: adds,
    },
    async ({ entities }) =>
      runMemoryTool(context('create_entities'), () => {
        const created = store.createEntities(entities);
        return jsonResult(created, { entities: created });
      }),
  );

  server.registerTool(
    'create_relations',
    {
      title: 'Create Relations',
      description:
        'Create multiple new relations between entities in the knowledge graph. Relations should be in active ' +
        'voice ("Alice works_at Acme"). A relation that already exists is skipped. Returns the relations that ' +
        'were created.',
      inputSchema: { relations: z.array(relationSchema) },
      outputSchema: { relations: z.array(relationSchema) },
      annotations: adds,
    },
    async ({ relations }) =>
      runMemoryTool(context('create_relations'), () => {
        const created = store.createRelations(relations);
        return jsonResult(created, { relations: created });
      }),
  );

  server.registerTool(
    'add_observations',
    {
      title: 'Add Observations',
      description:
        'Add new observations to existing entities in the knowledge graph. Observations an entity already has ' +
        'are skipped. Fails, adding nothing, when an entity does not exist. Returns the observations added per entity.',
      inputSchema: {
        observations: z.array(
          z.object({
            entityName: z.string().describe('The name of the entity to add the observations to'),
            contents: z.array(z.string()).describe('An array of observation contents to add'),
          }),
        ),
      },
      outputSchema: {
        results: z.array(z.object({ entityName: z.string(), addedObservations: z.array(z.string()) })),
      },
      annotations: adds,
    },
    async ({ observations }) =>
      runMemoryTool(context('add_observations'), () => {
        const results = store.addObservations(observations);
        return jsonResult(results, { results });
      }),
  );

  server.registerTool(
    'delete_entities',
    {
      title: 'Delete Entities',
      description:
        'Delete multiple entities and their associated relations from the knowledge graph, with their ' +
        'observations. Names that do not exist are ignored.',
      inputSchema: { entityNames: z.array(z.string()).describe('An array of entity names to delete') },
      outputSchema: deleteReply,
      annotations: removes,
    },
    async ({ entityNames }) =>
      runMemoryTool(context('delete_entities'), () => {
        store.deleteEntities(entityNames);
        return successResult('Entities deleted successfully');
      }),
  );

  server.registerTool(
    'delete_observations',
    {
      title: 'Delete Observations',
      description:
        'Delete specific observations from entities in the knowledge graph. Entities or observations that do ' +
        'not exist are ignored.',
      inputSchema: {
        deletions: z.array(
          z.object({
            entityName: z.string().describe('The name of the entity containing the observations'),
            observations: z.array(z.string()).describe('An array of observations to delete'),
          }),
        ),
      },
      outputSchema: deleteReply,
      annotations: removes,
    },
    async ({ deletions }) =>
      runMemoryTool(context('delete_observations'), () => {
        store.deleteObservations(deletions);
        return successResult('Observations deleted successfully');
      }),
  );

  server.registerTool(
    'delete_relations',
    {
      title: 'Delete Relations',
      description: 'Delete multiple relations from the knowledge graph. Relations that do not exist are ignored.',
      inputSchema: { relations: z.array(relationSchema).describe('An array of relations to delete') },
      outputSchema: deleteReply,
      annotations: removes,
    },
    async ({ relations }) =>
      runMemoryTool(context('delete_relations'), () => {
        store.deleteRelations(relations);
        return successResult('Relations deleted successfully');
      }),
  );
}
