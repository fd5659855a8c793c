import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { runMemoryTool, successResult, withNote } from '../memory-tool-result.js';
import type { SharedKnowledgeGraph } from '../shared-knowledge-graph.js';
import { deleteReply, deletesFromBothStores, removes } from './graph-writes.js';

/** delete_entities: entities with their observations and relations. */
export function registerDeleteEntitiesTool(server: McpServer, graph: SharedKnowledgeGraph, databasePath: string): void {
  server.registerTool(
    'delete_entities',
    {
      title: 'Delete Entities',
      description:
        'Delete multiple entities and their associated relations from the knowledge graph, with their ' +
        `observations. Names that do not exist are ignored. ${deletesFromBothStores}`,
      inputSchema: { entityNames: z.array(z.string()).describe('An array of entity names to delete') },
      outputSchema: deleteReply,
      annotations: removes,
    },
    async ({ entityNames }) =>
      runMemoryTool({ toolName: 'delete_entities', databasePath, writes: true }, () => {
        return withNote(successResult('Entities deleted successfully'), graph.deleteEntities(entityNames).note);
      }),
  );
}
