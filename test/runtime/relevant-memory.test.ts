import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { GoalEvaluation } from '../../src/runtime/phases/evaluate-phase-conditions.js';
import { findRelevantMemory } from '../../src/runtime/recovery/relevant-memory.js';
import { KnowledgeGraphStore } from '../../src/state/knowledge-graph-store.js';
import { openDatabase } from '../../src/state/database.js';

const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-relevant-memory-'));

/** A goal whose one phase, "Train with python", is not done. */
const EVALUATION: GoalEvaluation = {
  workdir: directory,
  phases: [
    { phase: { number: 1, title: 'Train with python', text: '', conditions: [] }, state: 'unchecked', conditions: [] },
  ],
  allDone: true,
};

describe('findRelevantMemory: what phase 0 reports from the workdir graph and the user store', () => {
  after(() => rmSync(directory, { recursive: true, force: true }));

  it("reports what either graph remembers, and the workdir's alone when the user store cannot be read", () => {
    const workdir = new KnowledgeGraphStore(openDatabase(join(directory, 'work')));
    const user = new KnowledgeGraphStore(openDatabase(join(directory, 'user'), 'memory.db'));
    workdir.createEntities([{ name: 'train-script', entityType: 'file', observations: ['train.py uses python 3.11'] }]);
    user.createEntities([
      { name: 'python-venv', entityType: 'machine-quirk', observations: ['call /venv/main/bin/python'] },
    ]);

    const both = findRelevantMemory(workdir.database, 'Classifier', EVALUATION, user.database);
    assert.deepEqual(both.entities.map((entity) => entity.name).sort(), ['python-venv', 'train-script']);
    assert.equal(both.problem, undefined);
    assert.deepEqual(
      findRelevantMemory(workdir.database, 'Classifier', EVALUATION).entities.map((entity) => entity.name),
      ['train-script'],
    );

    user.close();
    const withoutUser = findRelevantMemory(workdir.database, 'Classifier', EVALUATION, user.database);
    assert.deepEqual(withoutUser, {
      entities: [
        { name: 'train-script', entityType: 'file', observations: ['train.py uses python 3.11'], moreObservations: 0 },
      ],
    });
    workdir.close();
  });
});
