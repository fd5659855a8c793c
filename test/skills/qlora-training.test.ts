/**
 * skills/qlora-training/scripts/train.py, run as a real python3 process. This machine has no torch, transformers,
 * trl or peft (and none may be installed here): --dry-run, the checks, the resume choice and the pure helpers are
 * tested as they are; the training path itself is checked on a GPU machine (see docs/training-server.md).
 *
 * python3 runs with -S (no site-packages) so that whatever is installed on the machine cannot change what the
 * script finds: only the standard library.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SKILL = join(REPO, 'skills/qlora-training');
const SCRIPTS = join(SKILL, 'scripts');
const SCRIPT = join(SCRIPTS, 'train.py');
const FIXTURES = join(REPO, 'test/fixtures/skills/qlora');
const TRAIN = join(FIXTURES, 'train.jsonl');
const EVAL = join(FIXTURES, 'eval.jsonl');
const INVALID = join(FIXTURES, 'invalid.jsonl');
const MODEL = 'Qwen/Qwen3-0.6B';
const SECRET = 'hf_qlora_test_secret_4b1d9c';

// The script's JSON is read field by field in assertions: typing every shape would only restate the Python.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

interface ScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function environment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: tmpdir(),
    LANG: 'C.UTF-8',
    PYTHONDONTWRITEBYTECODE: '1',
    ...extra,
  };
}

/** Runs train.py to completion (for quick runs: dry runs, argument errors, short stand-in trainings). */
function runScript(args: string[], extra: Record<string, string> = {}): Promise<ScriptResult> {
  return run('python3', ['-S', SCRIPT, ...args], extra);
}

/** Runs python3 -c `code` with the script's folder importable; returns stdout parsed as JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- whatever the script printed, read as Json above
async function python(code: string, extra: Record<string, string> = {}): Promise<any> {
  const program = `import sys, json; sys.path.insert(0, ${JSON.stringify(SCRIPTS)}); import train\n${code}`;
  const result = await run('python3', ['-S', '-c', program], extra);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

/** Runs a command to completion without blocking the event loop, so that tests can run side by side. */
function run(command: string, args: string[], extra: Record<string, string> = {}): Promise<ScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: environment(extra), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString('utf8')));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString('utf8')));
    child.on('error', reject);
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Every stdout line must be a protocol line: a JSON object with a string event. */
function progressLines(stdout: string): Json[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const record = JSON.parse(line) as Json;
      assert.equal(typeof record.event, 'string', `not a progress line: ${line}`);
      return record;
    });
}

async function dryRun(
  args: string[],
  extra: Record<string, string> = {},
): Promise<{ result: ScriptResult; summary: Json }> {
  const result = await runScript(['--model', MODEL, '--dry-run', ...args], extra);
  const lines = result.stdout.split('\n').filter((line) => line !== '');
  assert.equal(
    lines.length,
    1,
    `--dry-run must print exactly one JSON line, got:\n${result.stdout}\nstderr:\n${result.stderr}`,
  );
  return { result, summary: JSON.parse(lines[0] ?? '') as Json };
}

/** Writes checkpoint-N: complete = readable trainer_state.json + adapter weights. */
function writeCheckpoint(
  outputDir: string,
  step: number | string,
  parts: { state?: string; weights?: boolean } = {},
): string {
  const directory = join(outputDir, `checkpoint-${step}`);
  mkdirSync(directory, { recursive: true });
  if (parts.weights !== false) writeFileSync(join(directory, 'adapter_model.safetensors'), 'weights');
  if (parts.state !== undefined) writeFileSync(join(directory, 'trainer_state.json'), parts.state);
  return directory;
}

let workspace: string;

before(() => {
  workspace = mkdtempSync(join(tmpdir(), 'mux-swarm-qlora-'));
});

after(() => {
  rmSync(workspace, { recursive: true, force: true });
});

function freshDirectory(name: string): string {
  const directory = join(workspace, name);
  mkdirSync(directory, { recursive: true });
  return directory;
}

