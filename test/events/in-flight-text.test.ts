import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { InFlightCall } from '../../src/events/event-schema.js';
import { formatElapsed, statusText, waitingLine } from '../../src/events/in-flight-text.js';

const model: InFlightCall = {
  agent: 'code',
  delegation_id: 'd1.1.0',
  kind: 'model',
  model: 'openrouter/openai/gpt-5',
  elapsed_ms: 12_400,
  tokens_streamed: 340,
};
const tool: InFlightCall = {
  agent: 'code',
  delegation_id: 'd1.1.0',
  kind: 'tool',
  tool: 'shell__run_command',
  elapsed_ms: 65_000,
};

describe('what text mode says the run waits for', () => {
  it('counts elapsed time in whole seconds, minutes and hours', () => {
    assert.equal(formatElapsed(0), '0s');
    assert.equal(formatElapsed(12_999), '12s');
    assert.equal(formatElapsed(65_000), '1m 05s');
    assert.equal(formatElapsed(3_725_000), '1h 02m');
  });

  it('shows one call as agent · model or tool · elapsed · tokens streamed so far', () => {
    assert.equal(statusText([model], 100), '⋯ code · openrouter/openai/gpt-5 · 12s · ~340 tokens');
    assert.equal(statusText([tool], 100), '⋯ code · shell__run_command · 1m 05s');
    assert.equal(statusText([], 100), undefined);
  });

  it('counts several calls and clips the line to one column less than the terminal', () => {
    const text = statusText([tool, model], 200)!;
    assert.equal(
      text,
      '⋯ 2 waiting: code · shell__run_command · 1m 05s │ code · openrouter/openai/gpt-5 · 12s · ~340 tokens',
    );
    const clipped = statusText([tool, model], 40)!;
    assert.equal(clipped.length, 39);
    assert.equal(clipped, `${text.slice(0, 38)}…`);
    assert.equal(statusText([model], undefined)!.length <= 79, true, 'an unknown width is taken as 80');
  });

  it('writes the plain line of a log with every call, and its tokens when it streams', () => {
    assert.equal(waitingLine([model]), '… waiting: code on openrouter/openai/gpt-5 for 12s (~340 tokens streamed)');
    assert.equal(
      waitingLine([tool, { ...model, tokens_streamed: undefined }]),
      '… waiting: code on shell__run_command for 1m 05s; code on openrouter/openai/gpt-5 for 12s',
    );
  });
});
