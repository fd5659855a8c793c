import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { runMemoryTool, successResult, withNote } from '../memory-tool-result.js';
import type { SharedKnowledgeGraph } from '../shared-knowledge-graph.js';
import { deleteReply, deletesFromBothStores, removes } from './graph-writes.js';

/** delete_observations: given observations of given entities. */
export function registerDeleteObservationsTool(
  server: McpServer,
  graph: SharedKnowledgeGraph,
  databasePath: string,
): void {
  server.registerTool(
    'delete_observations',
    {
      title: 'Delete Observations',
      description:
        'Delete specific observations from entities in the knowledge graph. Entities or observations that do ' +
        `not exist are ignored. ${deletesFromBothStores}`,
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
      runMemoryTool({ toolName: 'delete_observations', databasePath, writes: true }, () => {
        return withNote(successResult('Observations deleted successfully'), graph.deleteObservations(deletions).note);
      }),
  );
}
