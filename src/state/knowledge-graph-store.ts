import type { Statement } from 'better-sqlite3';
import { z } from 'zod';
import { MuxSwarmError } from '../errors/mux-swarm-error.js';
import { UnknownEntityError } from '../errors/unknown-entity-error.js';
import { redactSecrets } from '../logging/redact-secrets.js';
import { scrubberOf, type KnownSecrets, type SecretScrubber } from '../logging/secret-scrubber.js';
import type { SqliteDatabase } from './database.js';
import { redactEntity, redactRelation } from './graph-redaction.js';
import { rankEntityIds, rankEntityTiers } from './memory-entity-ranking.js';
import type {
  AddedObservations,
  Entity,
  KnowledgeGraph,
  ObservationAddition,
  ObservationDeletion,
  Relation,
} from './knowledge-graph.js';
import {
  entityNameRowSchema,
  entityRowSchema,
  groupObservations,
  observationRowSchema,
  relationRowSchema,
  toEntity,
  toRelation,
} from './knowledge-graph-rows.js';

/** An entity id, as a plucked `id` or `RETURNING id` gives it. */
const rowId = z.number();

export interface SearchOptions {
  /** Most entities returned (the best ranked); default all that match. */
  limit?: number;
}

export interface KnowledgeGraphStoreOptions {
  /** Secret values (the process's scrubber, or values) to redact besides what redactSecrets recognises by itself. */
  secrets?: KnownSecrets;
}

export interface AddObservationsOptions {
  /**
   * The type to create an entity with when the graph does not hold it yet (undefined: the entity is unknown, and
   * the call fails with UnknownEntityError as in the reference).
   */
  createMissing?: (entityName: string) => string | undefined;
}

/** What mergeEntities did with one entity. */
export interface MergedEntity {
  entity: Entity;
  /** Whether the entity was already here (then only the observations it lacked were added). */
  existed: boolean;
  addedObservations: string[];
}

/**
 * The knowledge graph in SQLite (tables of migration 2), with the semantics of @modelcontextprotocol/server-memory:
 * entities are unique by name, relations by (from, to, relationType), observations per entity; creating what
 * exists is skipped, deleting what does not exist is not an error. Every write is one immediate transaction;
 * every read sees one snapshot. Lists come back in creation order, search results best first. Every text is
 * passed through redactSecrets (with the configured secret values) before it is stored or looked up, so no
 * secret reaches the file; what the write methods return is what was stored.
 */
export class KnowledgeGraphStore {
  private readonly statements = new Map<string, Statement>();
  private readonly secrets: SecretScrubber;

  constructor(
    readonly database: SqliteDatabase,
    options: KnowledgeGraphStoreOptions = {},
  ) {
    this.secrets = scrubberOf(options.secrets);
  }

  /** Creates the entities whose names are new and returns them; an existing name is skipped, not updated. */
  createEntities(entities: readonly Entity[]): Entity[] {
    return this.write(() => {
      const now = new Date().toISOString();
      const created: Entity[] = [];
      for (const entity of entities.map((given) => this.cleanEntity(given))) {
        const inserted = rowId.optional().parse(
          this.statement(
            `INSERT INTO memory_entities (name, entity_type, created_at, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (name) DO NOTHING RETURNING id`,
          )
            .pluck()
            .get(entity.name, entity.entityType, now, now),
        );
        if (inserted === undefined) continue;
        const observations = this.insertObservations(inserted, entity.observations, now);
        created.push({ name: entity.name, entityType: entity.entityType, observations });
      }
      return created;
    });
  }

  /**
   * Creates the entities whose names are new and adds to the others the observations they lack (their type is
   * kept): how lessons from elsewhere (the user store's write-through, an import) join a graph.
   */
  mergeEntities(entities: readonly Entity[]): MergedEntity[] {
    return this.write(() => {
      const now = new Date().toISOString();
      return entities.map((given) => {
        const entity = this.cleanEntity(given);
        const existing = this.entityId(entity.name);
        const entityId = existing ?? this.insertEntity(entity.name, entity.entityType, now);
        const addedObservations = this.insertObservations(entityId, entity.observations, now);
        if (existing !== undefined && addedObservations.length > 0) this.touch(entityId, now);
        return { entity, existed: existing !== undefined, addedObservations };
      });
    });
  }

