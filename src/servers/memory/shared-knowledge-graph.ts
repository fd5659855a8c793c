import { describeError } from '../../errors/mux-swarm-error.js';
import { interleaveTiers, unionGraphs } from '../../state/knowledge-graph-union.js';
import type {
  AddedObservations,
  Entity,
  KnowledgeGraph,
  ObservationAddition,
  ObservationDeletion,
  Relation,
} from '../../state/knowledge-graph.js';
import type { KnowledgeGraphStore, SearchOptions } from '../../state/knowledge-graph-store.js';

/** An agent's mark on a write: `general: true` is a lesson that holds beyond this project. */
export interface GeneralMark {
  general?: boolean | undefined;
}

/** The user store's graph beside the workdir's, and which writes go through to it. */
export interface UserGraph {
  /** memory.db, named in notes. */
  path: string;
  /** The open store; undefined when memory.db could not be opened (`problem` says why). */
  store?: KnowledgeGraphStore;
  problem?: string;
  /** "general": only what the agent marks general; "all": every write. */
  sharing: 'general' | 'all';
}

/** A tool's result, and a note for the agent when the user store should have been used and could not be. */
export interface SharedOutcome<Result> {
  result: Result;
  note?: string;
}

/**
 * The workdir's knowledge graph with the user store's beside it (docs/memory-server.md). Writes go to the workdir
 * graph as in the reference server — that write decides the result, and its failure fails the call — and then,
 * what is shared (marked general, or everything with sharing "all"), to the user store, merged: an entity it
 * already holds gains the observations it lacks. Deletions apply to both. Reads return the union: one entity per
 * name (the workdir's type, the workdir's observations first), each relation once. A user store that cannot be
 * read or written never fails a call: the workdir's part stands and the outcome carries a note saying so.
 */
export class SharedKnowledgeGraph {
  constructor(
    readonly workdir: KnowledgeGraphStore,
    readonly user?: UserGraph,
  ) {}

  createEntities(entities: ReadonlyArray<Entity & GeneralMark>): SharedOutcome<Entity[]> {
    const result = this.workdir.createEntities(entities.map(withoutMark));
    const shared = entities.filter((entity) => this.shares(entity)).map(withoutMark);
    return { result, ...this.writeThrough(shared.length, (store) => store.mergeEntities(shared)) };
  }

  createRelations(relations: ReadonlyArray<Relation & GeneralMark>): SharedOutcome<Relation[]> {
    const result = this.workdir.createRelations(relations.map(withoutMark));
    const shared = relations.filter((relation) => this.shares(relation)).map(withoutMark);
    return { result, ...this.writeThrough(shared.length, (store) => store.createRelations(shared)) };
  }

  /**
   * Adds observations in the workdir graph; an entity only the user store holds (a search found it there) is
   * created in the workdir with the user store's type first. Shared additions go to the user store, creating the
   * entity there with the workdir's type when it is new to it.
   */
  addObservations(additions: ReadonlyArray<ObservationAddition & GeneralMark>): SharedOutcome<AddedObservations[]> {
    const result = this.workdir.addObservations(additions.map(withoutMark), {
      createMissing: (name) => this.userEntityType(name),
    });
    const shared = additions.filter((addition) => this.shares(addition)).map(withoutMark);
    return {
      result,
      ...this.writeThrough(shared.length, (store) =>
        store.addObservations(shared, { createMissing: (name) => this.workdir.entityType(name) }),
      ),
    };
  }

  deleteEntities(entityNames: readonly string[]): SharedOutcome<void> {
    this.workdir.deleteEntities(entityNames);
    return { result: undefined, ...this.deleteThrough((store) => store.deleteEntities(entityNames)) };
  }

  deleteObservations(deletions: readonly ObservationDeletion[]): SharedOutcome<void> {
    this.workdir.deleteObservations(deletions);
    return { result: undefined, ...this.deleteThrough((store) => store.deleteObservations(deletions)) };
  }

  deleteRelations(relations: readonly Relation[]): SharedOutcome<void> {
    this.workdir.deleteRelations(relations);
    return { result: undefined, ...this.deleteThrough((store) => store.deleteRelations(relations)) };
  }

