import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { SharedKnowledgeGraph } from './shared-knowledge-graph.js';
import { registerOpenNodesTool } from './tools/open-nodes.js';
import { registerReadGraphTool } from './tools/read-graph.js';
import { registerSearchNodesTool } from './tools/search-nodes.js';

/** read_graph, search_nodes, open_nodes: over the workdir's graph and the user store's, as one. */
export function registerMemoryReadTools(server: McpServer, graph: SharedKnowledgeGraph, databasePath: string): void {
  registerReadGraphTool(server, graph, databasePath);
  registerSearchNodesTool(server, graph, databasePath);
  registerOpenNodesTool(server, graph, databasePath);
}