  /** Creates the relations not yet present and returns them. Their ends need not exist, as in the reference. */
  createRelations(relations: readonly Relation[]): Relation[] {
    return this.write(() => {
      const now = new Date().toISOString();
      return relations
        .map((relation) => this.cleanRelation(relation))
        .filter(
          (relation) =>
            this.statement(
              `INSERT INTO memory_relations (from_entity, to_entity, relation_type, created_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (from_entity, to_entity, relation_type) DO NOTHING`,
            ).run(relation.from, relation.to, relation.relationType, now).changes === 1,
        );
    });
  }

  /**
   * Adds observations to existing entities, skipping ones the entity already has. An unknown entity name throws
   * UnknownEntityError and nothing of the call is kept — unless `options.createMissing` gives it a type, when it
   * is created first.
   */
  addObservations(
    additions: readonly ObservationAddition[],
    options: AddObservationsOptions = {},
  ): AddedObservations[] {
    return this.write(() => {
      const now = new Date().toISOString();
      return additions.map((addition) => {
        const entityName = this.redact(addition.entityName);
        const entityId =
          this.entityId(entityName) ?? this.createEmpty(entityName, options.createMissing?.(addition.entityName), now);
        if (entityId === undefined) throw new UnknownEntityError(addition.entityName);
        const added = this.insertObservations(
          entityId,
          addition.contents.map((content) => this.redact(content)),
          now,
        );
        if (added.length > 0) this.touch(entityId, now);
        return { entityName, addedObservations: added };
      });
    });
  }

  /** Deletes the entities, their observations and every relation from or to them; unknown names are ignored. */
  deleteEntities(entityNames: readonly string[]): void {
    this.write(() => {
      for (const name of entityNames.map((given) => this.redact(given))) {
        this.statement('DELETE FROM memory_relations WHERE from_entity = @name OR to_entity = @name').run({ name });
        this.statement('DELETE FROM memory_entities WHERE name = ?').run(name);
      }
    });
  }

  /** Removes the given observations; unknown entities and observations are ignored. */
  deleteObservations(deletions: readonly ObservationDeletion[]): void {
    this.write(() => {
      const now = new Date().toISOString();
      for (const deletion of deletions) {
        const entityId = this.entityId(this.redact(deletion.entityName));
        if (entityId === undefined) continue;
        const removed = this.statement(
          'DELETE FROM memory_observations WHERE entity_id = ? AND content IN (SELECT value FROM json_each(?))',
        ).run(entityId, JSON.stringify(deletion.observations.map((observation) => this.redact(observation)))).changes;
        if (removed > 0) this.touch(entityId, now);
      }
    });
  }

  /** Deletes the relations that match exactly; the others are ignored. */
  deleteRelations(relations: readonly Relation[]): void {
    this.write(() => {
      for (const relation of relations.map((given) => this.cleanRelation(given))) {
        this.statement(
          'DELETE FROM memory_relations WHERE from_entity = ? AND to_entity = ? AND relation_type = ?',
        ).run(relation.from, relation.to, relation.relationType);
      }
    });
  }

  /** The whole graph. It can be large: prefer searchNodes or openNodes. */
  readGraph(): KnowledgeGraph {
    return this.read(() => {
      const rows = this.statement('SELECT id, name, entity_type FROM memory_entities ORDER BY id')
        .all()
        .map((row) => entityRowSchema.parse(row));
      const observations = groupObservations(
        this.statement('SELECT entity_id, content FROM memory_observations ORDER BY id')
          .all()
          .map((row) => observationRowSchema.parse(row)),
      );
      const relations = this.statement('SELECT from_entity, to_entity, relation_type FROM memory_relations ORDER BY id')
        .all()
        .map((row) => relationRowSchema.parse(row));
      return { entities: rows.map((row) => toEntity(row, observations)), relations: relations.map(toRelation) };
    });
  }

  /**
   * The entities that match `query`, best first (see rankEntityIds for the tiers), and every relation with at
   * least one end among them.
   */
  searchNodes(query: string, options: SearchOptions = {}): KnowledgeGraph {
    return this.read(() => this.subgraph(rankEntityIds(this.database, query, { limit: options.limit })));
  }

  /** The names of the entities that match `query` in the four tiers of the ranking (rankEntityTiers), best first in each. */
  searchTiers(query: string): string[][] {
    return this.read(() => {
      const tiers = rankEntityTiers(this.database, query);
      const names = this.namesById(tiers.flat());
      return tiers.map((ids) => ids.flatMap((id) => names.get(id) ?? []));
    });
  }

