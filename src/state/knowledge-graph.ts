import { z } from 'zod';

/**
 * The shapes of @modelcontextprotocol/server-memory, field for field, so that prompts and clients written for it
 * work unchanged: an entity is a uniquely named node with a type and a list of observations (short facts); a
 * relation is a directed, typed edge between two entity names.
 */
export const entitySchema = z.object({
  name: z.string().describe('The name of the entity'),
  entityType: z.string().describe('The type of the entity'),
  observations: z.array(z.string()).describe('An array of observation contents associated with the entity'),
});

export const relationSchema = z.object({
  from: z.string().describe('The name of the entity where the relation starts'),
  to: z.string().describe('The name of the entity where the relation ends'),
  relationType: z.string().describe('The type of the relation'),
});

export type Entity = z.infer<typeof entitySchema>;
export type Relation = z.infer<typeof relationSchema>;

/** A part of the graph: entities with their observations, and relations. */
export interface KnowledgeGraph {
  entities: Entity[];
  relations: Relation[];
}

/** Observations to add to one existing entity. */
export interface ObservationAddition {
  entityName: string;
  contents: string[];
}

/** What add_observations reports per entity: the observations that were new (duplicates are left out). */
export interface AddedObservations {
  entityName: string;
  addedObservations: string[];
}

/** Observations to remove from one entity; an unknown entity or observation is ignored. */
export interface ObservationDeletion {
  entityName: string;
  observations: string[];
}
