import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { jsonResult, runMemoryTool, withNote } from '../memory-tool-result.js';
import type { SharedKnowledgeGraph } from '../shared-knowledge-graph.js';
import { adds, general, markGeneral } from './graph-writes.js';

/** add_observations: new observations on existing entities, all or none. */
export function registerAddObservationsTool(
  server: McpServer,
  graph: SharedKnowledgeGraph,
  databasePath: string,
): void {
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
      runMemoryTool({ toolName: 'add_observations', databasePath, writes: true }, () => {
        const { result: results, note } = graph.addObservations(observations);
        return withNote(jsonResult(results, { results }), note);
      }),
  );
}
