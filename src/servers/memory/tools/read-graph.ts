import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { runMemoryTool } from '../memory-tool-result.js';
import type { SharedKnowledgeGraph } from '../shared-knowledge-graph.js';
import { graphResult, graphShape, readsBothStores, readsOnly } from './graph-reads.js';

/** read_graph: the whole graph. */
export function registerReadGraphTool(server: McpServer, graph: SharedKnowledgeGraph, databasePath: string): void {
  server.registerTool(
    'read_graph',
    {
      title: 'Read Graph',
      description:
        'Read the entire knowledge graph: every entity with its observations, and every relation. The graph can ' +
        `be large; to look something up, prefer search_nodes or open_nodes. ${readsBothStores}`,
      inputSchema: {},
      outputSchema: graphShape,
      annotations: readsOnly,
    },
    async () =>
      runMemoryTool({ toolName: 'read_graph', databasePath, writes: false }, () => graphResult(graph.readGraph())),
  );
}
