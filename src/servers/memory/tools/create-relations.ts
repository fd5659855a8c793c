import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { relationSchema } from '../../../state/knowledge-graph.js';
import { jsonResult, runMemoryTool, withNote } from '../memory-tool-result.js';
import type { SharedKnowledgeGraph } from '../shared-knowledge-graph.js';
import { adds, general, markGeneral } from './graph-writes.js';

/** create_relations: new relations; existing ones are skipped. */
export function registerCreateRelationsTool(
  server: McpServer,
  graph: SharedKnowledgeGraph,
  databasePath: string,
): void {
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
      runMemoryTool({ toolName: 'create_relations', databasePath, writes: true }, () => {
        const { result: created, note } = graph.createRelations(relations);
        return withNote(jsonResult(created, { relations: created }), note);
      }),
  );
}
