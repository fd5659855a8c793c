import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage } from '../../src/providers/chat-types.js';
import { comparableResult, observedTurns, type ObservedTurn } from '../../src/runtime/stuck/observed-turn.js';
import { StuckDetector, type StuckSignal, type StuckVerdict } from '../../src/runtime/stuck/stuck-detector.js';

const call = (name: string, args: object, result: string) => ({ name, arguments: JSON.stringify(args), result });
const turn = (...calls: ReturnType<typeof call>[]): ObservedTurn => ({ calls });
const refused = (text: string): ObservedTurn => ({
  calls: [],
  refusal: { text, goalUnmet: text.startsWith('not completed: the goal') },
});

/** The signal of a verdict that is not `none`. */
function signalOf(verdict: StuckVerdict): StuckSignal {
  assert.notEqual(verdict.action, 'none');
  return (verdict as Exclude<StuckVerdict, { action: 'none' }>).signal;
}

function actions(detector: StuckDetector, turns: ObservedTurn[]): string[] {
  return turns.map((entry) => detector.observe(entry).action);
}

describe('the no-progress detector', () => {
  it('warns at the Nth identical call with the same result, and ends at the next one', () => {
    const detector = new StuckDetector({ repeatedCalls: 3, idleTurns: 10 });
    const same = turn(call('shell__run_command', { command: 'ls' }, 'a b'));
    assert.deepEqual(actions(detector, [same, same]), ['none', 'none']);
    const warned = detector.observe(same);
    assert.equal(warned.action, 'warn');
    assert.equal(signalOf(warned).pattern, 'repeated_call');
    assert.match(signalOf(warned).detail, /called shell__run_command \{"command":"ls"\} 3 times in a row/);
    const ended = detector.observe(same);
    assert.equal(ended.action, 'end');
  });

  it('counts identical calls within one turn as in a row', () => {
    const detector = new StuckDetector({ repeatedCalls: 3, idleTurns: 10 });
    const same = call('fs__read_text_file', { path: 'a.txt' }, 'hello');
    assert.equal(detector.observe(turn(same, same, same)).action, 'warn');
  });

  it('does not take a call whose result changes for a repeat: polling a job that moves is progress', () => {
    const detector = new StuckDetector({ repeatedCalls: 3, idleTurns: 10 });
    const polls = Array.from({ length: 12 }, (_, step) =>
      turn(call('shell__job_status', { job_id: 'j1' }, `running, step ${step}`)),
    );
    assert.deepEqual(actions(detector, polls), Array(12).fill('none'));
  });

  it('compares results without millisecond durations, saved-result paths and the known fixes memory appends', () => {
    assert.equal(
      comparableResult('`ls` succeeded: exit code 0 (12 ms).'),
      comparableResult('`ls` succeeded: exit code 0 (3 ms).'),
    );
    assert.equal(
      comparableResult('x\n\n[mux-swarm memory] This error has known fixes (fingerprint f, met 2 times)'),
      comparableResult('x\n\n[mux-swarm memory] This error has known fixes (fingerprint f, met 3 times)'),
    );
    assert.equal(
      comparableResult('saved at .mux-swarm/runs/r/results/d1.2.0.txt; read'),
      comparableResult('saved at .mux-swarm/runs/r/results/d1.3.0.txt; read'),
    );
    assert.notEqual(
      comparableResult('running for 5m 3s'),
      comparableResult('running for 6m 10s'),
      'elapsed time in words still moves',
    );
  });

  it('warns at the Nth refused completion with the same reason and no progress between, then ends', () => {
    const detector = new StuckDetector({ repeatedCalls: 3, idleTurns: 10 });
    const refusal = refused(
      'not completed: the goal does not hold yet: phase 1 (Write), goal.md line 9: `a.py` is non-empty — a.py: does not exist',
    );
    assert.deepEqual(actions(detector, [refusal, refusal, refusal, refusal]), ['none', 'none', 'warn', 'end']);
  });

  it('starts the refusal count again after progress: working between two claims is not going in circles', () => {
    const detector = new StuckDetector({ repeatedCalls: 3, idleTurns: 10 });
    const refusal = refused(
      'not completed: the goal does not hold yet: phase 1 (Write), goal.md line 9: `a.txt` has exactly 30 lines — a.txt: 29 lines',
    );
    const verdicts: string[] = [];
    for (let attempt = 0; attempt < 6; attempt += 1) {
      verdicts.push(detector.observe(refusal).action);
      verdicts.push(
        detector.observe(turn(call('shell__run_command', { command: `fix ${attempt}` }, `tried ${attempt}`))).action,
      );
    }
    assert.deepEqual(verdicts, Array(12).fill('none'));
  });

  it('warns after M turns without a new result (going round in circles), ends at the next such turn', () => {
    const detector = new StuckDetector({ repeatedCalls: 3, idleTurns: 4 });
    const a = turn(call('fs__read_text_file', { path: 'a' }, 'A'));
    const b = turn(call('fs__read_text_file', { path: 'b' }, 'B'));
    // a and b are new once; then alternating between them brings nothing new.
    assert.deepEqual(actions(detector, [a, b, a, b, a]), ['none', 'none', 'none', 'none', 'none']);
    const warned = detector.observe(b);
    assert.equal(warned.action, 'warn');
    assert.equal(signalOf(warned).pattern, 'no_progress');
    assert.match(signalOf(warned).detail, /4 turns in a row without a new tool result/);
    assert.equal(detector.observe(a).action, 'end');
  });

  it('forgets a warning once the agent makes progress', () => {
    const detector = new StuckDetector({ repeatedCalls: 2, idleTurns: 10 });
    const same = turn(call('shell__run_command', { command: 'ls' }, 'a'));
    assert.deepEqual(actions(detector, [same, same]), ['none', 'warn']);
    assert.equal(detector.observe(turn(call('shell__run_command', { command: 'touch b' }, 'ok'))).action, 'none');
    assert.deepEqual(actions(detector, [same, same]), ['none', 'warn'], 'warned afresh, not ended');
  });

  it('turns a rule off with false', () => {
    const detector = new StuckDetector({ repeatedCalls: false, idleTurns: false });
    const same = turn(call('shell__run_command', { command: 'ls' }, 'a'));
    assert.deepEqual(actions(detector, Array(20).fill(same)), Array(20).fill('none'));
  });
});

