import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { entitySchema, relationSchema, type KnowledgeGraph } from '../../../state/knowledge-graph.js';
import { jsonResult, withNote } from '../memory-tool-result.js';
import type { SharedOutcome } from '../shared-knowledge-graph.js';

/** The annotations of read_graph, search_nodes and open_nodes. */
export const readsOnly = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

/** What the read tools return: entities and relations, as the reference's. */
export const graphShape = { entities: z.array(entitySchema), relations: z.array(relationSchema) };

/** Ends the descriptions of the read tools. */
export const readsBothStores =
  "Reads this workdir's graph and the user store's (lessons marked general in any workdir on this machine) as one: " +
  'an entity both hold is returned once, with the observations of both.';

/** A read's graph as the reference returns it, with the shared graph's note (e.g. the user store is missing). */
export function graphResult({ result, note }: SharedOutcome<KnowledgeGraph>): CallToolResult {
  return withNote(jsonResult(result, { ...result }), note);
}
