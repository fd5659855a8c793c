/**
 * skills/evaluation/scripts/evaluate.py, run as a real python3 process against fake OpenAI-compatible
 * servers: one standing in for a local vLLM serving the base model and the LoRA adapter, one for the judges.
 * The fake judges score by which system's text they see in slot A and slot B, so a wrong mapping of the
 * randomised A/B order back to base/specialist changes the numbers.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  startFakeOpenAIServer,
  type FakeChatBody,
  type FakeOpenAIServer,
  type ScriptedResponse,
} from '../support/fake-openai-server.js';
import { readJson, REPO, runPythonScript, userText, type ScriptResult } from './skill-script-helpers.js';

const SCRIPT = join(REPO, 'skills/evaluation/scripts/evaluate.py');
const FIXTURES = join(REPO, 'test/fixtures/skills/eval');
const JUDGE_KEY = 'sk-judge-5c4b3a29f8e7d6c5b4a3';
const JUDGE_KEY_ENV = 'EVAL_JUDGE_KEY';

function runScript(args: string[], env: Record<string, string> = {}): Promise<ScriptResult> {
  return runPythonScript(SCRIPT, FIXTURES, args, env);
}

function section(text: string, label: string): string {
  return new RegExp(`\\[${label}\\]\\n([\\s\\S]*?)\\n\\[End of ${label}\\]`).exec(text)?.[1] ?? '';
}

type System = 'base' | 'specialist';

/** Which system wrote the answer in slot A and B, and for which prompt (the fixtures' answers say so). */
function slots(body: FakeChatBody): { a: System; b: System; prompt: string } {
  const text = userText(body);
  const a = section(text, 'Answer A');
  const b = section(text, 'Answer B');
  const who = (answer: string): System => (answer.startsWith('SPECIALIST ANSWER') ? 'specialist' : 'base');
  const prompt = /ANSWER \((\w+)\)/.exec(a)?.[1] ?? '?';
  assert.notEqual(who(a), who(b), 'the judge sees one answer of each system');
  return { a: who(a), b: who(b), prompt };
}

type Verdict = { base: number; specialist: number } | 'garbage';

/** j1 answers in a fenced JSON block after some prose; j2 in plain text with "Score: n" per answer. */
function verdictReply(judge: string, verdict: Verdict, a: System, b: System): ScriptedResponse {
  if (verdict === 'garbage') return { content: 'Both answers have merit; I would rather not put numbers on them.' };
  if (judge === 'j1') {
    const json = JSON.stringify({
      a: { score: verdict[a], reason: `${a} seen in A` },
      b: { score: verdict[b], reason: `${b} seen in B` },
    });
    return { content: `My assessment follows.\n\n\`\`\`json\n${json}\n\`\`\`` };
  }
  return {
    content: `Answer A: covers the question. Score: ${verdict[a]}\n\nAnswer B: also relevant. Score: ${verdict[b]}`,
  };
}

/** A judge scripted per judge and prompt: the n-th request for (judge, prompt) gets verdicts[n]. */
function scriptedJudge(table: Record<string, Record<string, Verdict[]>>) {
  const seen = new Map<string, number>();
  return (body: FakeChatBody): ScriptedResponse | undefined => {
    const { a, b, prompt } = slots(body);
    const counter = `${body.model}/${prompt}`;
    const index = seen.get(counter) ?? 0;
    seen.set(counter, index + 1);
    const verdict = table[body.model]?.[prompt]?.[index];
    return verdict === undefined ? undefined : verdictReply(body.model, verdict, a, b);
  };
}

function lines(path: string): string[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
}

/** The documented A/B rule: sha256("<seed>:<id>:<judge>:<repeat>"), first 8 hex digits even → base is A. */
function baseFirst(seed: number, id: string, judge: string, repeat: number): boolean {
  return (
    Number.parseInt(createHash('sha256').update(`${seed}:${id}:${judge}:${repeat}`).digest('hex').slice(0, 8), 16) %
      2 ===
    0
  );
}

const FILES = [
  '--prompts',
  'prompts.jsonl',
  '--base-answers',
  'base-answers.jsonl',
  '--specialist-answers',
  'specialist-answers.jsonl',
];

