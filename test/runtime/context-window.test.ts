import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage } from '../../src/providers/chat-types.js';
import { contextWindowFor } from '../../src/runtime/context-window.js';

/** A model whose catalogue window is 6,000 tokens, counting how often it is asked. */
function countingModel(): { contextWindow: () => Promise<number | undefined>; asked: () => number } {
  let asked = 0;
  return {
    contextWindow: async () => {
      asked += 1;
      return 6000;
    },
    asked: () => asked,
  };
}

const transcript = (length: number): ChatMessage[] =>
  Array.from(
    { length },
    (_, index) => ({ role: index === 0 ? 'system' : 'user', content: `message ${index}` }) as ChatMessage,
  );

describe('contextWindowFor', () => {
  it("takes swarm.json's window without asking the model", async () => {
    const model = countingModel();
    assert.equal(await contextWindowFor(transcript(20), 1000, model), 1000);
    assert.equal(model.asked(), 0);
  });

  it('asks the model (the catalogue) only once the transcript has a message that could be trimmed', async () => {
    const model = countingModel();
    assert.equal(
      await contextWindowFor(transcript(2), undefined, model),
      undefined,
      'a first call does not wait for the catalogue',
    );
    assert.equal(
      await contextWindowFor(transcript(8), undefined, model),
      undefined,
      'system, task and the six newest are never trimmed',
    );
    assert.equal(model.asked(), 0);
    assert.equal(await contextWindowFor(transcript(9), undefined, model), 6000);
    assert.equal(model.asked(), 1);
    assert.equal(await contextWindowFor(transcript(9), undefined, {}), undefined, 'a model without a catalogue window');
  });
});
