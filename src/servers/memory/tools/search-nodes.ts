import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { runMemoryTool } from '../memory-tool-result.js';
import type { SharedKnowledgeGraph } from '../shared-knowledge-graph.js';
import { graphResult, graphShape, readsBothStores, readsOnly } from './graph-reads.js';

/** search_nodes: ranked full-text search over names, types and observations. */
export function registerSearchNodesTool(server: McpServer, graph: SharedKnowledgeGraph, databasePath: string): void {
  server.registerTool(
    'search_nodes',
    {
      title: 'Search Nodes',
      description:
        'Search for nodes in the knowledge graph based on a query. Matches words (and word beginnings) in entity ' +
        'names, types and observations, best match first, then entities that contain the query as plain text. ' +
        `Returns the matching entities and the relations that touch them. ${readsBothStores}`,
      inputSchema: {
        query: z.string().describe('The search query to match against entity names, types, and observation content'),
      },
      outputSchema: graphShape,
      annotations: readsOnly,
    },
    async ({ query }) =>
      runMemoryTool({ toolName: 'search_nodes', databasePath, writes: false }, () =>
        graphResult(graph.searchNodes(query)),
      ),
  );
}
