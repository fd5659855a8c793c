import { z } from 'zod';
import type { Entity, Relation } from './knowledge-graph.js';

/** The knowledge graph's rows (tables of migration 2) as SQLite returns them, and how they become entities and relations. */

export const entityRowSchema = z.object({ id: z.number(), name: z.string(), entity_type: z.string() });
export type EntityRow = z.infer<typeof entityRowSchema>;

export const observationRowSchema = z.object({ entity_id: z.number(), content: z.string() });
export type ObservationRow = z.infer<typeof observationRowSchema>;

export const relationRowSchema = z.object({
  from_entity: z.string(),
  to_entity: z.string(),
  relation_type: z.string(),
});
export type RelationRow = z.infer<typeof relationRowSchema>;

/** An entity's id and name, to name the ids a ranking gives. */
export const entityNameRowSchema = z.object({ id: z.number(), name: z.string() });

/** Observation contents by entity id, each list in the order of `rows`. */
export function groupObservations(rows: readonly ObservationRow[]): Map<number, string[]> {
  const grouped = new Map<number, string[]>();
  for (const row of rows) {
    const list = grouped.get(row.entity_id);
    if (list === undefined) grouped.set(row.entity_id, [row.content]);
    else list.push(row.content);
  }
  return grouped;
}

export function toEntity(row: EntityRow, observations: ReadonlyMap<number, string[]>): Entity {
  return { name: row.name, entityType: row.entity_type, observations: observations.get(row.id) ?? [] };
}

export function toRelation(row: RelationRow): Relation {
  return { from: row.from_entity, to: row.to_entity, relationType: row.relation_type };
}
