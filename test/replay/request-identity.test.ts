import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SecretScrubber } from '../../src/logging/secret-scrubber.js';
import type { ChatMessage, ToolDefinition } from '../../src/providers/chat-types.js';
import { parseCassette } from '../../src/replay/cassette.js';
import {
  RequestIdentifier,
  RequestNormaliser,
  requestHash,
  toolSetIdentity,
} from '../../src/replay/request-identity.js';
import { ConfigError } from '../../src/errors/config-error.js';

const asker = { agent: 'writer', provider: 'fake', model: 'writer-model' };
const tools: ToolDefinition[] = [
  { name: 'fs__write_file', description: 'Write a file under /home/a/project.', parameters: { type: 'object' } },
];

function transcript(workdir: string, runId: string): ChatMessage[] {
  return [
    { role: 'system', content: `You are writer. Working directory: ${workdir}.` },
    { role: 'user', content: 'Write notes.txt.' },
    {
      role: 'assistant',
      content: null,
      tool_calls: [
        {
          id: 'call_1',
          type: 'function',
          function: { name: 'fs__write_file', arguments: `{"path":"${workdir}/notes.txt"}` },
        },
      ],
    },
    {
      role: 'tool',
      tool_call_id: 'call_1',
      content: `Wrote 6 bytes in 12 ms; spilled to .mux-swarm/runs/${runId}/results/x.txt`,
    },
  ];
}

describe('request identity', () => {
  it('is the same for the same request made in another workdir and run, held in memory or rebuilt from a journal', () => {
    const here = new RequestNormaliser({
      workdir: '/home/a/project',
      runDirectory: '/home/a/project/.mux-swarm/runs/run-1',
      runId: 'run-1',
    });
    const there = new RequestNormaliser({
      workdir: '/ci/checkout/work',
      runDirectory: '/ci/checkout/work/.mux-swarm/runs/run-2',
      runId: 'run-2',
    });
    const recorded = new RequestIdentifier(here).identify(asker, transcript('/home/a/project', 'run-1'), tools);
    const replayed = new RequestIdentifier(there).identify(asker, transcript('/ci/checkout/work', 'run-2'), [
      { ...tools[0]!, description: 'Write a file under /ci/checkout/work.' },
    ]);
    assert.equal(replayed.hash, recorded.hash);
    // The journal's shape: tool calls flattened, as a cassette holds them.
    const rebuilt = transcript('/home/a/project', 'run-1').map((message) =>
      message.role === 'assistant'
        ? {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'call_1', name: 'fs__write_file', arguments: '{"path":"/home/a/project/notes.txt"}' }],
          }
        : message,
    );
    assert.equal(requestHash(asker, rebuilt as ChatMessage[], recorded.toolsHash, here), recorded.hash);
  });

  it("changes with the agent, the model, any message, or the tools offered; not with a tool result's duration", () => {
    const normaliser = new RequestNormaliser({ workdir: '/w', runDirectory: '/w/.mux-swarm/runs/r', runId: 'r' });
    const base = new RequestIdentifier(normaliser).identify(asker, transcript('/w', 'r'), tools).hash;
    const hashOf = (messages: ChatMessage[], who = asker, offered = tools): string =>
      new RequestIdentifier(normaliser).identify(who, messages, offered).hash;
    assert.notEqual(hashOf(transcript('/w', 'r'), { ...asker, model: 'other-model' }), base);
    assert.notEqual(hashOf(transcript('/w', 'r'), { ...asker, agent: 'checker' }), base);
    assert.notEqual(
      hashOf(transcript('/w', 'r'), asker, [{ ...tools[0]!, parameters: { type: 'object', required: ['path'] } }]),
      base,
    );
    const edited = transcript('/w', 'r');
    edited[1] = { role: 'user', content: 'Write notes.md.' };
    assert.notEqual(hashOf(edited), base);
    const slower = transcript('/w', 'r');
    slower[3] = {
      role: 'tool',
      tool_call_id: 'call_1',
      content: 'Wrote 6 bytes in 950 ms; spilled to .mux-swarm/runs/r/results/x.txt',
    };
    assert.equal(hashOf(slower), base);
    const userDuration = transcript('/w', 'r');
    userDuration[1] = { role: 'user', content: 'Write notes.txt within 30 s.' };
    assert.notEqual(
      hashOf(userDuration),
      hashOf(
        transcript('/w', 'r').map((m, i) =>
          i === 1 ? { role: 'user', content: 'Write notes.txt within 31 s.' } : m,
        ) as ChatMessage[],
      ),
    );
  });

  it('computes incrementally what the full chain gives, also when a message is replaced (a trimmed context)', () => {
    const normaliser = new RequestNormaliser({ workdir: '/w', runDirectory: '/w/.mux-swarm/runs/r', runId: 'r' });
    const identifier = new RequestIdentifier(normaliser);
    const messages = transcript('/w', 'r');
    const { toolsHash } = toolSetIdentity(tools, normaliser);
    for (let length = 1; length <= messages.length; length += 1) {
      assert.equal(
        identifier.identify(asker, messages.slice(0, length), tools).hash,
        requestHash(asker, messages.slice(0, length), toolsHash, normaliser),
      );
    }
    const trimmed = [...messages];
    trimmed[3] = { role: 'tool', tool_call_id: 'call_1', content: '[result trimmed]' };
    assert.equal(identifier.identify(asker, trimmed, tools).hash, requestHash(asker, trimmed, toolsHash, normaliser));
    assert.notEqual(identifier.identify(asker, trimmed, tools).hash, identifier.identify(asker, messages, tools).hash);
  });

  it('hashes a secret as the scrubbed text the journal holds', () => {
    const secret = 'sk-identity-0123456789abcdef';
    const places = { workdir: '/w', runDirectory: '/w/.mux-swarm/runs/r', runId: 'r' };
    const withSecret: ChatMessage[] = [{ role: 'user', content: `token ${secret}` }];
    const scrubbed: ChatMessage[] = [{ role: 'user', content: 'token [REDACTED]' }];
    const recorded = new RequestIdentifier(new RequestNormaliser(places, new SecretScrubber([secret]))).identify(
      asker,
      withSecret,
      tools,
    ).hash;
    assert.equal(new RequestIdentifier(new RequestNormaliser(places)).identify(asker, scrubbed, tools).hash, recorded);
  });
});

