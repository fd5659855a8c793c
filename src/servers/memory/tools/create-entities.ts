import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { entitySchema } from '../../../state/knowledge-graph.js';
import { jsonResult, runMemoryTool, withNote } from '../memory-tool-result.js';
import type { SharedKnowledgeGraph } from '../shared-knowledge-graph.js';
import { adds, general, markGeneral } from './graph-writes.js';

/** create_entities: new entities; existing names are skipped. */
export function registerCreateEntitiesTool(server: McpServer, graph: SharedKnowledgeGraph, databasePath: string): void {
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
      runMemoryTool({ toolName: 'create_entities', databasePath, writes: true }, () => {
        const { result: created, note } = graph.createEntities(entities);
        return withNote(jsonResult(created, { entities: created }), note);
      }),
  );
}
