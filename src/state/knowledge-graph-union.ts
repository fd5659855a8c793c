/**
 * How the knowledge graphs of two stores — the workdir's (state.db) and the user's (memory.db, shared by every
 * workdir on this machine) — read as one: an entity is one entity by its name, a relation one relation by
 * (from, to, relationType). The workdir comes first everywhere: its type wins, its observations come first, its
 * entities and relations keep their order and the user store's others follow.
 */

/** An entity as both the memory server and an export hold it. */
export interface GraphEntity {
  name: string;
  entityType: string;
  observations: string[];
}

/** A directed, typed edge between two entity names. */
export interface GraphRelation {
  from: string;
  to: string;
  relationType: string;
}

/** Entities and relations: a whole graph or a part of one. */
export interface GraphPart {
  entities: GraphEntity[];
  relations: GraphRelation[];
}

/** One entity known to several stores: the first's name and type, every observation once, the first's first. */
export function mergeEntity(first: GraphEntity, ...others: readonly GraphEntity[]): GraphEntity {
  const observations = [...first.observations];
  const known = new Set(observations);
  for (const observation of others.flatMap((other) => other.observations)) {
    if (known.has(observation)) continue;
    known.add(observation);
    observations.push(observation);
  }
  return { name: first.name, entityType: first.entityType, observations };
}

/** Every entity once, in the order of the lists (the first list's first), merged by name with mergeEntity. */
export function unionEntities(...lists: ReadonlyArray<readonly GraphEntity[]>): GraphEntity[] {
  const byName = new Map<string, GraphEntity>();
  for (const entity of lists.flat()) {
    const known = byName.get(entity.name);
    byName.set(
      entity.name,
      known === undefined ? { ...entity, observations: [...entity.observations] } : mergeEntity(known, entity),
    );
  }
  return [...byName.values()];
}

/** Every relation once, in the order of the lists. */
export function unionRelations(...lists: ReadonlyArray<readonly GraphRelation[]>): GraphRelation[] {
  const byKey = new Map<string, GraphRelation>();
  for (const relation of lists.flat()) {
    const key = relationKey(relation);
    if (!byKey.has(key)) byKey.set(key, { from: relation.from, to: relation.to, relationType: relation.relationType });
  }
  return [...byKey.values()];
}

/** Several graphs as one: unionEntities and unionRelations, the first graph's first. */
export function unionGraphs(...parts: readonly GraphPart[]): GraphPart {
  return {
    entities: unionEntities(...parts.map((part) => part.entities)),
    relations: unionRelations(...parts.map((part) => part.relations)),
  };
}

/** What makes a relation the same relation: (from, to, relationType). */
export function relationKey(relation: GraphRelation): string {
  return JSON.stringify([relation.from, relation.to, relation.relationType]);
}

/**
 * One ranking from the tiered rankings of several stores (see rankEntityTiers): tier by tier, and within a tier
 * the stores' results taken in turn (the first store's best, the second's best, the first's second …), each
 * name once, in the best place it earns. Tiers, not bm25 scores, are what two stores share: bm25 weighs a word
 * by how rare it is in its own database, so one store's scores say nothing about the other's. Taking turns
 * within a tier keeps a small store's best match near the top instead of under every match of a large one.
 */
export function interleaveTiers(rankings: ReadonlyArray<readonly (readonly string[])[]>): string[] {
  const chosen: string[] = [];
  const seen = new Set<string>();
  const tierCount = Math.max(0, ...rankings.map((tiers) => tiers.length));
  for (let tier = 0; tier < tierCount; tier += 1) {
    const lists = rankings.map((tiers) => tiers[tier] ?? []);
    const longest = Math.max(0, ...lists.map((list) => list.length));
    for (let position = 0; position < longest; position += 1) {
      for (const list of lists) {
        const name = list[position];
        if (name === undefined || seen.has(name)) continue;
        seen.add(name);
        chosen.push(name);
      }
    }
  }
  return chosen;
}
