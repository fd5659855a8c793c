import type { Entity, Relation } from './knowledge-graph.js';

/** The knowledge graph's rows (tables of migration 2) as SQLite returns them, and how they become entities and relations. */

export interface EntityRow {
  id: number;
  name: string;
  entity_type: string;
}

export interface ObservationRow {
  entity_id: number;
  content: string;
}

export interface RelationRow {
  from_entity: string;
  to_entity: string;
  relation_type: string;
}

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
