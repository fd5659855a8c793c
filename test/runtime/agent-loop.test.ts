import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { newMarker, tsxServer } from '../fixtures/hub-test-support.js';
import { agentDefinition, completeTurn as complete, harnessPerTest, toolMessages } from '../support/runtime-harness.js';

describe('agent loop', () => {
  const createHarness = harnessPerTest();

  it("ends the run with the orchestrator's explicit completion: status, summary and artifacts", async () => {
    const harness = await createHarness({
      orchestrator: { mcpServers: ['fs'] },
      script: {
        orchestrator: [
          { toolCalls: [{ name: 'fs__write_file', arguments: { path: 'out.txt', content: 'done' } }] },
          complete('success', 'wrote out.txt', ['out.txt']),
        ],
      },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'success');
    assert.equal(result.exit_code, 0);
    assert.equal(result.result, 'wrote out.txt');
    assert.deepEqual(result.artifacts, ['out.txt']);
    assert.equal(result.num_turns, 2);
    assert.equal(readFileSync(join(harness.workdir, 'out.txt'), 'utf8'), 'done');
  });

  it('runs the completion after the other calls of the same turn, so its artifacts can be written in that turn', async () => {
    const harness = await createHarness({
      orchestrator: { mcpServers: ['fs'] },
      script: {
        orchestrator: [
          {
            toolCalls: [
              { name: 'complete', arguments: { status: 'success', summary: 'all at once', artifacts: ['late.txt'] } },
              { name: 'fs__write_file', arguments: { path: 'late.txt', content: 'x' } },
            ],
          },
        ],
      },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'success');
    assert.deepEqual(result.artifacts, ['late.txt']);
  });

  it('refuses a successful completion naming artifacts that do not exist, and accepts the corrected one', async () => {
    const harness = await createHarness({
      script: {
        orchestrator: [complete('success', 'claimed', ['missing.txt']), complete('partial', 'nothing written', [])],
      },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'error_goal_failed');
    assert.equal(result.result, 'nothing written');
    const refusal = toolMessages(harness.models.get('orchestrator')!, 1)[0]!;
    assert.match(refusal, /^not completed: these artifact paths do not exist: missing\.txt\./);
  });

  it('stops an agent at its turn limit as partial, with its last message, never in silence', async () => {
    const harness = await createHarness({
      agents: [agentDefinition('worker', { maxTurns: 2, mcpServers: ['fs'] })],
      script: {
        orchestrator: [
          { toolCalls: [{ name: 'delegate', arguments: { agent: 'worker', task: 'loop forever' } }] },
          complete('failure', 'worker gave up'),
        ],
        worker: [
          { content: 'looking around', toolCalls: [{ name: 'fs__list_directory', arguments: { path: '.' } }] },
          { content: 'still looking', toolCalls: [{ name: 'fs__list_directory', arguments: { path: '.' } }] },
        ],
      },
    });
    const result = await harness.drive();
    const end = harness.events.find((event) => event.type === 'delegation-end' && event.agent === 'worker');
    assert.ok(end && end.type === 'delegation-end');
    assert.equal(end.status, 'partial');
    assert.equal(end.stop_reason, 'max_turns');
    assert.equal(end.summary, 'stopped after 2 turns without completing. Last message: still looking');
    const delegationResult = toolMessages(harness.models.get('orchestrator')!, 1)[0]!;
    assert.match(delegationResult, /^worker finished with status partial after 2 turns \(max_turns/);
    assert.equal(result.subtype, 'error_goal_failed');
  });

  it('nudges an agent that answers without tools, then takes two such answers as an unconfirmed end', async () => {
    const harness = await createHarness({
      script: { orchestrator: [{ content: 'I think it is done.' }, { content: 'Really done.' }] },
    });
    const result = await harness.drive();
    const secondRequest = harness.models.get('orchestrator')!.requests[1]!;
    assert.match(
      String(secondRequest.messages.at(-1)!.content),
      /^You replied without calling a tool\. If your work is finished/,
    );
    assert.equal(result.subtype, 'error_goal_failed');
    assert.equal(result.result, 'Really done.');
    const end = harness.events.find((event) => event.type === 'delegation-end');
    assert.ok(end?.type === 'delegation-end' && end.stop_reason === 'no_completion');
  });

  it('answers an unknown tool and malformed arguments with errors the model can act on', async () => {
    const harness = await createHarness({
      orchestrator: { mcpServers: ['fs'] },
      script: {
        orchestrator: [
          {
            toolCalls: [
              { name: 'fs__write_fil', arguments: { path: 'a', content: 'b' } },
              { name: 'fs__list_directory', arguments: '{"path": ' },
            ],
          },
          complete('success', 'recovered'),
        ],
      },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'success');
    const [unknown, malformed] = toolMessages(harness.models.get('orchestrator')!, 1);
    assert.match(
      unknown!,
      /^there is no tool "fs__write_fil" for you \(did you mean "fs__write_file"\?\); your tools are: complete, read_result, fs__/,
    );
    assert.match(
      malformed!,
      /^the arguments of fs__list_directory are not a JSON object \(.+\); call it again with a JSON object matching its schema$/,
    );
    const errors = harness.events
      .flatMap((event) => (event.type === 'user' ? event.message.content : []))
      .filter((block) => block.is_error);
    assert.equal(errors.length, 2);
  });

  it('gives every tool call of a turn a unique id even when the model repeats one', async () => {
    const harness = await createHarness({
      orchestrator: { mcpServers: ['fs'] },
      script: {
        orchestrator: [
          {
            toolCalls: [
              { name: 'fs__list_allowed_directories', arguments: {}, id: 'same' },
              { name: 'fs__list_allowed_directories', arguments: {}, id: 'same' },
            ],
          },
          complete('success', 'ok'),
        ],
      },
    });
    await harness.drive();
    const request = harness.models.get('orchestrator')!.requests[1]!;
    const assistant = request.messages.find((message) => message.role === 'assistant') as {
      tool_calls: Array<{ id: string }>;
    };
    const ids = assistant.tool_calls.map((call) => call.id);
    assert.equal(new Set(ids).size, 2);
    const toolIds = request.messages
      .filter((message) => message.role === 'tool')
      .map((message) => (message as { tool_call_id: string }).tool_call_id);
    assert.deepEqual(toolIds, ids);
  });

  it('writes a large tool result to a file, shows the model a preview with the path, and reads parts back with read_result', async () => {
    const big = Array.from({ length: 3000 }, (_, index) => `line ${index}`).join('\n');
    const harness = await createHarness({
      orchestrator: { mcpServers: ['fs'] },
      limits: { maxToolResultChars: 2000 },
      script: {
        orchestrator: [
          { toolCalls: [{ name: 'fs__write_file', arguments: { path: 'big.txt', content: big } }] },
          { toolCalls: [{ name: 'fs__read_text_file', arguments: { path: 'big.txt' } }] },
          (request) => {
            const preview = String(request.messages.at(-1)!.content);
            const path = /saved at (\S+);/.exec(preview)![1]!;
            return {
              toolCalls: [
                { name: 'read_result', arguments: { path, offset: 20000, limit: 30 } },
                { name: 'read_result', arguments: { path: '../../../etc/passwd' } },
              ],
            };
          },
          complete('success', 'read it'),
        ],
      },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'success');
    const model = harness.models.get('orchestrator')!;
    const preview = toolMessages(model, 2).at(-1)!;
    assert.ok(preview.length < 2000 + 400, `preview is short (${preview.length})`);
    assert.ok(preview.startsWith('line 0\nline 1\n'));
    const path = /saved at (\S+);/.exec(preview)![1]!;
    assert.equal(readFileSync(join(harness.workdir, path), 'utf8'), big);
    const [slice, refused] = toolMessages(model, 3).slice(-2);
    assert.equal(
      slice,
      `[characters 20000–20030 of ${big.length} — ${big.length - 20030} more; continue with offset 20030]\n${big.slice(20000, 20030)}`,
    );
    assert.match(refused!, /no saved result at \.\.\/\.\.\/\.\.\/etc\/passwd|is not a saved result of this run/);
    const spilledEvent = harness.events
      .flatMap((event) => (event.type === 'user' ? event.message.content : []))
      .find((block) => block.spilled_to);
    assert.equal(spilledEvent?.spilled_to, path);
  });

  it('trims old tool results from what it sends when the transcript outgrows the context window, keeping the stored transcript whole', async () => {
    const chunk = 'x'.repeat(4000);
    const writes = Array.from({ length: 8 }, (_, index) => ({
      toolCalls: [{ name: 'fs__write_file', arguments: { path: `f${index}.txt`, content: chunk } }],
    }));
    const reads = Array.from({ length: 8 }, (_, index) => ({
      toolCalls: [{ name: 'fs__read_text_file', arguments: { path: `f${index}.txt` } }],
    }));
    const harness = await createHarness({
      orchestrator: { mcpServers: ['fs'], maxTurns: 30, params: { contextWindow: 6000 } },
      script: { orchestrator: [...writes, ...reads, complete('success', 'done')] },
    });
    await harness.drive();
    const last = harness.models.get('orchestrator')!.requests.at(-1)!;
    const trimmed = last.messages.filter(
      (message) => message.role === 'tool' && String(message.content).startsWith('[earlier tool result of'),
    );
    assert.ok(trimmed.length > 0, 'some old results were trimmed');
    assert.equal(String(last.messages.at(-1)!.content).length, 4000, 'the newest result is whole');
    const stored = harness.store.database
      .prepare(`SELECT COUNT(*) AS count FROM messages WHERE role = 'tool' AND length(content) = 4000`)
      .get() as { count: number };
    assert.equal(stored.count, 8, 'the stored transcript keeps every full result');
  });

  it("trims to the context window the model catalogue gives when swarm.json sets none, and swarm.json's wins over it", async () => {
    const chunk = 'x'.repeat(4000);
    const turns = () => [
      ...Array.from({ length: 8 }, (_, index) => ({
        toolCalls: [{ name: 'fs__write_file', arguments: { path: `f${index}.txt`, content: chunk } }],
      })),
      ...Array.from({ length: 8 }, (_, index) => ({
        toolCalls: [{ name: 'fs__read_text_file', arguments: { path: `f${index}.txt` } }],
      })),
      complete('success', 'done'),
    ];
    const trimmedIn = async (params: { contextWindow?: number }): Promise<number> => {
      const harness = await createHarness({
        orchestrator: { mcpServers: ['fs'], maxTurns: 30, params },
        script: { orchestrator: turns() },
      });
      harness.models.get('orchestrator')!.catalogueContextWindow = 6000;
      await harness.drive();
      const last = harness.models.get('orchestrator')!.requests.at(-1)!;
      return last.messages.filter(
        (message) => message.role === 'tool' && String(message.content).startsWith('[earlier tool result of'),
      ).length;
    };
    assert.ok((await trimmedIn({})) > 0, "the catalogue's 6,000-token window trims old results");
    assert.equal(await trimmedIn({ contextWindow: 1_000_000 }), 0, 'params.contextWindow comes first');
  });

  it('records the run, its transcript, model calls and tool calls in SQLite, with secrets scrubbed', async () => {
    const secret = 'sk-test-SECRET-123456789';
    const harness = await createHarness({
      secrets: [secret],
      goal: `# Goal\n\nUse the key ${secret} nowhere.`,
      orchestrator: { mcpServers: ['shell'] },
      script: {
        orchestrator: [
          { toolCalls: [{ name: 'shell__run_command', arguments: { command: `echo ${secret}` } }] },
          complete('success', `printed ${secret}`),
        ],
      },
    });
    await harness.drive();
    const database = harness.store.database;
    const run = database.prepare(`SELECT status, subtype, num_turns, goal_text, result FROM runs`).get() as Record<
      string,
      unknown
    >;
    assert.equal(run.status, 'succeeded');
    assert.equal(run.num_turns, 2);
    const everything = JSON.stringify([
      run,
      database.prepare(`SELECT * FROM messages`).all(),
      database.prepare(`SELECT * FROM tool_calls`).all(),
      database.prepare(`SELECT * FROM events`).all(),
    ]);
    assert.ok(!everything.includes(secret), 'the secret is nowhere in the database');
    assert.ok(everything.includes('[REDACTED]'));
    const toolCall = database.prepare(`SELECT name, is_error, duration_ms FROM tool_calls`).get() as Record<
      string,
      unknown
    >;
    assert.equal(toolCall.name, 'shell__run_command');
    assert.equal(toolCall.is_error, 0);
    assert.equal((database.prepare(`SELECT COUNT(*) AS count FROM model_calls`).get() as { count: number }).count, 2);
    assert.ok(harness.events.every((event) => !JSON.stringify(event).includes(secret)));
    assert.ok(existsSync(join(harness.workdir, '.mux-swarm', 'state.db')));
    assert.equal(
      getEventListeners(harness.run.signal, 'abort').length,
      0,
      'model and tool calls unhooked from the run-wide signal',
    );
  });

  it('offers tools a server adds at run time from the next turn on (list_changed), and only those it grants', async () => {
    const harness = await createHarness({
      servers: { live: tsxServer('hub-changing-mcp-server.ts', newMarker()) },
      orchestrator: { mcpServers: [], tools: ['live__add_tool', 'live__fresh*'] },
      script: {
        orchestrator: [
          {
            toolCalls: [
              { name: 'live__add_tool', arguments: { name: 'fresh_tool' } },
              { name: 'live__add_tool', arguments: { name: 'other_tool' } },
            ],
          },
          { toolCalls: [{ name: 'live__fresh_tool', arguments: {} }] },
          complete('success', 'used the new tool'),
        ],
      },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'success');
    const model = harness.models.get('orchestrator')!;
    const offered = (index: number) =>
      (model.requests[index]?.tools ?? []).map((tool) => tool.name).filter((name) => name.startsWith('live__'));
    assert.deepEqual(offered(0), ['live__add_tool']);
    assert.deepEqual(
      offered(1),
      ['live__add_tool', 'live__fresh_tool'],
      'the new granted tool is offered; other_tool is not granted',
    );
    assert.equal(toolMessages(model, 2).at(-1), 'fresh_tool works');
  });
});
