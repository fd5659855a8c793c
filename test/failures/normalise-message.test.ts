import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MAXIMUM_MESSAGE_CHARACTERS, normaliseMessage } from '../../src/failures/normalise-message.js';

function cases(rows: Array<[input: string, expected: string]>): void {
  for (const [input, expected] of rows) assert.equal(normaliseMessage(input), expected, input);
}

describe('normaliseMessage', () => {
  it('paths: absolute, Windows, relative, home, file URLs and file names become <path>', () => {
    cases([
      ['cannot open /home/u/x.py', 'cannot open <path>'],
      ['cannot open C:\\Users\\bob\\train.py now', 'cannot open <path> now'],
      ['cannot open C:/Users/bob/train.py', 'cannot open <path>'],
      ['missing ./data/train.jsonl', 'missing <path>'],
      ['missing ../shared/x', 'missing <path>'],
      ['missing ~/datasets/x.csv', 'missing <path>'],
      ['missing data/train.jsonl', 'missing <path>'],
      ['in torch/distributed/run.py:793', 'in <path>:<n>'],
      ['at file:///home/erin/build.mjs:27:27', 'at <path>'],
      ['ProcessGroupNCCL.cpp:629 failed', '<path>:<n> failed'],
      ['imported from /srv/app/dist/index.js', 'imported from <path>'],
    ]);
  });

  it('words with a slash that are not paths are kept', () => {
    cases([
      ['activate truncation and/or padding', 'activate truncation and/or padding'],
      ['model meta-llama/Llama is gated', 'model meta-llama/Llama is gated'],
      ['3.2 it/s', '<n> it/s'],
    ]);
  });

  it('numbers: integers, decimals, sizes, percentages, exponents, versions become <n>', () => {
    cases([
      ['Tried to allocate 2.00 GiB', 'Tried to allocate <n>'],
      ['Tried to allocate 540.00MiB.', 'Tried to allocate <n>.'],
      ['1024 bytes left, 45% done', '<n> left, <n> done'],
      ['lr 1e-05 at step 300', 'lr <n> at step <n>'],
      ['NCCL version 2.21.5', 'NCCL version <n>'],
      ['ran for 600023 milliseconds', 'ran for <n> milliseconds'],
      ['expected sequence of length 412 at dim 1 (got 389)', 'expected sequence of length <n> at dim <n> (got <n>)'],
      ['exit status -6', 'exit status -<n>'],
      ['saved checkpoint_1500', 'saved checkpoint_<n>'],
    ]);
  });

  it('numbers inside names are kept: float16, Qwen2ForCausalLM, bf16, python3.11, E404, v1.2', () => {
    cases([
      ['expected float16 but got bf16', 'expected float16 but got bf16'],
      ['Qwen2ForCausalLM does not support E404', 'Qwen2ForCausalLM does not support E404'],
      ['python3.11 and v1.2 and layers.12.mlp', 'python3.11 and v1.2 and layers.12.mlp'],
    ]);
  });

  it('devices, ranks and processes: GPU 0, rank 3, rank3, cuda:1, pid 42 become <n>', () => {
    cases([
      ['GPU 0 has a total capacity', 'GPU <n> has a total capacity'],
      ['on rank 3 and rank3', 'on rank <n> and rank<n>'],
      ['tensors on cuda:1 and cuda:0', 'tensors on cuda:<n> and cuda:<n>'],
      ['received by PID 9060', 'received by PID <n>'],
      ['host gpu-node-01', 'host gpu-node-<n>'],
    ]);
  });

  it('hex ids: 0x…, git shas, UUIDs, container ids, memory addresses become <hex>', () => {
    cases([
      ['object at 0x7f3a2c1d9e80', 'object at <hex>'],
      ['commit e3b0c44298fc not found', 'commit <hex> not found'],
      ['request 5e1f0a77-2c9d-4b8e-9f3a-1d2c3b4a5e6f failed', 'request <hex> failed'],
      ['container 3f4e5d6c7b8a exited', 'container <hex> exited'],
      ['Root=1-68c6f1a2-3b0e5d2c7a4f19e86d0b2c41', 'Root=<n>-<hex>-<hex>'],
    ]);
  });

  it('words made of hex letters are not ids: deadbeef, facade, accede', () => {
    cases([['deadbeef facade accede', 'deadbeef facade accede']]);
  });

  it('times and dates become <time>', () => {
    cases([
      ['at 2025-09-14 21:03:11,402 it failed', 'at <time> it failed'],
      ['time : 2025-09-15_10:12:45', 'time : <time>'],
      ['logs/2024-05-01T10_00_00_000Z-debug-0.log', '<path>'],
      ['created 2026-08-09T07:32:33.145Z', 'created <time>'],
      ['W0915 10:12:01.123000 140245 started', '<time> <n> started'],
      ['[E1218 20:27:21.426415540 x]', '[<time> x]'],
      ['at 10:12:45 and run 20250914_210318', 'at <time> and run <time>'],
      ['on 2025-10-03', 'on <time>'],
    ]);
  });

  it('URLs keep their scheme and host; the path and query become <path>', () => {
    cases([
      ['GET https://registry.npmjs.org/lodahs - Not found', 'GET https://registry.npmjs.org/<path> - Not found'],
      ['see https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)', 'see https://pytorch.org/<path>)'],
      ['POST http://localhost:8080/v1/chat/completions?x=1', 'POST http://localhost:<n>/<path>'],
      ['at https://huggingface.co.', 'at https://huggingface.co.'],
      ['from https://user:pw@example.com/x', 'from https://example.com/<path>'],
    ]);
  });

  it('quoted values become <v>; quoted paths and file names <path>', () => {
    cases([
      ["invalid literal for int() with base 10: 'abc def'", "invalid literal for int() with base <n>: '<v>'"],
      ["with 'padding=True' 'truncation=True'", "with '<v>' '<v>'"],
      ["No such file or directory: '/home/alice/data/train.jsonl'", "No such file or directory: '<path>'"],
      ["Can't find 'config.json'", "Can't find '<path>'"],
      ['Unexpected value "42.5" for field', 'Unexpected value "<v>" for field'],
      ["device 'cuda:0'", "device '<v>'"],
      ["checkpoint 'checkpoint-1500' and run 'run_20250914'", "checkpoint '<v>' and run '<v>'"],
    ]);
  });

  it('quoted identifiers are kept: they name what is wrong', () => {
    cases([
      ["No module named 'trl'", "No module named 'trl'"],
      ["got an unexpected keyword argument 'max_seq_length'", "got an unexpected keyword argument 'max_seq_length'"],
      ["No module named 'torch.distributed.fsdp'", "No module named 'torch.distributed.fsdp'"],
      ['features (`input_ids` in this case)', 'features (`input_ids` in this case)'],
      [
        "Cannot find package '@aws-sdk/client-s3' imported from /x/y.js",
        "Cannot find package '@aws-sdk/client-s3' imported from <path>",
      ],
      ["Cannot find package 'left-pad'", "Cannot find package 'left-pad'"],
      ['Missing script: "build"', 'Missing script: "build"'],
      ["Expecting ',' delimiter", "Expecting ',' delimiter"],
      ["'(' was never closed", "'(' was never closed"],
    ]);
    assert.notEqual(normaliseMessage("No module named 'trl'"), normaliseMessage("No module named 'peft'"));
    assert.notEqual(
      normaliseMessage("got an unexpected keyword argument 'max_seq_length'"),
      normaliseMessage("got an unexpected keyword argument 'tokenizer'"),
    );
  });

  it('apostrophes are not quotes', () => {
    cases([["Can't load tokenizer for 'gpt2'. Don't retry", "Can't load tokenizer for 'gpt2'. Don't retry"]]);
  });

  it('a quoted sentence is normalised in place rather than replaced', () => {
    cases([
      [
        "KeyError: \"Column labels not in the dataset. Current columns in the dataset: ['text', 'input_ids']\"",
        "KeyError: \"Column labels not in the dataset. Current columns in the dataset: ['text', 'input_ids']\"",
      ],
      [
        "{'message': 'Rate limit reached for gpt-4o in organization org-123 on tokens per min: Limit 30000'}",
        "{'message': 'Rate limit reached for gpt-<n> in organization org-<n> on tokens per min: Limit <n>'}",
      ],
    ]);
  });

  it('secrets are redacted', () => {
    cases([
      ['Incorrect API key provided: sk-proj-****************5678.', 'Incorrect API key provided: [REDACTED].'],
      ['token 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 rejected', 'token [REDACTED] rejected'],
    ]);
  });

  it('whitespace is collapsed, case kept', () => {
    cases([['  CUDA   out of\tMemory  ', 'CUDA out of Memory']]);
  });

  it('multi-line messages keep the first line and lines that are not data dumps', () => {
    const message = [
      'The size of tensor a (4096) must match the size of tensor b (2048) at non-singleton dimension 1',
      'tensor([[ 0.1234, -0.5531,  1.2000,  0.0003],',
      "        [ 0.9912,  0.1100, -0.2231,  0.7781]], device='cuda:0')",
      '[1, 2, 3, 4, 5, 6, 7, 8]',
      'Hint: check the model config.',
    ].join('\n');
    assert.equal(
      normaliseMessage(message),
      'The size of tensor a (<n>) must match the size of tensor b (<n>) at non-singleton dimension <n> Hint: check the model config.',
    );
  });

  it('a long message is cut to 300 characters at a space', () => {
    const long = `first line ${'word '.repeat(200)}`;
    const normalised = normaliseMessage(long);
    assert.ok(normalised.length <= MAXIMUM_MESSAGE_CHARACTERS);
    assert.ok(normalised.endsWith('word'));
    assert.equal(normaliseMessage(`${'x'.repeat(5000)}\n${'y'.repeat(5000)}`).length, MAXIMUM_MESSAGE_CHARACTERS);
  });

  it('messages differing only in tensor values are equal', () => {
    const a = 'Expected all tensors to be on the same device\n[[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]';
    const b = 'Expected all tensors to be on the same device\n[[9.9, 1.2], [7.3, 0.1], [2.5, 3.6]]';
    assert.equal(normaliseMessage(a), normaliseMessage(b));
  });

  it('ANSI colours and carriage-return redraws are removed', () => {
    cases([
      ['\x1b[35mCUDA out of memory\x1b[0m', 'CUDA out of memory'],
      ['10%\r100% done', '<n> done'],
    ]);
  });

  it('is idempotent: normalising twice gives what normalising once gave', () => {
    const samples = [
      "Command '['/workspace/.venv/bin/python3', 'train_dpo.py', '--config', 'dpo.yaml']' returned non-zero exit status 1.",
      "Error code: 401 - {'error': {'message': 'Incorrect API key provided: sk-proj-****5678. You can find your API key at https://platform.openai.com/account/api-keys.', 'type': 'invalid_request_error', 'param': None}}",
      'POST http://localhost:8080/v1 failed after 3.2s (attempt 2/5) at 2025-10-14 10:01:12,004',
      'the 3rd time, with /usr/lib and "see /x/y and z" and \'a b c d 3rd\'',
      "unterminated 'quote with 12 and llama-3 inside",
      `${'a'.repeat(290)} 'llama-3-8b' tail`,
      `${'long-token-'.repeat(40)} 12`,
      "Can't load tokenizer for 'meta-llama/Llama-3.1-8B'. If you were trying to load it from 'https://huggingface.co/models', make sure you don't have a local directory",
      'WorkNCCL(SeqNum=2048, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600023 milliseconds',
      "'`x`' \"'y'\" `'z'` '' \"\" ``",
      'mixed 0x1F and C:\\a\\b.txt and ~/c and ./d and e/f/g and h/i.py and https://j.k:1/l?m#n',
    ];
    for (const sample of samples) {
      const once = normaliseMessage(sample);
      assert.equal(normaliseMessage(once), once, sample);
    }
  });

  it('is idempotent on every line of the failure corpus', () => {
    const folder = fileURLToPath(new URL('../fixtures/failures/', import.meta.url));
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.txt'))) {
      const text = readFileSync(path.join(folder, file), 'utf8');
      for (const line of text.split('\n')) {
        const once = normaliseMessage(line);
        assert.equal(normaliseMessage(once), once, `${file}: ${line}`);
      }
      const whole = normaliseMessage(text);
      assert.equal(normaliseMessage(whole), whole, file);
    }
  });

  it('is idempotent on random mixtures of the shapes it rewrites (seeded)', () => {
    const pieces = [
      "'",
      '"',
      '`',
      ' ',
      'abc',
      'max_seq_length',
      '12',
      '3.5',
      '0x1f',
      '/a/b',
      './x',
      '~/y',
      'C:\\z',
      'a/b/c',
      'x.py',
      'train.jsonl',
      ':',
      '=',
      ',',
      '(',
      ')',
      '[',
      ']',
      '{',
      '}',
      'https://h.io/p',
      'http://l:80/',
      '2025-01-01',
      '10:11:12',
      'e3b0c44f',
      'rank',
      'GiB',
      '%',
      '<n>',
      '<path>',
      "'<v>'",
      'sk-abc123def456ghi789jkl0',
      'HF_TOKEN=',
      'api_key: ',
      '"k": ',
      '--token ',
      'x1',
      '-',
      '_',
      '.',
      '\n',
      '\r',
      'word',
      'the',
      '7b',
      '@s/p',
      '?',
      '#',
      'Bearer ',
      '12345678',
    ];
    let state = 20251122;
    const random = (): number => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    for (let sample = 0; sample < 5000; sample += 1) {
      let text = '';
      const length = 1 + Math.floor(random() * 40);
      for (let index = 0; index < length; index += 1)
        text += (random() < 0.5 ? ' ' : '') + (pieces[Math.floor(random() * pieces.length)] ?? '');
      const once = normaliseMessage(text);
      assert.equal(normaliseMessage(once), once, JSON.stringify(text));
    }
  });

  it('never leaves a private-use character from the input', () => {
    assert.equal(normaliseMessage('a \ue000 b \ue001'), 'a b');
  });
});
