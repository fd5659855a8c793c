import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  graphToLines,
  importGraphLines,
  isGraphLine,
  parseGraphLine,
  type GraphWriter,
} from '../../src/state/graph-lines.js';
import type { GraphEntity, GraphRelation } from '../../src/state/knowledge-graph-union.js';

/** A writer over plain maps, with the store's semantics: entities merged by name, relations kept once. */
function memoryWriter(): GraphWriter & { entities: Map<string, GraphEntity>; relations: GraphRelation[] } {
  const entities = new Map<string, GraphEntity>();
  const relations: GraphRelation[] = [];
  return {
    entities,
    relations,
    mergeEntities: (given) =>
      given.map((entity) => {
        const known = entities.get(entity.name);
        if (known)
          known.observations.push(
            ...entity.observations.filter((observation) => !known.observations.includes(observation)),
          );
        else entities.set(entity.name, { ...entity, observations: [...entity.observations] });
        return { existed: known !== undefined };
      }),
    createRelations: (given) =>
      given.filter((relation) => {
        if (relations.some((known) => JSON.stringify(known) === JSON.stringify(relation))) return false;
        relations.push(relation);
        return true;
      }),
  };
}

describe('graph lines of memory export and import', () => {
  const graph = {
    entities: [{ name: 'python-venv', entityType: 'machine-quirk', observations: ['call /venv/main/bin/python'] }],
    relations: [{ from: 'python-venv', to: 'training', relationType: 'breaks' }],
  };

  it('writes entities, then relations, one JSON object a line', () => {
    assert.deepEqual(graphToLines(graph), [
      '{"type":"entity","name":"python-venv","entityType":"machine-quirk","observations":["call /venv/main/bin/python"]}',
      '{"type":"relation","from":"python-venv","to":"training","relationType":"breaks"}',
    ]);
  });

  it('tells graph lines from failure memory lines and from anything else', () => {
    for (const line of graphToLines(graph)) assert.equal(isGraphLine(line), true, line);
    for (const line of [
      '{"type":"failure","fingerprint":"a"}',
      '{"type":"fix"}',
      'not json',
      '',
      '["entity"]',
      '{"type":"entities"}',
    ])
      assert.equal(isGraphLine(line), false, line);
  });

  it('names what is wrong with a bad line', () => {
    assert.deepEqual(parseGraphLine('{"type":"entity","name":"x"}'), {
      problem: 'entityType: Invalid input: expected string, received undefined',
    });
    assert.deepEqual(parseGraphLine('{"type":"relation","from":"a","to":"b","relationType":"r","extra":1}'), {
      problem: 'Unrecognized key: "extra"',
    });
    assert.match((parseGraphLine('{"type":') as { problem: string }).problem, /^not JSON/);
  });

  it('imports what it wrote, counts lines already there as merged, and skips bad lines by number', () => {
    const writer = memoryWriter();
    const lines = graphToLines(graph);
    assert.deepEqual(
      importGraphLines(
        [
          [3, lines[0]!],
          [4, lines[1]!],
          [5, '{"type":"entity"}'],
        ],
        writer,
      ),
      {
        entities: 1,
        relations: 1,
        merged: 0,
        skipped: [{ line: 5, problem: 'name: Invalid input: expected string, received undefined' }],
      },
    );
    const again = importGraphLines(
      [
        [1, lines[0]!],
        [2, lines[1]!],
        [3, '{"type":"entity","name":"python-venv","entityType":"other","observations":["pip too"]}'],
      ],
      writer,
    );
    assert.deepEqual(again, { entities: 2, relations: 1, merged: 3, skipped: [] });
    assert.deepEqual(
      [...writer.entities.values()],
      [{ name: 'python-venv', entityType: 'machine-quirk', observations: ['call /venv/main/bin/python', 'pip too'] }],
    );
    assert.deepEqual(writer.relations, graph.relations);
  });
});
