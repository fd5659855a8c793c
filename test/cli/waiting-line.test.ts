import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { runEventSchema, type RunEvent } from '../../src/events/event-schema.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';
import { runCliInTerminal, screenLines } from '../support/run-cli-in-terminal.js';

const complete = (summary: string) => ({
  toolCalls: [{ name: 'complete', arguments: { status: 'success', summary, artifacts: [] } }],
});
/** A long reply, streamed in pieces a second apart: several seconds of waiting with tokens arriving. */
const slowStreamedReply = {
  content: 'Let me think this through carefully, one step at a time. '.repeat(12),
  chunkDelayMs: 1_000,
};
const ESCAPE = '\u001b';

describe('text mode shows what the swarm waits for; stream-json says it is alive', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;

  before(async () => {
    server = await startFakeOpenAIServer();
    project = createProjectFixture('mux-swarm-waiting-');
    project.write(
      'config.json',
      fakeConfig(server.baseURL, {
        filesystem: { workdir: 'work' },
        providers: { fake: { baseURL: server.baseURL, maxRetries: 1, timeoutMs: 20_000, stream: true } },
      }),
    );
    project.write('swarm.json', { orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'] }), agents: [] });
  });
  afterEach(() => {
    assert.deepEqual(server.unmatched, []);
    server.reset();
  });
  after(async () => {
    await server.close();
    project.remove();
  });

  it('on a terminal: a waiting line with agent, model, elapsed time and tokens, redrawn in place and erased before the result', async () => {
    server.route({ model: 'orchestrator-model' }, slowStreamedReply, complete('thought it through'));
    const columns = 64;
    const result = await runCliInTerminal(['run', '--task', 'Think slowly'], { cwd: project.directory, columns });
    assert.equal(result.code, 0, result.transcript);
    const { transcript } = result;
    const drawn = [...transcript.matchAll(/\u001b\[2m(⋯ [^\u001b]*)\u001b\[0m/g)].map((match) => match[1]!);
    assert.ok(drawn.length >= 2, `the waiting line was drawn more than once: ${JSON.stringify(transcript)}`);
    for (const line of drawn) {
      assert.match(line, /^⋯ orchestrator · fake\/orchestrator-model · \d+s/);
      assert.ok(line.length <= columns - 1, `clipped to the terminal: ${line}`);
    }
    assert.ok(
      drawn.some((line) => /· ~[1-9]\d* tokens$/.test(line)),
      `tokens streamed so far are shown: ${drawn.join(' | ')}`,
    );
    assert.ok(
      transcript.includes('\r\u001b[2K\u001b[2m⋯ orchestrator'),
      'redrawn in place: erased with carriage return and clear-line, then drawn again',
    );
    const screen = screenLines(transcript);
    assert.ok(
      !screen.some((line) => line.includes('⋯')),
      `no waiting line is left on the screen:\n${screen.join('\n')}`,
    );
    assert.ok(
      screen.some((line) => /^orchestrator +✔ success \(2 turns/.test(line)),
      screen.join('\n'),
    );
    assert.match(
      screen.find((line) => line.includes('■ success')) ?? '',
      /^■ success in /,
      'the result line stands alone',
    );
  });

  it('on a terminal with NO_COLOR: redrawn in place with carriage returns, without one escape code', async () => {
    server.route({ model: 'orchestrator-model' }, { delayMs: 3_500, content: 'done waiting' }, complete('waited'));
    const result = await runCliInTerminal(['run', '--task', 'Wait without colours'], {
      cwd: project.directory,
      env: { NO_COLOR: '1' },
    });
    assert.equal(result.code, 0, result.transcript);
    assert.ok(!result.transcript.includes(ESCAPE), JSON.stringify(result.transcript));
    assert.match(result.transcript, /\r⋯ orchestrator · fake\/orchestrator-model · \d+s/);
    const screen = screenLines(result.transcript);
    assert.ok(!screen.some((line) => line.includes('⋯')), screen.join('\n'));
  });

  it('in a log (stderr not a terminal): a plain waiting line with each heartbeat, no escape codes or carriage returns', async () => {
    server.route({ model: 'orchestrator-model' }, { delayMs: 2_500, content: 'done waiting' }, complete('waited'));
    const result = await runCli(['run', '--task', 'Wait in a log'], {
      cwd: project.directory,
      env: { MUX_SWARM_PULSE_MS: '300' },
    });
    assert.equal(result.code, 0, result.stderr);
    const waiting = result.stderr.split('\n').filter((line) => line.startsWith('… waiting'));
    assert.ok(waiting.length >= 1, result.stderr);
    for (const line of waiting) assert.match(line, /^… waiting: orchestrator on fake\/orchestrator-model for \d+s$/);
    assert.ok(!result.stderr.includes(ESCAPE) && !result.stderr.includes('\r'), JSON.stringify(result.stderr));
    assert.equal(result.stdout, 'waited\n');
  });

  it('stream-json: heartbeat lines that parse, each naming the model or tool call in flight at the time, and no redraws', async () => {
    server.route(
      { model: 'orchestrator-model' },
      {
        ...slowStreamedReply,
        chunkDelayMs: 400,
        toolCalls: [{ name: 'shell__run_command', arguments: { command: 'sleep 2' } }],
      },
      complete('slept'),
    );
    const result = await runCli(['run', '--task', 'Sleep on it', '--output-format', 'stream-json'], {
      cwd: project.directory,
      env: { MUX_SWARM_PULSE_MS: '300' },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stdout.includes('\r') && !result.stdout.includes(ESCAPE), 'no redraw characters on stdout');
    const events: RunEvent[] = result.stdout
      .trim()
      .split('\n')
      .map((line) => runEventSchema.parse(JSON.parse(line)));
    const beats = events.filter((event) => event.type === 'heartbeat');
    const calls = beats.flatMap((beat) => beat.in_flight);
    assert.ok(
      calls.some(
        (call) => call.kind === 'model' && call.model === 'fake/orchestrator-model' && (call.tokens_streamed ?? 0) > 0,
      ),
      JSON.stringify(beats),
    );
    assert.ok(
      calls.some((call) => call.kind === 'tool' && call.tool === 'shell__run_command'),
      JSON.stringify(beats),
    );

    // Each heartbeat comes while what it names is in flight: a model call between the previous step and its reply,
    // the tool call between the reply that asked for it and its result. Nothing waits before the first model call.
    const position = (predicate: (event: RunEvent) => boolean): number => events.findIndex(predicate);
    const delegationStart = position((event) => event.type === 'delegation-start');
    const firstReply = position((event) => event.type === 'assistant');
    const toolResult = position((event) => event.type === 'user');
    const secondReply = events.findIndex((event, index) => index > toolResult && event.type === 'assistant');
    for (const beat of beats) {
      const at = events.indexOf(beat);
      assert.ok(at > delegationStart && at < secondReply, `heartbeat ${beat.seq} while the run was working`);
      for (const call of beat.in_flight) {
        assert.equal(call.agent, 'orchestrator');
        if (call.kind === 'model')
          assert.ok(at < firstReply || at > toolResult, `model heartbeat ${beat.seq} outside the tool call`);
        else
          assert.ok(at > firstReply && at < toolResult, `tool heartbeat ${beat.seq} between the reply and the result`);
      }
    }
    assert.equal(events.at(-1)!.type, 'result');
  });
});