  readGraph(): SharedOutcome<KnowledgeGraph> {
    return this.union(this.workdir.readGraph(), (store) => store.readGraph());
  }

  openNodes(names: readonly string[]): SharedOutcome<KnowledgeGraph> {
    return this.union(this.workdir.openNodes(names), (store) => store.openNodes(names));
  }

  /**
   * The entities of both graphs that match `query`, best first, and the relations that touch them. The two
   * rankings are merged tier by tier, taking the stores' results in turn (interleaveTiers): a bm25 score is
   * relative to its own database, so scores of two stores cannot be compared, while tiers (every word whole,
   * every word as a prefix, any word, the plain substring) mean the same in both.
   */
  searchNodes(query: string, options: SearchOptions = {}): SharedOutcome<KnowledgeGraph> {
    if (this.user === undefined) return { result: this.workdir.searchNodes(query, options) };
    const user = this.fromUser((store) => store.searchTiers(query));
    const ranked = interleaveTiers([this.workdir.searchTiers(query), user.value ?? []]);
    const names = options.limit === undefined ? ranked : ranked.slice(0, options.limit);
    const found = this.union(this.workdir.openNodes(names), (store) => store.openNodes(names));
    const position = new Map(names.map((name, index) => [name, index]));
    found.result.entities.sort((left, right) => position.get(left.name)! - position.get(right.name)!);
    const note = found.note ?? (user.problem === undefined ? undefined : readProblemNote(user.problem));
    return { result: found.result, ...(note === undefined ? {} : { note }) };
  }

  private shares(item: GeneralMark): boolean {
    return this.user !== undefined && (this.user.sharing === 'all' || item.general === true);
  }

  private userEntityType(name: string): string | undefined {
    return this.fromUser((store) => store.entityType(name)).value;
  }

  private union(
    workdir: KnowledgeGraph,
    read: (store: KnowledgeGraphStore) => KnowledgeGraph,
  ): SharedOutcome<KnowledgeGraph> {
    if (this.user === undefined) return { result: workdir };
    const user = this.fromUser(read);
    const result = user.value === undefined ? workdir : unionGraphs(workdir, user.value);
    return { result, ...(user.problem === undefined ? {} : { note: readProblemNote(user.problem) }) };
  }

  private writeThrough(count: number, write: (store: KnowledgeGraphStore) => unknown): { note?: string } {
    if (count === 0 || this.user === undefined) return {};
    const problem = this.toUser(write);
    return problem === undefined
      ? {}
      : {
          note: `Not written to the user store (${this.user.path}): ${problem}. What this call wrote is kept in this workdir's graph only; other workdirs will not see it.`,
        };
  }

  private deleteThrough(remove: (store: KnowledgeGraphStore) => void): { note?: string } {
    if (this.user === undefined) return {};
    const problem = this.toUser(remove);
    return problem === undefined
      ? {}
      : {
          note: `Not deleted from the user store (${this.user.path}): ${problem}. It was deleted from this workdir's graph only; other workdirs may still see it.`,
        };
  }

  /** Runs a write on the user store; what went wrong, or undefined when it was written. */
  private toUser(work: (store: KnowledgeGraphStore) => unknown): string | undefined {
    const user = this.user!;
    if (user.store === undefined) return user.problem ?? 'it is not open';
    try {
      work(user.store);
      return undefined;
    } catch (error) {
      return describeError(error);
    }
  }

  private fromUser<Value>(read: (store: KnowledgeGraphStore) => Value): { value?: Value; problem?: string } {
    const user = this.user;
    if (user === undefined) return {};
    const problem = (reason: string) => ({ problem: `The user store (${user.path}) could not be read: ${reason}` });
    if (user.store === undefined) return problem(user.problem ?? 'it is not open');
    try {
      return { value: read(user.store) };
    } catch (error) {
      return problem(describeError(error));
    }
  }
}

/** The item without the `general` mark, as the stores take it. */
function withoutMark<Item extends GeneralMark>(item: Item): Omit<Item, 'general'> {
  const { general: _general, ...rest } = item;
  return rest;
}

function readProblemNote(problem: string): string {
  return `${problem}; these results are this workdir's graph only.`;
}
