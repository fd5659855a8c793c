/**
 * skills/dataset-distillation/scripts/distill.py, run as a real python3 process against the fake
 * OpenAI-compatible server. The fake "teacher" answers from the request itself (template name and chunk
 * text), so every run is deterministic and runs can be compared file for file.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  startFakeOpenAIServer,
  type FakeChatBody,
  type FakeOpenAIServer,
  type ScriptedResponse,
} from '../support/fake-openai-server.js';
import { readJson, REPO, runPythonScript, userText, type ScriptResult } from './skill-script-helpers.js';

const SKILL = join(REPO, 'skills/dataset-distillation');
const SCRIPT = join(SKILL, 'scripts/distill.py');
const FIXTURES = join(REPO, 'test/fixtures/skills/distill');
const KEY = 'sk-or-v1-9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const KEY_ENV = 'DISTILL_TEST_KEY';
const TEMPLATES = ['qa', 'troubleshooting', 'code', 'comparison'];
/** 4 fixture files, cut by --chunk-chars 600 --min-chunk-chars 100. */
const CHUNKS = 11;

function runScript(
  args: string[],
  env: Record<string, string> = {},
  onSpawn?: (child: ChildProcess) => void,
): Promise<ScriptResult> {
  return runPythonScript(SCRIPT, FIXTURES, args, env, onSpawn);
}

function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function chunkOf(body: FakeChatBody): string {
  return /<document>\n([\s\S]*)\n<\/document>/.exec(userText(body))?.[1] ?? '';
}

function templateOf(body: FakeChatBody): string {
  return /^Template: ([a-z]+)/m.exec(userText(body))?.[1] ?? '?';
}

/** Deterministic pairs made from the request: distinct instructions, nothing to drop. */
function teacherReply(body: FakeChatBody): ScriptedResponse {
  const chunk = chunkOf(body);
  const template = templateOf(body);
  const count = Number(/write (\d+)/.exec(userText(body))?.[1] ?? '1');
  const tag = createHash('sha256').update(`${template}\n${chunk}`).digest('hex').slice(0, 10);
  const words = chunk.match(/[A-Za-z][A-Za-z0-9_]{2,}/g) ?? ['nothing'];
  const pairs = Array.from({ length: count }, (_, index) => {
    const topic = Array.from({ length: 6 }, (_unused, offset) => words[(index * 4 + offset) % words.length]).join(' ');
    return {
      instruction: `[${tag} ${index}] ${template}: how does ${topic} matter in practice?`,
      response: `For ${template}, the source says: ${chunk.slice(0, 120).replace(/\s+/g, ' ')} (${tag}/${index})`,
    };
  });
  const json = JSON.stringify({ pairs });
  // One template answers the way chatty models do: prose, then a fenced block.
  const content =
    template === 'comparison'
      ? `Here are the pairs you asked for:\n\n\`\`\`json\n${json}\n\`\`\`\nHope this helps.`
      : json;
  return { content };
}

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The split rule the script documents: sha256("<seed>:<normalised instruction>"), first 64 bits, < fraction. */
function isEval(seed: number, instruction: string, fraction: number): boolean {
  const digest = createHash('sha256')
    .update(`${seed}:${normalise(instruction)}`)
    .digest('hex');
  return Number(BigInt(`0x${digest.slice(0, 16)}`)) / 2 ** 64 < fraction;
}

interface Example {
  messages: Array<{ role: string; content: string }>;
  meta: { source: string; template: string };
}

function examples(path: string): Example[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Example);
}

function allOutputText(directory: string): string {
  let text = '';
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    text += statSync(path).isDirectory() ? allOutputText(path) : readFileSync(path, 'utf8');
  }
  return text;
}

function withoutLastRun(stats: Record<string, unknown>): Record<string, unknown> {
  const { last_run: _lastRun, ...rest } = stats;
  return rest;
}

const COMMON = [
  '--sources',
  'docs',
  '--model',
  'teacher-1',
  '--chunk-chars',
  '600',
  '--min-chunk-chars',
  '100',
  '--api-key-env',
  KEY_ENV,
];