/** The suites run side by side: nearly all the time is python start-up, in separate processes and folders. */
describe('skills/qlora-training/scripts/train.py', { concurrency: true }, () => {
  describe('arguments and dry run', { concurrency: 4 }, () => {
    it('compiles', async () => {
      const result = await run('python3', ['-m', 'py_compile', SCRIPT], {
        PYTHONPYCACHEPREFIX: freshDirectory('pycache'),
      });
      assert.equal(result.code, 0, result.stderr);
    });

    it('--help lists every argument', async () => {
      const result = await runScript(['--help']);
      assert.equal(result.code, 0, result.stderr);
      const expected = [
        '--model',
        '--train-file',
        '--eval-file',
        '--output-dir',
        '--lora-r',
        '--lora-alpha',
        '--lora-dropout',
        '--target-modules',
        '--max-length',
        '--epochs',
        '--max-steps',
        '--batch-size',
        '--grad-accum',
        '--learning-rate',
        '--warmup',
        '--logging-steps',
        '--save-steps',
        '--eval-steps',
        '--seed',
        '--quantization',
        '--trainer',
        '--resume',
        '--gradient-checkpointing',
        '--no-gradient-checkpointing',
        '--dry-run',
      ];
      for (const argument of expected)
        assert.ok(result.stdout.includes(argument), `--help does not mention ${argument}`);
      assert.match(result.stdout, /\{auto,4bit,8bit,none\}/);
    });

    it('accepts a valid dataset: counts, duplicate and overlap warnings, and a plan saying the libraries are missing here', async () => {
      const outputDir = join(workspace, 'valid-run');
      const { result, summary } = await dryRun(['--train-file', TRAIN, '--eval-file', EVAL, '--output-dir', outputDir]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(summary.event, 'dry_run');
      assert.equal(summary.valid, true);
      assert.equal(summary.train_examples, 6);
      assert.equal(summary.eval_examples, 2);
      assert.deepEqual(summary.problems, []);
      const warnings = (summary.warnings as Json[]).map((warning) => String(warning.warning));
      assert.ok(
        warnings.some((warning) => warning.includes('line 5 = line 1')),
        `no duplicate warning in ${warnings.join(' | ')}`,
      );
      assert.ok(
        warnings.some((warning) => warning.includes('also appear in the training data')),
        'no train/eval overlap warning',
      );

      const plan = summary.plan as Json;
      assert.equal(plan.backends.torch, false);
      assert.equal(plan.backends.transformers, false);
      assert.equal(plan.backends.trl, false);
      assert.equal(plan.backends.peft, false);
      assert.equal(plan.can_train, false);
      for (const name of ['torch', 'transformers', 'peft'])
        assert.ok(plan.missing.includes(name), `plan.missing lacks ${name}`);
      assert.equal(plan.trainer, 'transformers');
      assert.match(plan.trainer_reason, /trl not importable/);
      assert.equal(plan.quantization, 'none');
      assert.ok((plan.fallbacks as string[]).some((fallback) => /instead of 4-bit/.test(fallback)));
      assert.deepEqual(plan.lora, { r: 32, alpha: 64, dropout: 0.05, target_modules: 'all-linear' });
      assert.equal(plan.training.effective_batch, 8);
      assert.equal(plan.training.warmup_meaning, 'ratio of total steps');
      assert.equal(plan.resume.checkpoint, null);
      assert.equal(plan.final_dir, join(outputDir, 'final'));
      assert.equal(existsSync(outputDir), false, '--dry-run must not create the output directory');
    });

    it('warns about examples longer than --max-length without rejecting them', async () => {
      const { result, summary } = await dryRun(['--train-file', TRAIN, '--max-length', '128']);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(summary.valid, true);
      const overLength = (summary.warnings as Json[]).find((warning) =>
        String(warning.warning).includes('longer than --max-length 128'),
      );
      assert.ok(overLength, JSON.stringify(summary.warnings));
      assert.deepEqual(overLength.lines, [4]);
    });

    it('rejects an invalid dataset with exit 2 and each problem at its line', async () => {
      const { result, summary } = await dryRun(['--train-file', INVALID, '--max-length', '256']);
      assert.equal(result.code, 2);
      assert.equal(summary.valid, false);
      assert.equal(summary.train_examples, 3, 'lines 1, 8 and 10 are valid; the blank line 9 is skipped');
      const problems = summary.problems as Json[];
      const at = (line: number): string =>
        problems
          .filter((problem) => problem.line === line)
          .map((problem) => String(problem.problem))
          .join(' | ');
      assert.match(at(2), /invalid JSON/);
      assert.match(at(3), /missing "messages".*prompt/);
      assert.match(at(4), /unknown role 'bot'/);
      assert.match(at(5), /empty content/);
      assert.match(at(6), /last message is from 'user'/);
      assert.match(at(7), /over --max-length 256/);
      assert.deepEqual(
        [...new Set(problems.map((problem) => problem.line))].sort((a, b) => a - b),
        [2, 3, 4, 5, 6, 7],
      );
      assert.ok(problems.every((problem) => problem.file === INVALID));
      assert.equal(summary.problems_total, 6);
    });

    it('refuses to train on an invalid dataset, naming file and line on stderr, with nothing on stdout', async () => {
      const result = await runScript(['--model', MODEL, '--train-file', INVALID, '--max-length', '256']);
      assert.equal(result.code, 2);
      assert.equal(result.stdout, '');
      assert.ok(result.stderr.includes(`${INVALID}:2: invalid JSON`), result.stderr);
      assert.ok(result.stderr.includes(`${INVALID}:7:`), result.stderr);
    });

    it('exits 2 naming the argument for an out-of-range value (a real run for one, in-process for the rest)', async () => {
      const result = await runScript(['--model', MODEL, '--train-file', TRAIN, '--lora-r', '-1']);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /argument --lora-r: must be a positive integer \(got -1\)/);
      assert.equal(result.stdout, '', 'a bad argument without --dry-run prints nothing on stdout');

      const cases: Array<[string[], string, RegExp]> = [
        [['--warmup', '-0.1'], '--warmup', /0 or more/],
        [['--warmup', '2.5'], '--warmup', /whole number/],
        [['--lora-dropout', '1'], '--lora-dropout', /\[0, 1\)/],
        [['--max-steps', '0'], '--max-steps', /-1/],
        [['--lora-alpha', 'abc'], '--lora-alpha', /not a valid integer/],
        [['--quantization', '3bit'], '--quantization', /invalid choice/],
      ];
      const outcomes = (await python(
        'import contextlib, io\nout = []\n' +
          `for extra in ${JSON.stringify(cases.map(([args]) => args))}:\n` +
          '    err = io.StringIO()\n' +
          '    with contextlib.redirect_stderr(err):\n' +
          '        try:\n            code = train.main(["--model", "m/x", "--train-file", ' +
          JSON.stringify(TRAIN) +
          ', *extra])\n' +
          '        except SystemExit as exit:\n            code = exit.code\n' +
          '    out.append([code, err.getvalue()])\n' +
          'print(json.dumps(out))',
      )) as Array<[number, string]>;
      cases.forEach(([args, argument, message], index) => {
        const [code, stderr] = outcomes[index] ?? [];
        assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
        assert.ok(stderr?.includes(`argument ${argument}: `), stderr);
        assert.match(stderr ?? '', message);
      });
    });

    it('under --dry-run, an argument error is also the JSON summary (valid: false, the argument named)', async () => {
      const { result, summary } = await dryRun(['--train-file', TRAIN, '--lora-r', '-1']);
      assert.equal(result.code, 2);
      assert.equal(summary.valid, false);
      assert.deepEqual(summary.problems, [{ argument: '--lora-r', problem: 'must be a positive integer (got -1)' }]);
    });

    it('reports every file-system argument problem at once: missing files, output dir under a file, resume, model', async () => {
      const args = [
        '--model',
        FIXTURES,
        '--train-file',
        '/nonexistent/train.jsonl',
        '--eval-file',
        '/nonexistent/eval.jsonl',
        '--output-dir',
        join(TRAIN, 'run'),
        '--resume',
        '/nonexistent/checkpoint-5',
      ];
      const expected: Array<[string, RegExp]> = [
        ['--model', /no config\.json/],
        ['--train-file', /file not found/],
        ['--eval-file', /file not found/],
        ['--output-dir', /not a directory/],
        ['--resume', /not found/],
      ];
      const plain = await runScript(args);
      assert.equal(plain.code, 2);
      assert.equal(plain.stdout, '');
      for (const [argument, message] of expected) {
        const line = plain.stderr.split('\n').find((text) => text.includes(`argument ${argument}: `));
        assert.ok(line, `stderr does not name ${argument}:\n${plain.stderr}`);
        assert.match(line, message);
      }
      const { result, summary } = await dryRun(args.slice(2));
      assert.equal(result.code, 2);
      assert.deepEqual(
        (summary.problems as Json[]).map((problem) => problem.argument),
        expected.map(([argument]) => argument).slice(1),
      );
    });

    it('never prints the value of HF_TOKEN, only whether it is set', async () => {
      const { result, summary } = await dryRun(['--train-file', TRAIN], { HF_TOKEN: SECRET });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(summary.plan.hf_token, 'set');
      assert.ok(!result.stdout.includes(SECRET) && !result.stderr.includes(SECRET));
      const scrubbed = await python(`print(json.dumps(train.scrub("token ${SECRET} leaked")))`, { HF_TOKEN: SECRET });
      assert.equal(scrubbed, 'token *** leaked');
    });
  });

  describe('checkpoints and resume', { concurrency: 4 }, () => {
    it('--resume auto picks the highest complete checkpoint (numerically) and skips incomplete ones', async () => {
      const outputDir = freshDirectory('resume-auto');
      for (const step of [10, 200, 30]) writeCheckpoint(outputDir, step, { state: '{"global_step": 1}' });
      writeCheckpoint(outputDir, 300); // killed before trainer_state.json was written
      writeCheckpoint(outputDir, 400, { state: '{"global_st' }); // trainer_state.json cut short
      writeCheckpoint(outputDir, 500, { state: '{"global_step": 500}', weights: false }); // no weights
      writeCheckpoint(outputDir, 'final-ish', { state: '{}' }); // not checkpoint-<N>
      writeFileSync(join(outputDir, 'checkpoint-600'), 'a file, not a directory');

      const { result, summary } = await dryRun(['--train-file', TRAIN, '--output-dir', outputDir]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(summary.plan.resume.checkpoint, join(outputDir, 'checkpoint-200'));

      const found = await python(
        `from pathlib import Path; d = Path(${JSON.stringify(outputDir)})\n` +
          'print(json.dumps({"latest": str(train.find_latest_checkpoint(d)), ' +
          '"complete": {n: train.is_complete_checkpoint(d / f"checkpoint-{n}") for n in (10, 30, 200, 300, 400, 500)}}))',
      );
      assert.equal(found.latest, join(outputDir, 'checkpoint-200'));
      assert.deepEqual(found.complete, {
        '10': true,
        '30': true,
        '200': true,
        '300': false,
        '400': false,
        '500': false,
      });

      const never = (await dryRun(['--train-file', TRAIN, '--output-dir', outputDir, '--resume', 'never'])).summary;
      assert.equal(never.plan.resume.checkpoint, null);
      assert.ok(
        (never.warnings as Json[]).some((warning) => String(warning.warning).includes('already holds checkpoints')),
      );

      const incomplete = await runScript([
        '--model',
        MODEL,
        '--train-file',
        TRAIN,
        '--resume',
        join(outputDir, 'checkpoint-300'),
      ]);
      assert.equal(incomplete.code, 2);
      assert.match(incomplete.stderr, /argument --resume: incomplete checkpoint/);
    });

    it('--resume auto starts fresh when only incomplete checkpoints exist', async () => {
      const outputDir = freshDirectory('resume-incomplete');
      writeCheckpoint(outputDir, 7);
      const { summary } = await dryRun(['--train-file', TRAIN, '--output-dir', outputDir]);
      assert.equal(summary.plan.resume.checkpoint, null);
      assert.match(summary.plan.resume.reason, /only incomplete checkpoints/);
    });
  });

  describe('pure helpers', () => {
    let helpers: Json;

    before(async () => {
      helpers = await python(
        'out = {"quantization": {}}\n' +
          'for name, args in {"all": ("auto", True, True), "no_bnb": ("auto", False, True), "no_cuda": ("auto", True, False), "none": ("none", True, True)}.items():\n' +
          '    out["quantization"][name] = list(train.decide_quantization(*args))\n' +
          'try:\n    train.decide_quantization("4bit", False, True)\nexcept train.UsageError as error:\n    out["explicit"] = [error.argument, str(error)]\n' +
          'out["trl_missing"] = list(train.decide_trainer("auto", False))\n' +
          'out["batch"] = train.pad_batch([{"input_ids": [5, 6, 7]}, {"input_ids": [8]}], pad_token_id=0)\n' +
          'class Scalar:\n    def __init__(self, v): self.v = v\n    def item(self): return self.v\n' +
          'out["line"] = train.progress_line("log", {"step": 3, **train.numeric_fields({"loss": Scalar(1.5), "grad_norm": float("nan"), "note": "x", "flag": True})})\n' +
          'print(json.dumps(out))',
      );
    });

    it('chooses 4-bit only with bitsandbytes and CUDA, and says what it falls back to', () => {
      const decisions = helpers.quantization as Json;
      assert.equal(decisions.all[0], '4bit');
      assert.deepEqual(decisions.all[2], []);
      assert.equal(decisions.no_bnb[0], 'none');
      assert.deepEqual(decisions.no_bnb[2], ['bitsandbytes not importable: bf16 LoRA instead of 4-bit']);
      assert.equal(decisions.no_cuda[0], 'none');
      assert.match(decisions.no_cuda[2][0], /no CUDA device: fp32 LoRA on CPU/);
      assert.equal(decisions.none[0], 'none');
      assert.equal(helpers.explicit[0], '--quantization');
      assert.match(helpers.explicit[1], /use --quantization auto/);
      assert.equal(helpers.trl_missing[0], 'transformers');
      assert.match(helpers.trl_missing[2][0], /plain transformers\.Trainer/);
    });

    it('pads a batch to flat rows, masking padding out of the labels (no nested lists)', () => {
      assert.deepEqual(helpers.batch, {
        input_ids: [
          [5, 6, 7],
          [8, 0, 0],
        ],
        attention_mask: [
          [1, 1, 1],
          [1, 0, 0],
        ],
        labels: [
          [5, 6, 7],
          [8, -100, -100],
        ],
      });
    });

    it('writes protocol lines that parse as JSON even for NaN and tensor-like values', () => {
      assert.deepEqual(JSON.parse(helpers.line as string), { event: 'log', step: 3, loss: 1.5, grad_norm: null });
    });
  });

  describe('training path on a machine without the ML libraries', () => {
    it('without torch & co. a real run exits 3, pointing at requirements.txt', async () => {
      const result = await runScript([
        '--model',
        MODEL,
        '--train-file',
        TRAIN,
        '--output-dir',
        join(workspace, 'no-libraries'),
      ]);
      assert.equal(result.code, 3);
      assert.ok(result.stderr.includes(join(SKILL, 'requirements.txt')), result.stderr);
      assert.match(result.stderr, /torch, transformers, peft, accelerate not importable/);
      progressLines(result.stdout);
    });
  });

  describe('no argument names that transformers 5 / trl 1 removed', () => {
    const source = readFileSync(SCRIPT, 'utf8');

    /** The text between the parentheses of each call to `name(`. */
    function callArguments(name: string): string[] {
      const bodies: string[] = [];
      for (let index = source.indexOf(`${name}(`); index !== -1; index = source.indexOf(`${name}(`, index + 1)) {
        let depth = 0;
        for (let cursor = index + name.length; cursor < source.length; cursor += 1) {
          if (source[cursor] === '(') depth += 1;
          if (source[cursor] === ')' && --depth === 0) {
            bodies.push(source.slice(index + name.length + 1, cursor));
            break;
          }
        }
      }
      return bodies;
    }

    for (const banned of [
      'max_seq_length',
      'torch_dtype',
      'evaluation_strategy',
      'overwrite_output_dir',
      'logging_dir',
      'warmup_ratio',
      'DataCollatorForCompletionOnlyLM',
    ]) {
      it(`does not use ${banned}`, async () => {
        assert.ok(!source.includes(banned), `train.py mentions ${banned}`);
      });
    }

    it('passes no tokenizer= keyword (processing_class= instead)', async () => {
      assert.doesNotMatch(source, /[(,]\s*tokenizer\s*=(?!=)/);
      assert.ok(callArguments('SFTTrainer').every((body) => body.includes('processing_class=')));
    });

    it('quantizes through quantization_config=BitsAndBytesConfig(...), never load_in_4bit= on from_pretrained', async () => {
      const loads = callArguments('from_pretrained');
      assert.ok(loads.length > 0);
      for (const body of loads) assert.doesNotMatch(body, /load_in_(4|8)bit/);
      const configs = callArguments('BitsAndBytesConfig').join('\n');
      assert.equal(
        source.match(/load_in_4bit=/g)?.length,
        configs.match(/load_in_4bit=/g)?.length,
        'load_in_4bit= only inside BitsAndBytesConfig(...)',
      );
      assert.match(configs, /bnb_4bit_quant_type="nf4"/);
      assert.match(configs, /bnb_4bit_use_double_quant=True/);
      assert.match(source, /options\["quantization_config"\] = bnb_config/);
    });

    it('gives SFTTrainer the LoRA config and max_length to SFTConfig', async () => {
      assert.ok(callArguments('trl.SFTTrainer').every((body) => /peft_config=/.test(body)));
      assert.ok(callArguments('trl.SFTConfig').every((body) => /max_length=/.test(body)));
    });
  });
});
