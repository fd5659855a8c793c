import { z } from 'zod';
import { parseJsonLine } from './json-line.js';
import type { GraphEntity, GraphPart, GraphRelation } from './knowledge-graph-union.js';

/**
 * The knowledge graph's lines in a `mux-swarm memory export` file, after the failure and fix lines:
 *
 *   {"type":"entity","name":"python-venv","entityType":"machine-quirk","observations":["…"]}
 *   {"type":"relation","from":"python-venv","to":"training","relationType":"breaks"}
 *
 * and how `memory import` merges them into a store: a new entity is created, an entity the store holds keeps its
 * type and gains the observations it lacks; a relation the store holds is left as it is. Importing a file twice
 * changes nothing.
 */

/** `{"type":"entity",…}`: names and types as the memory server takes them (any string). */
export const entityLineSchema = z.strictObject({
  type: z.literal('entity'),
  name: z.string(),
  entityType: z.string(),
  observations: z.array(z.string()).default([]),
});

/** `{"type":"relation",…}`: its ends are entity names, which need not be in the file or the store. */
export const relationLineSchema = z.strictObject({
  type: z.literal('relation'),
  from: z.string(),
  to: z.string(),
  relationType: z.string(),
});

export const graphLineSchema = z.discriminatedUnion('type', [entityLineSchema, relationLineSchema]);
export type GraphLine = z.infer<typeof graphLineSchema>;

/** The line types this module reads; lines of other types belong to failure memory (failure-records.ts). */
export const GRAPH_LINE_TYPES: readonly string[] = ['entity', 'relation'];

/** Where imported lines go: the memory server's KnowledgeGraphStore has these. */
export interface GraphWriter {
  /** Creates new entities; adds to existing ones the observations they lack. */
  mergeEntities(entities: GraphEntity[]): Array<{ existed: boolean }>;
  /** Creates the relations not present and returns them. */
  createRelations(relations: GraphRelation[]): GraphRelation[];
}

export interface GraphImportResult {
  /** Entity lines applied: new entities, and entities already in the store that were merged. */
  entities: number;
  /** Relation lines applied: new relations, and relations the store already held. */
  relations: number;
  /** Of those, lines whose entity or relation was already in the store. */
  merged: number;
  /** Lines not imported, by their number in the file, with what is wrong. */
  skipped: Array<{ line: number; problem: string }>;
}

/** Every entity, then every relation, as JSONL lines. */
export function graphToLines(graph: GraphPart): string[] {
  return [
    ...graph.entities.map((entity) =>
      JSON.stringify({
        type: 'entity',
        name: entity.name,
        entityType: entity.entityType,
        observations: entity.observations,
      }),
    ),
    ...graph.relations.map((relation) =>
      JSON.stringify({ type: 'relation', from: relation.from, to: relation.to, relationType: relation.relationType }),
    ),
  ];
}

/** Whether a line of an export is the graph's (its `type` is "entity" or "relation"), not failure memory's. */
export function isGraphLine(text: string): boolean {
  if (!text.trimStart().startsWith('{')) return false;
  try {
    const value: unknown = JSON.parse(text);
    return (
      typeof value === 'object' && value !== null && 'type' in value && GRAPH_LINE_TYPES.includes(String(value.type))
    );
  } catch {
    return false;
  }
}

/** One graph line read: the validated line, or what is wrong with it. */
export function parseGraphLine(text: string): { line: GraphLine } | { problem: string } {
  return parseJsonLine(text, graphLineSchema);
}

/**
 * Merges numbered graph lines into `writer`: every line is checked first, a bad one is skipped and reported with
 * its number; the good ones are written, entities before relations. The caller runs it in a transaction.
 */
export function importGraphLines(lines: Iterable<readonly [number, string]>, writer: GraphWriter): GraphImportResult {
  const result: GraphImportResult = { entities: 0, relations: 0, merged: 0, skipped: [] };
  const entities: GraphEntity[] = [];
  const relations: GraphRelation[] = [];
  for (const [number, text] of lines) {
    const parsed = parseGraphLine(text);
    if ('problem' in parsed) result.skipped.push({ line: number, problem: parsed.problem });
    else if (parsed.line.type === 'entity')
      entities.push({
        name: parsed.line.name,
        entityType: parsed.line.entityType,
        observations: parsed.line.observations,
      });
    else relations.push({ from: parsed.line.from, to: parsed.line.to, relationType: parsed.line.relationType });
  }
  const merged = writer.mergeEntities(entities);
  result.entities = merged.length;
  result.merged += merged.filter((entity) => entity.existed).length;
  const created = writer.createRelations(relations).length;
  result.relations = relations.length;
  result.merged += relations.length - created;
  return result;
}