describe('dataset-distillation skill (distill.py)', () => {
  let server: FakeOpenAIServer;
  let work: string;
  /** Replaces the teacher for one test (the server is shared). */
  let teacher: (body: FakeChatBody) => ScriptedResponse | undefined = teacherReply;
  const env = { [KEY_ENV]: KEY };

  before(async () => {
    server = await startFakeOpenAIServer({ fallback: (body) => teacher(body) });
    work = mkdtempSync(join(tmpdir(), 'distill-test-'));
  });
  after(async () => {
    await server.close();
    rmSync(work, { recursive: true, force: true });
  });
  const fresh = (name: string): string => {
    server.reset();
    teacher = teacherReply;
    return join(work, name);
  };

  it('distils the fixture documents into chat-format train/eval files with stable split and exact stats', async () => {
    const out = fresh('full');
    const args = [
      ...COMMON,
      '--base-url',
      server.baseURL,
      '--out',
      out,
      '--pairs-per-chunk',
      '2',
      '--eval-fraction',
      '0.3',
      '--seed',
      '7',
      '--system-prompt',
      'You are a GPU expert.',
    ];
    const result = await runScript(args, env);
    assert.equal(result.code, 0, result.stderr);

    const requests = server.chatRequests();
    assert.equal(requests.length, CHUNKS * TEMPLATES.length);
    for (const request of requests) {
      assert.equal(
        request.headers.authorization,
        `Bearer ${KEY}`,
        'the key comes from the variable named by --api-key-env',
      );
      assert.equal(request.body.model, 'teacher-1');
      const template = templateOf(request.body);
      const templateText = readFileSync(join(SKILL, 'templates', `${template}.txt`), 'utf8');
      assert.ok(
        userText(request.body).startsWith(templateText.split('{format}')[0]!.split('{n}')[0]!),
        `the ${template} template is sent`,
      );
      assert.ok(chunkOf(request.body).length > 0 && chunkOf(request.body).length <= 600);
    }
    assert.deepEqual([...new Set(requests.map((request) => templateOf(request.body)))].sort(), [...TEMPLATES].sort());
    const sanitizer = requests.filter((request) =>
      userText(request.body).includes('compute-sanitizer --tool memcheck ./train_step'),
    );
    assert.equal(sanitizer.length, TEMPLATES.length, 'the chunk text (with its code block) is in the prompt');
    assert.ok(
      !requests.some((request) => userText(request.body).includes('do not index me')),
      'html scripts are stripped',
    );
    assert.ok(
      requests.some((request) => userText(request.body).includes('hipify-perl reduce.cu > reduce.hip.cpp')),
      'html entities decoded',
    );

    const train = examples(join(out, 'train.jsonl'));
    const evaluation = examples(join(out, 'eval.jsonl'));
    assert.equal(train.length + evaluation.length, CHUNKS * TEMPLATES.length * 2);
    assert.ok(evaluation.length > 0 && train.length > evaluation.length);
    for (const [list, expectEval] of [
      [train, false],
      [evaluation, true],
    ] as const) {
      for (const example of list) {
        assert.deepEqual(
          example.messages.map((message) => message.role),
          ['system', 'user', 'assistant'],
        );
        assert.equal(example.messages[0]!.content, 'You are a GPU expert.');
        assert.match(
          example.meta.source,
          /^docs\/(cuda-debugging\.md|nccl-tuning\.txt|rocm\/hip-porting\.html|rocm\/profiling\.rst)#\d+$/,
        );
        assert.ok(TEMPLATES.includes(example.meta.template));
        assert.equal(
          isEval(7, example.messages[1]!.content, 0.3),
          expectEval,
          'the split follows the documented hash rule',
        );
      }
    }

    const stats = readJson(join(out, 'stats.json'));
    assert.equal(stats.format, 'mux-swarm-distill-stats/1');
    assert.equal(stats.sources, 4);
    assert.equal(stats.chunks, CHUNKS);
    assert.equal(stats.items, CHUNKS * 4);
    assert.equal(stats.items_done, CHUNKS * 4);
    assert.equal(stats.requests, CHUNKS * 4);
    assert.equal(stats.pairs_generated, CHUNKS * 8);
    assert.equal(stats.pairs_kept, CHUNKS * 8);
    assert.equal(stats.invalid, 0);
    assert.equal(stats.duplicates_removed, 0);
    assert.equal(stats.failures, 0);
    assert.equal(stats.train, train.length);
    assert.equal(stats.eval, evaluation.length);
    const state = readJson(join(out, 'state.json'));
    assert.equal(state.done, CHUNKS * 4);
    assert.equal(state.pending, 0);
    assert.equal(readFileSync(join(out, 'raw.jsonl'), 'utf8').trim().split('\n').length, CHUNKS * 4);

    const events = jsonLines(result.stdout);
    assert.equal(events.filter((event) => event.event === 'item').length, CHUNKS * 4);
    assert.equal(events.at(-1)?.event, 'summary');

    // A rerun with the same arguments asks nothing and rebuilds the same files.
    const trainBefore = readFileSync(join(out, 'train.jsonl'), 'utf8');
    const evalBefore = readFileSync(join(out, 'eval.jsonl'), 'utf8');
    server.reset();
    const again = await runScript(args, env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(server.chatRequests().length, 0);
    assert.equal(readFileSync(join(out, 'train.jsonl'), 'utf8'), trainBefore);
    assert.equal(readFileSync(join(out, 'eval.jsonl'), 'utf8'), evalBefore);

    // The dry run lists every item as done and needs no key.
    const dry = await runScript([...args, '--dry-run'], {});
    assert.equal(dry.code, 0, dry.stderr);
    const plan = jsonLines(dry.stdout);
    assert.equal(plan.filter((event) => event.event === 'plan' && event.status === 'done').length, CHUNKS * 4);
    assert.deepEqual(
      { items: plan.at(-1)?.items, done: plan.at(-1)?.done, to_request: plan.at(-1)?.to_request },
      { items: 44, done: 44, to_request: 0 },
    );
    assert.equal(server.chatRequests().length, 0);
  });

  it('drops invalid pairs and exact/near duplicates, retries an unparseable reply once, and records a failed item', async () => {
    const out = fresh('filters');
    const long =
      'How do I find out why the NCCL all reduce bus bandwidth between two nodes is far below the InfiniBand link speed';
    const good = (instruction: string) => ({
      instruction,
      response: `Set NCCL_DEBUG=INFO and read the transport lines for: ${instruction}`,
    });
    const firstChunk = (template: string) => (body: FakeChatBody) =>
      templateOf(body) === template && chunkOf(body).startsWith('NCCL all-reduce performance');
    const secondChunk = (template: string) => (body: FakeChatBody) =>
      templateOf(body) === template && chunkOf(body).startsWith('NCCL_P2P_DISABLE');
    const pairs = [
      good(long),
      good(`  ${long.toUpperCase()}  `), // exact duplicate once case and whitespace are normalised
      good(`${long.slice(0, long.lastIndexOf(' '))} rate`), // near duplicate: the last word differs
      {
        instruction: 'Is NCCL_IB_DISABLE safe to keep in production?',
        response: 'As an AI language model, I cannot give operational advice.',
      },
      { instruction: 'Repeat the NCCL transport rule exactly', response: 'repeat the NCCL transport rule   exactly' },
      { instruction: 'What does NCCL_IB_HCA select?', response: '' },
      { instruction: 'What does via SHM mean in NCCL logs?', response: 42 },
      { instruction: 'Why?', response: 'Because the transport fell back to sockets.' },
      good('Which NCCL_DEBUG lines show the transport used by each channel?'),
    ];
    server.route(firstChunk('qa'), {
      content: `Sure! Below are the pairs.\n\n\`\`\`json\n${JSON.stringify({ pairs })}\n\`\`\``,
    });
    server.route(
      secondChunk('qa'),
      { content: 'Sorry, I got distracted and wrote no JSON.' },
      {
        content: JSON.stringify({ pairs: [good('When should NCCL_P2P_DISABLE be unset again?')] }),
      },
    );
    server.route(
      firstChunk('troubleshooting'),
      { content: '{"pairs": "not a list"' },
      { content: 'still nothing usable' },
    );
    const args = [
      ...COMMON,
      '--sources',
      'docs/nccl-tuning.txt',
      '--templates',
      'qa,troubleshooting',
      '--pairs-per-chunk',
      '2',
      '--base-url',
      server.baseURL,
      '--out',
      out,
    ];
    const result = await runScript(args, env);
    assert.equal(result.code, 1, 'a failed item makes the exit status 1');
    assert.equal(server.pendingResponses(), 0);
    assert.equal(server.chatRequests().length, 6);

    const stats = readJson(join(out, 'stats.json'));
    assert.equal(stats.items, 4);
    assert.equal(stats.items_done, 3);
    assert.equal(stats.items_failed, 1);
    assert.equal(stats.failures, 1);
    assert.equal(stats.requests, 6);
    assert.equal(stats.pairs_generated, 9 + 1 + 2);
    assert.deepEqual(stats.invalid_reasons, {
      copy_of_response: 1,
      empty: 1,
      instruction_too_short: 1,
      not_strings: 1,
      refusal: 1,
    });
    assert.equal(stats.invalid, 5);
    assert.equal(stats.duplicates_exact, 1);
    assert.equal(stats.duplicates_near, 1);
    assert.equal(stats.duplicates_removed, 2);
    assert.equal(stats.pairs_kept, 5);
    const failed = stats.failed_items as Array<{ source: string; template: string; reason: string }>;
    assert.equal(failed.length, 1);
    assert.equal(failed[0]!.template, 'troubleshooting');
    assert.equal(failed[0]!.source, 'docs/nccl-tuning.txt#0');
    assert.match(failed[0]!.reason, /invalid output/);
    const kept = [...examples(join(out, 'train.jsonl')), ...examples(join(out, 'eval.jsonl'))].map(
      (example) => example.messages[0]!.content,
    );
    assert.ok(kept.includes(long));
    assert.equal(
      kept.filter((instruction) => normalise(instruction).startsWith(normalise(long).slice(0, 60))).length,
      1,
    );
    assert.equal(examples(join(out, 'train.jsonl'))[0]!.messages.length, 2, 'no system message unless --system-prompt');

    // The rerun asks only for the failed item.
    server.reset();
    const again = await runScript(args, env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(server.chatRequests().length, 1);
    assert.equal(templateOf(server.chatRequests()[0]!.body), 'troubleshooting');
    const after = readJson(join(out, 'stats.json'));
    assert.equal(after.items_failed, 0);
    assert.equal(after.pairs_kept, 7);
  });

  it('waits out a 429 with Retry-After and retries 5xx and dropped connections', async () => {
    const out = fresh('retry');
    server.enqueue(
      { error: { status: 429, message: 'rate limited', headers: { 'retry-after': '1' } } },
      teacherReply,
      { error: { status: 503, message: 'upstream overloaded' } },
      { hangUp: true },
    );
    const args = [
      ...COMMON,
      '--sources',
      'docs/nccl-tuning.txt',
      '--templates',
      'qa',
      '--base-url',
      server.baseURL,
      '--out',
      out,
      '--backoff-base',
      '0.05',
    ];
    const result = await runScript(args, env);
    assert.equal(result.code, 0, result.stderr);
    const requests = server.chatRequests();
    assert.equal(requests.length, 5);
    assert.ok(
      requests[1]!.time - requests[0]!.time >= 950,
      `Retry-After: 1 honoured (${requests[1]!.time - requests[0]!.time} ms)`,
    );
    assert.deepEqual(
      requests.map((request) => request.status),
      [429, 200, 503, undefined, 200],
    );
    const stats = readJson(join(out, 'stats.json'));
    assert.equal(stats.items_done, 2);
    assert.equal(stats.requests, 5);
  });

  it('resumes after a SIGKILL with requests only for the remaining items and the same files as an uninterrupted run', async () => {
    const reference = fresh('uninterrupted');
    const args = (out: string) => [
      ...COMMON,
      '--templates',
      'qa,code',
      '--base-url',
      server.baseURL,
      '--out',
      out,
      '--eval-fraction',
      '0.25',
    ];
    const total = CHUNKS * 2;
    const whole = await runScript(args(reference), env);
    assert.equal(whole.code, 0, whole.stderr);
    assert.equal(server.chatRequests().length, total);

    const out = fresh('interrupted');
    const answered = 5;
    let seen = 0;
    teacher = (body) => {
      seen += 1;
      // The sixth request never gets an answer before the kill.
      return seen <= answered ? teacherReply(body) : { ...teacherReply(body), delayMs: 30_000 };
    };
    let child: ChildProcess | undefined;
    const killed = runScript(args(out), env, (spawned) => {
      child = spawned;
    });
    const deadline = Date.now() + 10_000;
    while (server.chatRequests().length <= answered && Date.now() < deadline) await delay(10);
    assert.equal(server.chatRequests().length, answered + 1);
    child?.kill('SIGKILL');
    const first = await killed;
    assert.equal(first.signal, 'SIGKILL');
    assert.equal(readFileSync(join(out, 'raw.jsonl'), 'utf8').trim().split('\n').length, answered);
    assert.equal(readJson(join(out, 'state.json')).done, answered);

    server.reset();
    teacher = teacherReply;
    const dry = await runScript([...args(out), '--dry-run']);
    assert.equal(jsonLines(dry.stdout).at(-1)?.to_request, total - answered);
    assert.equal(server.chatRequests().length, 0);

    const second = await runScript(args(out), env);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(server.chatRequests().length, total - answered, 'only the remaining items are requested');
    for (const name of ['train.jsonl', 'eval.jsonl']) {
      assert.equal(
        readFileSync(join(out, name), 'utf8'),
        readFileSync(join(reference, name), 'utf8'),
        `${name} equals the uninterrupted run's`,
      );
    }
    assert.deepEqual(
      withoutLastRun(readJson(join(out, 'stats.json'))),
      withoutLastRun(readJson(join(reference, 'stats.json'))),
    );

    // Parallel requests finish in any order; the files are still built in plan order.
    const parallel = fresh('parallel');
    const third = await runScript([...args(parallel), '--concurrency', '4'], env);
    assert.equal(third.code, 0, third.stderr);
    assert.equal(server.chatRequests().length, total);
    for (const name of ['train.jsonl', 'eval.jsonl']) {
      assert.equal(readFileSync(join(parallel, name), 'utf8'), readFileSync(join(reference, name), 'utf8'));
    }
  });

  it('stops when the server stops answering, records the failures, and a rerun finishes the job', async () => {
    const out = fresh('server-down');
    let seen = 0;
    teacher = (body) => {
      seen += 1;
      return seen <= 3 ? teacherReply(body) : { hangUp: true };
    };
    const args = [
      ...COMMON,
      '--templates',
      'qa',
      '--base-url',
      server.baseURL,
      '--out',
      out,
      '--max-attempts',
      '2',
      '--backoff-base',
      '0.01',
      '--max-consecutive-failures',
      '2',
    ];
    const first = await runScript(args, env);
    assert.equal(first.code, 1);
    assert.match(first.stderr, /2 items failed in a row/);
    assert.equal(server.chatRequests().length, 3 + 2 * 2, 'two items of two attempts each, then the run stops');
    const stats = readJson(join(out, 'stats.json'));
    assert.deepEqual([stats.items_done, stats.items_failed, stats.items_pending], [3, 2, CHUNKS - 5]);

    server.reset();
    teacher = teacherReply;
    const second = await runScript(args, env);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(server.chatRequests().length, CHUNKS - 3);
    assert.equal(readJson(join(out, 'stats.json')).items_done, CHUNKS);
  });

  it('exits 2 naming the variable when the key is missing, and makes no request', async () => {
    const out = fresh('no-key');
    const named = await runScript([...COMMON, '--base-url', server.baseURL, '--out', out], {});
    assert.equal(named.code, 2);
    assert.match(named.stderr, new RegExp(KEY_ENV));
    const defaults = await runScript(['--sources', 'docs', '--model', 'teacher-1', '--out', out], {});
    assert.equal(defaults.code, 2);
    assert.match(defaults.stderr, /OPENROUTER_API_KEY/);
    assert.match(defaults.stderr, /OPENAI_API_KEY/);
    assert.equal(server.chatRequests().length, 0);
    assert.equal(existsSync(join(out, 'raw.jsonl')), false);
  });

  it('never prints or stores the key, even when the server echoes it in an error body', async () => {
    const out = fresh('leak');
    server.route((body) => chunkOf(body).startsWith('NCCL all-reduce'), {
      error: {
        status: 400,
        message: `Invalid request made with key ${KEY} (key ${KEY.slice(0, 12)}...${KEY.slice(-8)})`,
      },
    });
    const args = [
      ...COMMON,
      '--sources',
      'docs/nccl-tuning.txt',
      '--templates',
      'qa',
      '--base-url',
      server.baseURL,
      '--out',
      out,
    ];
    const result = await runScript(args, env);
    assert.equal(result.code, 1);
    assert.equal(server.chatRequests().length, 2, 'a 400 fails the item at once; the other item succeeds');
    const failed = readJson(join(out, 'stats.json')).failed_items as Array<{ reason: string }>;
    assert.match(failed[0]!.reason, /HTTP 400: Invalid request made with key \[redacted\]/);

    server.reset();
    server.enqueue({
      error: {
        status: 401,
        message: `Incorrect API key provided: ${KEY.slice(0, 9)}****${KEY.slice(-4)}. Check ${KEY}.`,
      },
    });
    const rejected = await runScript([...args, '--out', join(work, 'leak-401')], env);
    assert.equal(rejected.code, 1);
    assert.match(rejected.stderr, /HTTP 401/);
    assert.match(rejected.stderr, new RegExp(KEY_ENV), 'names where the key came from');
    assert.equal(server.chatRequests().length, 1, 'a 401 stops the run');

    const everything = [
      result.stdout,
      result.stderr,
      rejected.stdout,
      rejected.stderr,
      allOutputText(out),
      allOutputText(join(work, 'leak-401')),
    ].join('\n');
    for (let start = 0; start + 8 <= KEY.length; start += 1) {
      const piece = KEY.slice(start, start + 8);
      assert.ok(!everything.includes(piece), `no piece of the key (${start}) is printed or stored`);
    }
    assert.ok(!everything.includes(`****${KEY.slice(-4)}`));
  });
});