  /** The named entities that exist, in creation order, and every relation with at least one end among them. */
  openNodes(names: readonly string[]): KnowledgeGraph {
    return this.read(() => {
      const ids = z.array(rowId).parse(
        this.statement('SELECT id FROM memory_entities WHERE name IN (SELECT value FROM json_each(?)) ORDER BY id')
          .pluck()
          .all(JSON.stringify(names.map((name) => this.redact(name)))),
      );
      return this.subgraph(ids);
    });
  }

  /** The type of the named entity, or undefined when the graph does not hold it. */
  entityType(name: string): string | undefined {
    return this.read(() =>
      z
        .string()
        .optional()
        .parse(this.statement('SELECT entity_type FROM memory_entities WHERE name = ?').pluck().get(this.redact(name))),
    );
  }

  /** Closes the database; closing twice is harmless. */
  close(): void {
    this.statements.clear();
    if (this.database.open) this.database.close();
  }

  private subgraph(ids: readonly number[]): KnowledgeGraph {
    const idList = JSON.stringify(ids);
    const rows = this.statement(
      'SELECT id, name, entity_type FROM memory_entities WHERE id IN (SELECT value FROM json_each(?))',
    )
      .all(idList)
      .map((row) => entityRowSchema.parse(row));
    const rowsById = new Map(rows.map((row) => [row.id, row]));
    const observations = groupObservations(
      this.statement(
        'SELECT entity_id, content FROM memory_observations WHERE entity_id IN (SELECT value FROM json_each(?)) ORDER BY id',
      )
        .all(idList)
        .map((row) => observationRowSchema.parse(row)),
    );
    const entities = ids.flatMap((id) => {
      const row = rowsById.get(id);
      return row === undefined ? [] : [toEntity(row, observations)];
    });
    const relations = this.statement(
      `SELECT from_entity, to_entity, relation_type FROM memory_relations
        WHERE from_entity IN (SELECT value FROM json_each(@names)) OR to_entity IN (SELECT value FROM json_each(@names))
        ORDER BY id`,
    )
      .all({ names: JSON.stringify(entities.map((entity) => entity.name)) })
      .map((row) => relationRowSchema.parse(row));
    return { entities, relations: relations.map(toRelation) };
  }

  /** Inserts the observations the entity lacks (each once) and returns them in the order given. */
  private insertObservations(entityId: number, contents: readonly string[], now: string): string[] {
    const insert = this.statement(
      'INSERT INTO memory_observations (entity_id, content, created_at) VALUES (?, ?, ?) ON CONFLICT (entity_id, content) DO NOTHING',
    );
    return contents.filter((content) => insert.run(entityId, content, now).changes === 1);
  }

  /** A new entity without observations, when `entityType` is given. */
  private createEmpty(name: string, entityType: string | undefined, now: string): number | undefined {
    return entityType === undefined ? undefined : this.insertEntity(name, this.redact(entityType), now);
  }

  private insertEntity(name: string, entityType: string, now: string): number {
    return rowId.parse(
      this.statement(
        'INSERT INTO memory_entities (name, entity_type, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id',
      )
        .pluck()
        .get(name, entityType, now, now),
    );
  }

  private namesById(ids: readonly number[]): Map<number, string> {
    const rows = this.statement('SELECT id, name FROM memory_entities WHERE id IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(ids))
      .map((row) => entityNameRowSchema.parse(row));
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  private cleanEntity(entity: Entity): Entity {
    return redactEntity(entity, this.secrets);
  }

  private cleanRelation(relation: Relation): Relation {
    return redactRelation(relation, this.secrets);
  }

  private redact(text: string): string {
    return redactSecrets(text, this.secrets);
  }

  private entityId(name: string): number | undefined {
    return rowId.optional().parse(this.statement('SELECT id FROM memory_entities WHERE name = ?').pluck().get(name));
  }

  private touch(entityId: number, now: string): void {
    this.statement('UPDATE memory_entities SET updated_at = ? WHERE id = ?').run(now, entityId);
  }

  private write<Result>(work: () => Result): Result {
    this.ensureOpen();
    return this.database.transaction(work).immediate();
  }

  private read<Result>(work: () => Result): Result {
    this.ensureOpen();
    return this.database.transaction(work).deferred();
  }

  private statement(sql: string): Statement {
    let prepared = this.statements.get(sql);
    if (prepared === undefined) {
      prepared = this.database.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  private ensureOpen(): void {
    if (this.database.open) return;
    throw new MuxSwarmError(
      'memory_store_closed',
      `The knowledge graph database ${this.database.name} is closed (its memory server was closed); start the memory server again to use it.`,
    );
  }
}