describe('cassette parsing', () => {
  const header = JSON.stringify({
    type: 'cassette',
    version: 1,
    muxSwarm: '0.1.0',
    exportedAt: 'now',
    run: {
      id: 'r',
      goalName: 'g',
      goalSource: 'goal.md',
      goalText: 't',
      mode: 'hierarchical',
      status: 'succeeded',
      subtype: 'success',
      exitCode: 0,
      result: 'ok',
    },
  });

  it('names the line that is not a cassette record', () => {
    assert.throws(
      () => parseCassette(`${header}\n{"type":"tool-set","hash":"h","tools":"[]"}\nnot json\n`, 'x.jsonl'),
      (error: unknown) =>
        error instanceof ConfigError && /x\.jsonl:3/.test(error.message) && /not JSON/.test(error.message),
    );
    assert.throws(
      () => parseCassette(`${header}\n{"type":"model-call"}\n`, 'x.jsonl'),
      (error: unknown) => error instanceof ConfigError && /x\.jsonl:2/.test(error.message),
    );
    assert.throws(
      () => parseCassette('{"type":"cassette","version":9}\n', 'x.jsonl'),
      /cassette version 9; this mux-swarm reads version 1/,
    );
    assert.throws(() => parseCassette('\n', 'x.jsonl'), /empty/);
  });

  it('reads the records of each kind', () => {
    const cassette = parseCassette(
      `${header}\n{"type":"tool-set","hash":"h","tools":"[]"}\n{"type":"transcript","delegation":"d1","agent":"a","messages":[{"role":"user","content":"hi"}]}\n`,
      'x.jsonl',
    );
    assert.equal(cassette.toolSets.length, 1);
    assert.equal(cassette.transcripts[0]!.messages[0]!.content, 'hi');
    assert.equal(cassette.header.run.status, 'succeeded');
  });
});
