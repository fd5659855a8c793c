import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countText } from '../../src/events/count-text.js';
import type { RunEvent } from '../../src/events/event-schema.js';
import { createHumanRenderer } from '../../src/events/human-renderer.js';

describe('counts agree in number', () => {
  it('countText: 1 turn, 2 turns, 0 turns, thousands grouped, irregular plurals', () => {
    assert.deepEqual(
      [
        countText(1, 'turn'),
        countText(2, 'turn'),
        countText(0, 'turn'),
        countText(1234, 'token'),
        countText(1, 'MCP server'),
        countText(3, 'child', 'children'),
      ],
      ['1 turn', '2 turns', '0 turns', '1,234 tokens', '1 MCP server', '3 children'],
    );
  });

  it('the human renderer says "1 agent · 1 MCP server, 1 tool", "(1 turn," and "· 1 turn · 1 token ·"', () => {
    let output = '';
    const render = createHumanRenderer({ write: (text) => (output += text), color: false });
    render({
      type: 'system',
      subtype: 'init',
      run_id: 'r1',
      goal: { name: 'G' },
      mode: 'hierarchical',
      agents: [{ name: 'orchestrator', provider: 'fake', model: 'm', can_delegate_to: [] }],
      mcp_servers: [{ name: 'fs', status: 'connected' }],
      tools: ['fs__read_text_file'],
    } as unknown as RunEvent);
    render({
      type: 'delegation-end',
      agent: 'orchestrator',
      status: 'success',
      turns: 1,
      duration_ms: 1_000,
      cost_usd: 0,
      summary: 'done',
    } as unknown as RunEvent);
    render({
      type: 'result',
      subtype: 'success',
      usage: { input_tokens: 1, output_tokens: 0 },
      duration_ms: 1_000,
      num_turns: 1,
      total_cost_usd: 0,
      exit_code: 0,
    } as unknown as RunEvent);
    assert.match(output, /· hierarchical · 1 agent · 1 MCP server, 1 tool\n/);
    assert.match(output, /✔ success \(1 turn, 1 s, \$0\.0000\) done/);
    assert.match(output, /■ success in 1 s · 1 turn · 1 token · /);
  });
});