describe('evaluation skill (evaluate.py)', () => {
  let judges: FakeOpenAIServer;
  let vllm: FakeOpenAIServer;
  let work: string;
  let judge: (body: FakeChatBody) => ScriptedResponse | undefined = () => undefined;
  const env = { [JUDGE_KEY_ENV]: JUDGE_KEY };

  before(async () => {
    judges = await startFakeOpenAIServer({ requireApiKey: JUDGE_KEY, fallback: (body) => judge(body) });
    vllm = await startFakeOpenAIServer({
      models: ['qwen3-14b', 'gpu-specialist'],
      rejectUnknownModels: true,
      fallback: (body) => {
        const prompt = readFileSync(join(FIXTURES, 'prompts.jsonl'), 'utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as { id: string; prompt: string })
          .find((entry) => entry.prompt === userText(body));
        if (!prompt) return undefined;
        return body.model === 'gpu-specialist'
          ? {
              content: `<think>Let me think about ${prompt.id}.</think>\nSPECIALIST ANSWER (${prompt.id}): precise steps.`,
            }
          : { content: `BASE ANSWER (${prompt.id}): generic advice.` };
      },
    });
    work = mkdtempSync(join(tmpdir(), 'evaluate-test-'));
  });
  after(async () => {
    await judges.close();
    await vllm.close();
    rmSync(work, { recursive: true, force: true });
  });
  const fresh = (name: string): string => {
    judges.reset();
    vllm.reset();
    return join(work, name);
  };

  it('aggregates two judges x two repeats over three prompts, mapping the A/B order back, with a missing judgement', async () => {
    const out = fresh('aggregate');
    judge = scriptedJudge({
      j1: {
        '1': [
          { base: 4, specialist: 4 },
          { base: 5, specialist: 4 },
        ],
        '2': [
          { base: 3, specialist: 3 },
          { base: 3, specialist: 4 },
        ],
        '3': [
          { base: 5, specialist: 4 },
          { base: 5, specialist: 4 },
        ],
      },
      j2: {
        '1': [
          { base: 4, specialist: 5 },
          { base: 4, specialist: 5 },
        ],
        '2': [
          { base: 2, specialist: 4 },
          { base: 3, specialist: 4 },
        ],
        '3': [{ base: 5, specialist: 4 }, 'garbage', 'garbage'],
      },
    });
    const args = [
      ...FILES,
      '--out',
      out,
      '--judge-model',
      'j1',
      '--judge-model',
      'j2',
      '--judge-repeats',
      '2',
      '--seed',
      '3',
      '--judge-url',
      judges.baseURL,
      '--judge-key-env',
      JUDGE_KEY_ENV,
    ];
    const result = await runScript(args, env);
    assert.equal(result.code, 0, result.stderr);

    const requests = judges.chatRequests();
    assert.equal(requests.length, 3 * 2 * 2 + 1, 'twelve judgements and one retry of the unparseable one');
    assert.ok(requests.every((request) => request.headers.authorization === `Bearer ${JUDGE_KEY}`));
    assert.ok(
      requests.every((request) => request.body.model === 'j1' || request.body.model === 'j2'),
      'answers come from files: no answer request',
    );
    assert.equal(
      existsSync(join(out, 'answers-base.jsonl')) || existsSync(join(out, 'answers-specialist.jsonl')),
      false,
    );
    const orders = requests.map((request) => slots(request.body).a);
    assert.ok(orders.includes('base') && orders.includes('specialist'), 'both A/B orders occur');
    assert.ok(
      !requests.some((request) => userText(request.body).includes('<think>')),
      'reasoning blocks are stripped from answers',
    );
    const first = userText(requests[0]!.body);
    assert.match(first, /\[Reference answer\]\nEach block loads elements into shared memory/);
    assert.match(first, /Topic: CUDA parallel reduction kernel/);
    assert.match(first, /correctness, depth and actionability/);

    const evaluation = readJson(join(out, 'evaluation.json'));
    assert.match(String(evaluation.created_at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    delete evaluation.created_at;
    assert.deepEqual(evaluation, {
      format: 'mux-swarm-evaluation/1',
      base: { model: 'base-answers.jsonl' },
      specialist: { model: 'specialist-answers.jsonl' },
      judges: ['j1', 'j2'],
      prompts: [
        {
          id: '1',
          topic: 'CUDA parallel reduction kernel',
          base_score: 4.25,
          specialist_score: 4.5,
          delta: 0.25,
          scores: { j1: { base: [4, 5], specialist: [4, 4] }, j2: { base: [4, 4], specialist: [5, 5] } },
          missing_judgements: 0,
        },
        {
          id: '2',
          topic: 'NCCL all-reduce bottleneck diagnosis',
          base_score: 2.75,
          specialist_score: 3.75,
          delta: 1,
          scores: { j1: { base: [3, 3], specialist: [3, 4] }, j2: { base: [2, 3], specialist: [4, 4] } },
          missing_judgements: 0,
        },
        {
          id: '3',
          topic: 'Write a Dockerfile for multi-GPU CUDA training with PyTor...',
          base_score: 5,
          specialist_score: 4,
          delta: -1,
          scores: { j1: { base: [5, 5], specialist: [4, 4] }, j2: { base: [5], specialist: [4] } },
          missing_judgements: 1,
        },
      ],
      aggregate: {
        base: 4,
        specialist: 4.08,
        delta: 0.08,
        relative_delta: 0.021,
        prompts: 3,
        specialist_wins: 2,
        base_wins: 1,
        ties: 0,
        missing_judgements: 1,
      },
    });

    const markdown = readFileSync(join(out, 'evaluation.md'), 'utf8').split('\n');
    const table = markdown.slice(markdown.indexOf('| # | Prompt Topic | Base | Specialist | Delta |'));
    assert.deepEqual(table.slice(0, 6), [
      '| # | Prompt Topic | Base | Specialist | Delta |',
      '|---|---|---|---|---|',
      '| 1 | CUDA parallel reduction kernel | 4.25 | 4.50 | +0.25 |',
      '| 2 | NCCL all-reduce bottleneck diagnosis | 2.75 | 3.75 | +1.00 |',
      '| 3 | Write a Dockerfile for multi-GPU CUDA training with PyTor... | 5.00 | 4.00 | -1.00 |',
      '| Aggregate | | 4.00 | 4.08 | +0.08 |',
    ]);
    const note = table.slice(6).join('\n');
    assert.match(note, /directional, not definitive/);
    assert.match(note, /3 prompts scored by 2 LLM judges \(2 repeats each\)/);
    assert.match(note, /missing judgements 1/);

    const summary = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    assert.equal(summary.event, 'summary');
    assert.equal(summary.judgements_missing, 1);
    assert.equal(summary.judge_requests, 13);
  });

  it('maps a position-biased judge back by the seeded order, so neither system is favoured by position', async () => {
    const out = fresh('position');
    judge = () => ({ content: '{"a": {"score": 5, "reason": "first"}, "b": {"score": 1, "reason": "second"}}' });
    const seed = 11;
    const result = await runScript(
      [
        ...FILES,
        '--out',
        out,
        '--judge-model',
        'j1',
        '--judge-model',
        'j2',
        '--judge-repeats',
        '3',
        '--seed',
        String(seed),
        '--judge-url',
        judges.baseURL,
        '--judge-key-env',
        JUDGE_KEY_ENV,
      ],
      env,
    );
    assert.equal(result.code, 0, result.stderr);
    const requests = judges.chatRequests();
    assert.equal(requests.length, 18);
    const repeats = new Map<string, number>();
    let baseShownFirst = 0;
    for (const request of requests) {
      const { a, prompt } = slots(request.body);
      const counter = `${request.body.model}/${prompt}`;
      const repeat = repeats.get(counter) ?? 0;
      repeats.set(counter, repeat + 1);
      assert.equal(
        a === 'base',
        baseFirst(seed, prompt, request.body.model, repeat),
        `the order of ${counter} #${repeat} follows the seeded rule`,
      );
      if (a === 'base') baseShownFirst += 1;
    }
    assert.ok(baseShownFirst > 0 && baseShownFirst < 18);

    const evaluation = readJson(join(out, 'evaluation.json')) as {
      prompts: Array<{ id: string; scores: Record<string, { base: number[]; specialist: number[] }> }>;
    };
    for (const row of evaluation.prompts) {
      for (const judgeName of ['j1', 'j2']) {
        const expectedBase = [0, 1, 2].map((repeat) => (baseFirst(seed, row.id, judgeName, repeat) ? 5 : 1));
        assert.deepEqual(row.scores[judgeName]!.base, expectedBase);
        assert.deepEqual(
          row.scores[judgeName]!.specialist,
          expectedBase.map((score) => 6 - score),
        );
      }
    }
    // The same seed gives the same orders; another seed gives others.
    const other = await runScript(
      [
        ...FILES,
        '--out',
        fresh('position-other'),
        '--judge-model',
        'j1',
        '--judge-model',
        'j2',
        '--judge-repeats',
        '3',
        '--seed',
        String(seed + 1),
        '--judge-url',
        judges.baseURL,
        '--judge-key-env',
        JUDGE_KEY_ENV,
      ],
      env,
    );
    assert.equal(other.code, 0, other.stderr);
    const otherOrders = judges.chatRequests().map((request) => slots(request.body).a);
    assert.notDeepEqual(
      otherOrders,
      requests.map((request) => slots(request.body).a),
    );
  });

  it('generates answers at a keyless local endpoint, caches answers and judgements, and resumes only what is missing', async () => {
    const out = fresh('generate');
    judge = (body) => {
      const { a, b, prompt } = slots(body);
      const verdicts: Record<string, { base: number; specialist: number }> = {
        '1': { base: 3, specialist: 5 },
        '2': { base: 4, specialist: 4 },
        '3': { base: 4, specialist: 2 },
      };
      const verdict = verdicts[prompt]!;
      return { content: JSON.stringify({ a: { score: verdict[a] }, b: { score: verdict[b] } }) };
    };
    const args = (...judgeModels: string[]) => [
      '--prompts',
      'prompts.jsonl',
      '--out',
      out,
      '--base-model',
      'qwen3-14b',
      '--base-url',
      vllm.baseURL,
      '--specialist-model',
      'gpu-specialist',
      '--specialist-url',
      vllm.baseURL,
      '--system-prompt',
      'You are a GPU/HPC expert.',
      ...judgeModels.flatMap((model) => ['--judge-model', model]),
      '--judge-url',
      judges.baseURL,
      '--judge-key-env',
      JUDGE_KEY_ENV,
    ];
    const result = await runScript(args('j1'), env);
    assert.equal(result.code, 0, result.stderr);

    const answerRequests = vllm.chatRequests();
    assert.equal(answerRequests.length, 6);
    assert.deepEqual(answerRequests.map((request) => request.body.model).sort(), [
      'gpu-specialist',
      'gpu-specialist',
      'gpu-specialist',
      'qwen3-14b',
      'qwen3-14b',
      'qwen3-14b',
    ]);
    for (const request of answerRequests) {
      assert.equal(
        request.headers.authorization,
        undefined,
        'no key is needed or sent for a local endpoint without one',
      );
      assert.deepEqual(request.body.messages[0], { role: 'system', content: 'You are a GPU/HPC expert.' });
    }
    assert.equal(lines(join(out, 'answers-base.jsonl')).length, 3);
    const specialistCache = lines(join(out, 'answers-specialist.jsonl')).map(
      (line) => JSON.parse(line) as { answer: string; status: string },
    );
    assert.ok(
      specialistCache.every((record) => record.status === 'ok' && record.answer.startsWith('SPECIALIST ANSWER')),
      'think blocks stripped',
    );
    assert.equal(judges.chatRequests().length, 3);
    assert.equal(lines(join(out, 'judgements.jsonl')).length, 3);

    const evaluation = readJson(join(out, 'evaluation.json')) as {
      base: unknown;
      specialist: unknown;
      aggregate: Record<string, unknown>;
    };
    assert.deepEqual(evaluation.base, { model: 'qwen3-14b' });
    assert.deepEqual(evaluation.specialist, { model: 'gpu-specialist' });
    assert.deepEqual(evaluation.aggregate, {
      base: 3.67,
      specialist: 3.67,
      delta: 0,
      relative_delta: 0,
      prompts: 3,
      specialist_wins: 1,
      base_wins: 1,
      ties: 1,
      missing_judgements: 0,
    });
    const markdown = readFileSync(join(out, 'evaluation.md'), 'utf8');
    assert.ok(markdown.includes('| 1 | CUDA parallel reduction kernel | 3.00 | 5.00 | +2.00 |'));
    assert.ok(markdown.includes('| 2 | NCCL all-reduce bottleneck diagnosis | 4.00 | 4.00 | +0.00 |'));
    assert.ok(
      markdown.includes('| 3 | Write a Dockerfile for multi-GPU CUDA training with PyTor... | 4.00 | 2.00 | -2.00 |'),
    );
    assert.ok(markdown.includes('| Aggregate | | 3.67 | 3.67 | +0.00 |'));
    assert.match(markdown, /3 prompts scored by 1 LLM judge,/);

    // Everything cached: a rerun asks nothing.
    judges.reset();
    vllm.reset();
    const again = await runScript(args('j1'), env);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(vllm.chatRequests().length + judges.chatRequests().length, 0);

    // A second judge: only its judgements are asked.
    const widened = await runScript(args('j1', 'j2'), env);
    assert.equal(widened.code, 0, widened.stderr);
    assert.equal(vllm.chatRequests().length, 0);
    assert.deepEqual(
      judges.chatRequests().map((request) => request.body.model),
      ['j2', 'j2', 'j2'],
    );

    // Judgements lost (say, a kill before they were written): only those are asked again.
    const kept = lines(join(out, 'judgements.jsonl'));
    writeFileSync(join(out, 'judgements.jsonl'), `${kept.slice(0, -2).join('\n')}\n${kept.at(-2)!.slice(0, 25)}`);
    judges.reset();
    const resumed = await runScript(args('j1', 'j2'), env);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(judges.chatRequests().length, 2);
    assert.equal(vllm.chatRequests().length, 0);
    const final = readJson(join(out, 'evaluation.json')) as { judges: string[]; aggregate: Record<string, unknown> };
    assert.deepEqual(final.judges, ['j1', 'j2']);
    assert.equal(final.aggregate.missing_judgements, 0);
  });

  it('exits 2 naming the variable when the judge key is missing', async () => {
    const out = fresh('no-key');
    const named = await runScript(
      [...FILES, '--out', out, '--judge-model', 'j1', '--judge-url', judges.baseURL, '--judge-key-env', JUDGE_KEY_ENV],
      {},
    );
    assert.equal(named.code, 2);
    assert.match(named.stderr, new RegExp(JUDGE_KEY_ENV));
    const defaults = await runScript([...FILES, '--out', out, '--judge-model', 'j1'], {});
    assert.equal(defaults.code, 2);
    assert.match(defaults.stderr, /OPENROUTER_API_KEY/);
    assert.equal(judges.chatRequests().length, 0);
    assert.equal(existsSync(out), false);
  });

  it('records a judgement the server refuses as missing, without printing or storing the key it echoes', async () => {
    const out = fresh('leak');
    judge = (body) => {
      const { a, b, prompt } = slots(body);
      if (prompt === '2') return { error: { status: 400, message: `Bad request for key ${JUDGE_KEY}` } };
      return { content: JSON.stringify({ a: { score: a === 'base' ? 2 : 4 }, b: { score: b === 'base' ? 2 : 4 } }) };
    };
    const result = await runScript(
      [...FILES, '--out', out, '--judge-model', 'j1', '--judge-url', judges.baseURL, '--judge-key-env', JUDGE_KEY_ENV],
      env,
    );
    assert.equal(result.code, 1, 'a prompt without any judgement is unscored');
    const evaluation = readJson(join(out, 'evaluation.json')) as {
      prompts: Array<Record<string, unknown>>;
      aggregate: Record<string, unknown>;
    };
    assert.deepEqual(evaluation.prompts[1], {
      id: '2',
      topic: 'NCCL all-reduce bottleneck diagnosis',
      base_score: null,
      specialist_score: null,
      delta: null,
      scores: { j1: { base: [], specialist: [] } },
      missing_judgements: 1,
    });
    assert.deepEqual(evaluation.aggregate, {
      base: 2,
      specialist: 4,
      delta: 2,
      relative_delta: 1,
      prompts: 2,
      specialist_wins: 2,
      base_wins: 0,
      ties: 0,
      missing_judgements: 1,
    });
    assert.ok(
      readFileSync(join(out, 'evaluation.md'), 'utf8').includes(
        '| 2 | NCCL all-reduce bottleneck diagnosis | n/a | n/a | n/a |',
      ),
    );
    const stored = readdirSync(out)
      .map((name) => readFileSync(join(out, name), 'utf8'))
      .join('\n');
    const everything = `${result.stdout}\n${result.stderr}\n${stored}`;
    assert.match(everything, /Bad request for key \[redacted\]/);
    for (let start = 0; start + 8 <= JUDGE_KEY.length; start += 1) {
      assert.ok(!everything.includes(JUDGE_KEY.slice(start, start + 8)), 'no piece of the key is printed or stored');
    }
  });
});
