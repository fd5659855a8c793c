import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { runMemoryTool } from '../memory-tool-result.js';
import type { SharedKnowledgeGraph } from '../shared-knowledge-graph.js';
import { graphResult, graphShape, readsBothStores, readsOnly } from './graph-reads.js';

/** open_nodes: entities by name, with every relation from or to them. */
export function registerOpenNodesTool(server: McpServer, graph: SharedKnowledgeGraph, databasePath: string): void {
  server.registerTool(
    'open_nodes',
    {
      title: 'Open Nodes',
      description:
        'Open specific nodes in the knowledge graph by their names. Returns the entities that exist and every ' +
        `relation from or to them; names that do not exist are left out. ${readsBothStores}`,
      inputSchema: { names: z.array(z.string()).describe('An array of entity names to retrieve') },
      outputSchema: graphShape,
      annotations: readsOnly,
    },
    async ({ names }) =>
      runMemoryTool({ toolName: 'open_nodes', databasePath, writes: false }, () => graphResult(graph.openNodes(names))),
  );
}
