import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { relationSchema } from '../../../state/knowledge-graph.js';
import { runMemoryTool, successResult, withNote } from '../memory-tool-result.js';
import type { SharedKnowledgeGraph } from '../shared-knowledge-graph.js';
import { deleteReply, deletesFromBothStores, removes } from './graph-writes.js';

/** delete_relations: given relations. */
export function registerDeleteRelationsTool(
  server: McpServer,
  graph: SharedKnowledgeGraph,
  databasePath: string,
): void {
  server.registerTool(
    'delete_relations',
    {
      title: 'Delete Relations',
      description: `Delete multiple relations from the knowledge graph. Relations that do not exist are ignored. ${deletesFromBothStores}`,
      inputSchema: { relations: z.array(relationSchema).describe('An array of relations to delete') },
      outputSchema: deleteReply,
      annotations: removes,
    },
    async ({ relations }) =>
      runMemoryTool({ toolName: 'delete_relations', databasePath, writes: true }, () => {
        return withNote(successResult('Relations deleted successfully'), graph.deleteRelations(relations).note);
      }),
  );
}
