import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { toolResultText } from '../../src/tools/tool-result-text.js';

describe('toolResultText', () => {
  it('joins text blocks with newlines', () => {
    assert.equal(
      toolResultText({
        content: [
          { type: 'text', text: 'one' },
          { type: 'text', text: 'two' },
        ],
      }),
      'one\ntwo',
    );
  });

  it('describes images and audio by type and decoded size', () => {
    const data = Buffer.from('0123456789').toString('base64'); // 10 bytes, "==" padding
    assert.equal(
      toolResultText({ content: [{ type: 'image', data, mimeType: 'image/png' }] }),
      '[image: image/png, 10 bytes]',
    );
    assert.equal(
      toolResultText({ content: [{ type: 'audio', data: Buffer.alloc(3).toString('base64'), mimeType: 'audio/wav' }] }),
      '[audio: audio/wav, 3 bytes]',
    );
    assert.equal(toolResultText({ content: [{ type: 'image', data: '' }] }), '[image: unknown type, 0 bytes]');
  });

  it('gives embedded resources their text, and names links and other blocks', () => {
    assert.equal(
      toolResultText({
        content: [
          { type: 'resource', resource: { uri: 'file:///a.txt', text: 'inside a' } },
          { type: 'resource', resource: { uri: 'file:///b.bin', blob: 'AAAA' } },
          { type: 'resource_link', uri: 'file:///c.txt', name: 'c' },
          { type: 'something_new' },
        ],
      }),
      'inside a\n[resource file:///b.bin]\n[resource link file:///c.txt (c)]\n[something_new content]',
    );
  });

  it('shows structured content as JSON when no block carries text, and not when one does', () => {
    assert.equal(toolResultText({ content: [], structuredContent: { answer: 42 } }), '{\n  "answer": 42\n}');
    assert.equal(toolResultText({ structuredContent: [1, 2] }), '[\n  1,\n  2\n]');
    assert.equal(
      toolResultText({ content: [{ type: 'text', text: 'the answer is 42' }], structuredContent: { answer: 42 } }),
      'the answer is 42',
    );
    assert.equal(
      toolResultText({
        content: [{ type: 'image', data: 'AAAA', mimeType: 'image/png' }],
        structuredContent: { width: 1 },
      }),
      '[image: image/png, 3 bytes]\n{\n  "width": 1\n}',
      'an image alone does not hide the structured content',
    );
  });

  it('falls back to a legacy toolResult, and to an empty string for an empty result', () => {
    assert.equal(toolResultText({ toolResult: { ok: true } }), '{\n  "ok": true\n}');
    assert.equal(toolResultText({ content: [] }), '');
    assert.equal(toolResultText({}), '');
  });
});
