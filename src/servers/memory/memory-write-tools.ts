import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { entitySchema, relationSchema } from '../../state/knowledge-graph.js';
import { jsonResult, runMemoryTool, successResult, withNote } from './memory-tool-result.js';
import type { SharedKnowledgeGraph } from './shared-knowledge-graph.js';

const adds = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false } as const;
const removes = { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false } as const;
const deleteReply = { success: z.boolean(), message: z.string() };

/** The one argument added to the reference's: an optional mark on each entity, addition and relation. */
const general = z
  .boolean()
  .optional()
  .describe(
    'true when this holds beyond this project (a machine quirk, a library API change, how to call a tool): it is ' +
      'then kept in the user store too, where runs in every workdir on this machine find it. Leave it out for what ' +
      'concerns only this project.',
  );
const markGeneral =
  'Mark general: true what holds beyond this project — machine quirks, library API changes, how to call tools — so ' +
  'that runs in other workdirs find it too.';
const bothStores = 'They are deleted from this workdir\'s graph and from the user store (what other workdirs share), where it holds them.';

/**
 * create_entities, create_relations, add_observations, delete_entities, delete_observations, delete_relations:
 * the reference's arguments and results, plus the optional `general` mark on what is written.
 */
export function registerMemoryWriteTools(server: McpServer, graph: SharedKnowledgeGraph, databasePath: string): void {
  const context = (toolName: string) => ({ toolName, databasePath, writes: true });

  server.registerTool(
    'create_entities',
    {
      title: 'Create Entities',
      description:
        'Create multiple new entities in the knowledge graph. Each entity has a unique name, a type and ' +
        'observations (short facts). An entity whose name already exists is skipped, not changed: use ' +
        `add_observations to extend it. Returns the entities that were created. ${markGeneral}`,
      inputSchema: { entities: z.array(entitySchema.extend({ general })) },
      outputSchema: { entities: z.array(entitySchema) },
      annotations: adds,
    },
    async ({ entities }) =>
      runMemoryTool(context('create_entities'), () => {
        const { result: created, note } = graph.createEntities(entities);
        return withNote(jsonResult(created, { entities: created }), note);
      }),
  );

  server.registerTool(
    'create_relations',
    {
      title: 'Create Relations',
      description:
        'Create multiple new relations between entities in the knowledge graph. Relations should be in active ' +
        'voice ("Alice works_at Acme"). A relation that already exists is skipped. Returns the relations that ' +
        `were created. ${markGeneral}`,
      inputSchema: { relations: z.array(relationSchema.extend({ general })) },
      outputSchema: { relations: z.array(relationSchema) },
      annotations: adds,
    },
    async ({ relations }) =>
      runMemoryTool(context('create_relations'), () => {
        const { result: created, note } = graph.createRelations(relations);
        return withNote(jsonResult(created, { relations: created }), note);
      }),
  );

  server.registerTool(
    'add_observations',
    {
      title: 'Add Observations',
      description:
        'Add new observations to existing entities in the knowledge graph. Observations an entity already has ' +
        'are skipped. Fails, adding nothing, when an entity does not exist. Returns the observations added per ' +
        `entity. ${markGeneral}`,
      inputSchema: {
        observations: z.array(
          z.object({
            entityName: z.string().describe('The name of the entity to add the observations to'),
            contents: z.array(z.string()).describe('An array of observation contents to add'),
            general,
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
        const { result: results, note } = graph.addObservations(observations);
        return withNote(jsonResult(results, { results }), note);
      }),
  );

  server.registerTool(
    'delete_entities',
    {
      title: 'Delete Entities',
      description:
        'Delete multiple entities and their associated relations from the knowledge graph, with their ' +
        `observations. Names that do not exist are ignored. ${bothStores}`,
      inputSchema: { entityNames: z.array(z.string()).describe('An array of entity names to delete') },
      outputSchema: deleteReply,
      annotations: removes,
    },
    async ({ entityNames }) =>
      runMemoryTool(context('delete_entities'), () => {
        return withNote(successResult('Entities deleted successfully'), graph.deleteEntities(entityNames).note);
      }),
  );

  server.registerTool(
    'delete_observations',
    {
      title: 'Delete Observations',
      description:
        'Delete specific observations from entities in the knowledge graph. Entities or observations that do ' +
        `not exist are ignored. ${bothStores}`,
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
        return withNote(successResult('Observations deleted successfully'), graph.deleteObservations(deletions).note);
      }),
  );

  server.registerTool(
    'delete_relations',
    {
      title: 'Delete Relations',
      description: `Delete multiple relations from the knowledge graph. Relations that do not exist are ignored. ${bothStores}`,
      inputSchema: { relations: z.array(relationSchema).describe('An array of relations to delete') },
      outputSchema: deleteReply,
      annotations: removes,
    },
    async ({ relations }) =>
      runMemoryTool(context('delete_relations'), () => {
        return withNote(successResult('Relations deleted successfully'), graph.deleteRelations(relations).note);
      }),
  );
}
