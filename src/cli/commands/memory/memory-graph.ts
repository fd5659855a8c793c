import type { KnownSecrets } from '../../../logging/secret-scrubber.js';
import { KnowledgeGraphStore } from '../../../state/knowledge-graph-store.js';
import { graphToLines, importGraphLines, isGraphLine, type GraphImportResult } from '../../../state/graph-lines.js';
import { redactEntity, redactRelation } from '../../../state/graph-redaction.js';
import { unionGraphs } from '../../../state/knowledge-graph-union.js';
import type { OpenStore } from './memory-stores.js';

/**
 * The knowledge graph's part of `memory export` and `memory import` (graph-lines.ts): the memory server's graph
 * in the same databases as failure memory — the workdir's state.db, the user store's memory.db.
 */

/** The graph of the open stores as one (the workdir's first), secrets redacted, as export lines with their counts. */
export function exportGraph(
  stores: readonly OpenStore[],
  secrets: KnownSecrets,
): { lines: string[]; entities: number; relations: number } {
  const graph = unionGraphs(...stores.map((open) => graphStore(open, secrets).readGraph()));
  const redacted = unionGraphs({
    entities: graph.entities.map((entity) => redactEntity(entity, secrets)),
    relations: graph.relations.map((relation) => redactRelation(relation, secrets)),
  });
  return { lines: graphToLines(redacted), entities: redacted.entities.length, relations: redacted.relations.length };
}

/**
 * The lines of an export split in two: the failure memory's, with each graph line left blank (so the line numbers
 * failure memory reports stay the file's), and the graph's, numbered from 1.
 */
export function splitExportLines(lines: readonly string[]): {
  failureLines: string[];
  graphLines: Array<[number, string]>;
} {
  const graphLines: Array<[number, string]> = [];
  const failureLines = lines.map((text, index) => {
    if (!isGraphLine(text)) return text;
    graphLines.push([index + 1, text]);
    return '';
  });
  return { failureLines, graphLines };
}

/** Merges graph lines into the store's graph (the caller holds the transaction); the store redacts what it writes. */
export function importGraph(
  target: OpenStore,
  graphLines: ReadonlyArray<readonly [number, string]>,
  secrets: KnownSecrets,
): GraphImportResult {
  return importGraphLines(graphLines, graphStore(target, secrets));
}

/** The graph over a store's open database; the database stays the caller's to close. */
function graphStore(open: OpenStore, secrets: KnownSecrets): KnowledgeGraphStore {
  return new KnowledgeGraphStore(open.store.database, { secrets });
}
