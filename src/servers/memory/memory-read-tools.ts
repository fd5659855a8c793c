import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { entitySchema, relationSchema, type KnowledgeGraph } from '../../state/knowledge-graph.js';
import type { SharedKnowledgeGraph, SharedOutcome } from './shared-knowledge-graph.js';
import { jsonResult, runMemoryTool, withNote } from './memory-tool-result.js';

const readsOnly = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;
const graphShape = { entities: z.array(entitySchema), relations: z.array(relationSchema) };
const bothStores =
  'Reads this workdir\'s graph and the user store\'s (lessons marked general in any workdir on this machine) as one: ' +
  'an entity both hold is returned once, with the observations of both.';

/** read_graph, search_nodes, open_nodes: over the workdir's graph and the user store's, as one. */
export function registerMemoryReadTools(server: McpServer, graph: SharedKnowledgeGraph, databasePath: string): void {
  const context = (toolName: string) => ({ toolName, databasePath, writes: false });
  const graphResult = ({ result, note }: SharedOutcome<KnowledgeGraph>) => withNote(jsonResult(result, { ...result }), note);

  server.registerTool(
    'read_graph',
    {
      title: 'Read Graph',
      description:
        'Read the entire knowledge graph: every entity with its observations, and every relation. The graph can ' +
        `be large; to look something up, prefer search_nodes or open_nodes. ${bothStores}`,
      inputSchema: {},
      outputSchema: graphShape,
      annotations: readsOnly,
    },
    async () => runMemoryTool(context('read_graph'), () => graphResult(graph.readGraph())),
  );

  server.registerTool(
    'search_nodes',
    {
      title: 'Search Nodes',
      description:
        'Search for nodes in the knowledge graph based on a query. Matches words (and word beginnings) in entity ' +
        'names, types and observations, best match first, then entities that contain the query as plain text. ' +
        `Returns the matching entities and the relations that touch them. ${bothStores}`,
      inputSchema: {
        query: z.string().describe('The search query to match against entity names, types, and observation content'),
      },
      outputSchema: graphShape,
      annotations: readsOnly,
    },
    async ({ query }) => runMemoryTool(context('search_nodes'), () => graphResult(graph.searchNodes(query))),
  );

  server.registerTool(
    'open_nodes',
    {
      title: 'Open Nodes',
      description:
        'Open specific nodes in the knowledge graph by their names. Returns the entities that exist and every ' +
        `relation from or to them; names that do not exist are left out. ${bothStores}`,
      inputSchema: { names: z.array(z.string()).describe('An array of entity names to retrieve') },
      outputSchema: graphShape,
      annotations: readsOnly,
    },
    async ({ names }) => runMemoryTool(context('open_nodes'), () => graphResult(graph.openNodes(names))),
  );
}
