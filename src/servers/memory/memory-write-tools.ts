import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { SharedKnowledgeGraph } from './shared-knowledge-graph.js';
import { registerAddObservationsTool } from './tools/add-observations.js';
import { registerCreateEntitiesTool } from './tools/create-entities.js';
import { registerCreateRelationsTool } from './tools/create-relations.js';
import { registerDeleteEntitiesTool } from './tools/delete-entities.js';
import { registerDeleteObservationsTool } from './tools/delete-observations.js';
import { registerDeleteRelationsTool } from './tools/delete-relations.js';

/**
 * create_entities, create_relations, add_observations, delete_entities, delete_observations, delete_relations:
 * the reference's arguments and results, plus the optional `general` mark on what is written.
 */
export function registerMemoryWriteTools(server: McpServer, graph: SharedKnowledgeGraph, databasePath: string): void {
  registerCreateEntitiesTool(server, graph, databasePath);
  registerCreateRelationsTool(server, graph, databasePath);
  registerAddObservationsTool(server, graph, databasePath);
  registerDeleteEntitiesTool(server, graph, databasePath);
  registerDeleteObservationsTool(server, graph, databasePath);
  registerDeleteRelationsTool(server, graph, databasePath);
}
