/**
 * How long fingerprintFailure takes: on every output of the failure corpus, on 10 MB logs (progress bars and log
 * lines before a crash, and with no failure at all), and on inputs that would hurt a careless normaliser or
 * recogniser. Also redactSecrets on a 10 MB env-dump-like log.
 *
 *   node --import tsx bench/fingerprint.ts
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fingerprintFailure, type FailureContext } from '../src/failures/failure-fingerprint.js';
import { normaliseMessage } from '../src/failures/normalise-message.js';
import { redactSecrets } from '../src/logging/redact-secrets.js';

const FIXTURES = fileURLToPath(new URL('../test/fixtures/failures/', import.meta.url));
const TEN_MB = 10 * 1024 * 1024;

function median(run: () => void, repeats = 5): number {
  const durations: number[] = [];
  for (let index = 0; index < repeats; index += 1) {
    const started = performance.now();
    run();
    durations.push(performance.now() - started);
  }
  return durations.sort((a, b) => a - b)[Math.floor(repeats / 2)] ?? 0;
}

function repeatTo(unit: string, size: number): string {
  return unit.repeat(Math.ceil(size / unit.length));
}

const rows: Array<[name: string, characters: number, milliseconds: number]> = [];
function row(name: string, text: string, run: () => void): void {
  rows.push([name, text.length, median(run)]);
}

const corpus = JSON.parse(readFileSync(path.join(FIXTURES, 'corpus.json'), 'utf8')) as Array<{
  file: string;
  context: FailureContext;
}>;
const outputs = corpus.map((item) => ({
  text: readFileSync(path.join(FIXTURES, item.file), 'utf8'),
  context: item.context,
}));
const corpusCharacters = outputs.reduce((sum, output) => sum + output.text.length, 0);
rows.push([
  `whole corpus (${outputs.length} outputs), total`,
  corpusCharacters,
  median(() => outputs.forEach((output) => fingerprintFailure(output.text, output.context))),
]);
let slowest: [string, number] = ['', 0];
for (const [index, output] of outputs.entries()) {
  const milliseconds = median(() => fingerprintFailure(output.text, output.context));
  if (milliseconds > slowest[1]) slowest = [corpus[index]?.file ?? '', milliseconds];
}
rows.push([`slowest corpus output: ${slowest[0]}`, 0, slowest[1]]);

const crash = readFileSync(path.join(FIXTURES, 'tensor-nesting-labels-a.txt'), 'utf8');
const progress = repeatTo(' 41%|████      | 800/1950 [41:12<1:01:48,  3.17s/it]\r', TEN_MB);
row('10 MB of progress bars, then a crash', progress, () =>
  fingerprintFailure(`${progress}\n${crash}`, { exitCode: 1 }),
);
const logLines = repeatTo(
  "2025-10-14 10:01:12,004 - train - INFO - {'loss': 1.2154, 'grad_norm': 0.4521, 'epoch': 0.51}\n",
  TEN_MB,
);
row('10 MB of log lines, no failure, exit 1', logLines, () => fingerprintFailure(logLines, { exitCode: 1 }));
row('10 MB of log lines, no context', logLines, () => fingerprintFailure(logLines));
const oneLine = repeatTo('x', TEN_MB);
row('10 MB on one line', oneLine, () => fingerprintFailure(oneLine, { exitCode: 1 }));

/** Lines of about 1000 characters, 200 KiB in all: within the tail that is read, every line of it looked at. */
function lines(unit: string): string {
  const line = repeatTo(unit, 1000).trimEnd();
  return `${line}\n`.repeat(200);
}
const adversarial: Record<string, string> = {
  'quotes without ends': lines("(' "),
  'quote pairs': lines("('a b c') "),
  'slashes and dots': lines('a/b.c/d.e '),
  'colons (shell shapes)': lines('a: b: c: '),
  'Node headers without stacks': repeatTo('TypeError: x\n', 200 * 1024),
  'npm error lines': repeatTo('npm error code E404\nnpm error 404 x\n', 200 * 1024),
  'NCCL WARN lines': repeatTo('NCCL WARN x\n', 200 * 1024),
  'hex-looking words': lines('deadbeef1 cafe2 '),
  'secret-looking settings': lines('api_key: x1 "HF_TOKEN": "y" PASSWORD=z '),
};
for (const [name, text] of Object.entries(adversarial))
  row(name, text, () => fingerprintFailure(text, { exitCode: 1 }));
const message = repeatTo("('a/b.c' 0x1f 12.5 GiB 'x y z') ", 1000).trimEnd();
const longMessage = `Traceback (most recent call last):\n  File "/x.py", line 1, in <module>\n    f()\nValueError: ${`${message}\n`.repeat(200)}`;
row('a 200 KiB exception message of 200 lines', longMessage, () => fingerprintFailure(longMessage, { exitCode: 1 }));
const lineOfEverything = repeatTo("'max_seq_length' /a/b.py:12 0x7f 2025-01-01 https://h.io/p?q=1 'x y z' ", 2000);
row('normaliseMessage on a 2000-character line', lineOfEverything, () => normaliseMessage(lineOfEverything));

const envDump = repeatTo(
  'OPENAI_API_KEY=sk-proj-4fGh7JkL9mNpQrStUvWxYz0aBcDe HF_TOKEN=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 max_tokens=512 tokenizer\n',
  TEN_MB,
);
row('redactSecrets on 10 MB of env dumps', envDump, () => redactSecrets(envDump));

process.stdout.write(`fingerprintFailure, median of 5 runs (node ${process.version})\n`);
for (const [name, characters, milliseconds] of rows) {
  const size = characters === 0 ? '' : `${(characters / 1024).toFixed(0)} KiB`;
  process.stdout.write(`${name.padEnd(62)} ${size.padStart(10)}  ${milliseconds.toFixed(2).padStart(9)} ms\n`);
}