describe('turns as the detector reads them from a transcript', () => {
  const assistant = (calls: Array<{ id: string; name: string; arguments: string }>): ChatMessage => ({
    role: 'assistant',
    content: null,
    tool_calls: calls.map((entry) => ({
      id: entry.id,
      type: 'function' as const,
      function: { name: entry.name, arguments: entry.arguments },
    })),
  });
  const tool = (id: string, content: string): ChatMessage => ({ role: 'tool', tool_call_id: id, content });

  it('pairs each call with its result, takes a refused completion apart, and stops at a turn whose results are not recorded', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 's' },
      { role: 'user', content: 'task' },
      assistant([
        { id: 'c1', name: 'shell__run_command', arguments: '{"b":1,"a":2}' },
        { id: 'c2', name: 'complete', arguments: '{}' },
      ]),
      tool('c1', 'ran (5 ms)'),
      tool('c2', 'not completed: the goal does not hold yet: phase 1 …'),
      { role: 'user', content: 'a runtime message' },
      { role: 'assistant', content: 'thinking aloud' },
      { role: 'user', content: 'nudge' },
      assistant([{ id: 'c3', name: 'fs__read_text_file', arguments: '{}' }]),
    ];
    const turns = observedTurns(messages);
    assert.equal(turns.length, 2, 'the last turn has no recorded result');
    assert.deepEqual(turns[0]!.calls, [
      { name: 'shell__run_command', arguments: '{"a":2,"b":1}', result: 'ran (# ms)' },
    ]);
    assert.deepEqual(turns[0]!.refusal, {
      text: 'not completed: the goal does not hold yet: phase 1 …',
      goalUnmet: true,
    });
    assert.deepEqual(turns[1], { calls: [] }, 'a reply without tool calls is a turn without calls');
  });
});
