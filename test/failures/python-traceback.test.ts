import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  describePythonException,
  parsePythonTraceback,
  PYTHON_TRACEBACK_TAIL_CHARACTERS,
  type PythonException,
  type PythonFrame,
} from '../../src/failures/python-traceback/python-traceback.js';

// real-*.txt were captured from Python 3.11 by tracebacks/generate-real-fixtures.sh; the others are written
// from the output of transformers, trl, torch, datasets, accelerate and Python 3.13.
const FIXTURES = fileURLToPath(new URL('./tracebacks/', import.meta.url));
const PROJECT = '/tmp/mux-swarm-tracebacks/project/';
const STANDARD_LIBRARY = '/root/.pyenv/versions/3.11.7/lib/python3.11/';
const PACKAGES = '/workspace/.venv/lib/python3.11/site-packages/';
const RULE = '============================================================';
import { adversarialOutputs, progressBars } from './adversarial-output.js';

type Location = Pick<PythonFrame, 'file' | 'line' | 'function'>;

interface Expectation {
  behaviour: string;
  type: string;
  /** The exact message, or [first line, last line] of a long one: it must span exactly those lines of the fixture. */
  message: string | [first: string, last: string];
  frame: Location;
  userFrame?: Location | null;
  check?: (exception: PythonException, text: string) => void;
}

function readFixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

function locationOf(frame: PythonFrame | undefined): Location | undefined {
  return frame && { file: frame.file, line: frame.line, function: frame.function };
}

/**
 * The fixture's text from `first` (the end of a line: what follows `Type: `) to the next line after it equal to
 * `last`, as Python printed it.
 */
function span(text: string, first: string, last: string): string {
  const lines = text.split('\n').map((line) => line.trimEnd());
  const start = lines.findIndex((line) => line.endsWith(first));
  const end = lines.indexOf(last, start + 1);
  assert.ok(start >= 0 && end > start, `the fixture has the lines "${first}" … "${last}"`);
  return [first, ...lines.slice(start + 1, end + 1)].join('\n');
}

function assertException(
  exception: PythonException | undefined,
  expected: Omit<Expectation, 'behaviour'>,
  text: string,
): void {
  assert.ok(exception, 'a traceback is found');
  assert.equal(exception.type, expected.type);
  const message = typeof expected.message === 'string' ? expected.message : span(text, ...expected.message);
  assert.equal(exception.message, message);
  assert.deepEqual(locationOf(exception.frame), expected.frame);
  assert.deepEqual(exception.frame, exception.frames.at(-1), 'the innermost frame is the last one');
  if (expected.userFrame === null) assert.equal(exception.userFrame, undefined);
  else assert.deepEqual(locationOf(exception.userFrame), expected.userFrame ?? expected.frame);
  expected.check?.(exception, text);
}

const corpus: Record<string, Expectation | { behaviour: string; none: true }> = {
  'trl-sft-unexpected-keyword.txt': {
    behaviour: 'reads the TypeError of an SFTTrainer given max_seq_length, under loading bars and warnings',
    type: 'TypeError',
    message: "SFTTrainer.__init__() got an unexpected keyword argument 'max_seq_length'",
    frame: { file: `${PACKAGES}transformers/utils/deprecation.py`, line: 172, function: 'wrapped_func' },
    userFrame: { file: '/workspace/runs/sft-qwen/train.py', line: 42, function: 'main' },
    check: (exception) => {
      assert.deepEqual(
        exception.frames.map((frame) => frame.line),
        [61, 42, 172],
      );
      assert.equal(exception.frames[1]?.code, 'trainer = SFTTrainer(');
      assert.equal(exception.chained, undefined);
    },
  },
  'torch-cuda-out-of-memory.txt': {
    behaviour:
      'reads torch.OutOfMemoryError with its long message; the traceback starts on a progress-bar line and wandb follows',
    type: 'torch.OutOfMemoryError',
    message:
      'CUDA out of memory. Tried to allocate 7.83 GiB. GPU 0 has a total capacity of 79.19 GiB of which 5.21 GiB is free. ' +
      'Including non-PyTorch memory, this process has 73.97 GiB memory in use. Of the allocated memory 68.40 GiB is allocated ' +
      'by PyTorch, and 5.04 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try ' +
      'setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory ' +
      'Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)',
    frame: { file: `${PACKAGES}transformers/loss/loss_utils.py`, line: 61, function: 'ForCausalLMLoss' },
    userFrame: { file: '/workspace/runs/llama-lora/train.py', line: 97, function: '<module>' },
    check: (exception) => {
      assert.equal(exception.frames.length, 16);
      assert.equal(exception.frames[0]?.code, 'trainer.train()');
    },
  },
  'real-module-not-found.txt': {
    behaviour: 'reads ModuleNotFoundError after a FutureWarning and its source line',
    type: 'ModuleNotFoundError',
    message: "No module named 'bitsandbytes'",
    frame: { file: `${PROJECT}train_qlora.py`, line: 4, function: '<module>' },
    check: (exception) => assert.equal(exception.frame?.code, 'import bitsandbytes as bnb'),
  },
  'datasets-map-key-error.txt': {
    behaviour: 'reads a KeyError raised inside datasets.map and points at the mapped function',
    type: 'KeyError',
    message: "'text'",
    frame: { file: `${PACKAGES}datasets/formatting/formatting.py`, line: 277, function: '__getitem__' },
    userFrame: { file: '/workspace/runs/sft-qwen/prepare_data.py', line: 24, function: 'tokenize' },
  },
  'real-chained-direct-cause.txt': {
    behaviour: 'keeps the cause of a raise … from … chain',
    type: 'ValueError',
    message: 'could not read config.json: the file is not valid JSON',
    frame: { file: `${PROJECT}config_loader.py`, line: 10, function: 'load_config' },
    check: (exception) => {
      const [cause] = exception.chained ?? [];
      assert.equal(exception.chained?.length, 1);
      assert.equal(cause?.type, 'json.decoder.JSONDecodeError');
      assert.equal(cause?.message, 'Expecting property name enclosed in double quotes: line 1 column 37 (char 36)');
      assert.equal(cause?.chainedAs, 'cause');
      assert.deepEqual(locationOf(cause?.frame), {
        file: `${STANDARD_LIBRARY}json/decoder.py`,
        line: 353,
        function: 'raw_decode',
      });
      assert.deepEqual(locationOf(cause?.userFrame), {
        file: `${PROJECT}config_loader.py`,
        line: 8,
        function: 'load_config',
      });
    },
  },
  'real-chained-during-handling.txt': {
    behaviour: 'keeps the context of an exception raised while handling another',
    type: 'AttributeError',
    message: "'dict' object has no attribute 'default_label'",
    frame: { file: `${PROJECT}labels.py`, line: 8, function: 'lookup_label' },
    check: (exception) => {
      assert.deepEqual(
        exception.chained?.map((link) => [link.type, link.message, link.chainedAs, locationOf(link.frame)]),
        [['KeyError', "'neutral'", 'context', { file: `${PROJECT}labels.py`, line: 6, function: 'lookup_label' }]],
      );
    },
  },
  'huggingface-gated-repository.txt': {
    behaviour: 'reads a three-link chain whose messages hold blank lines (gated Hugging Face repository)',
    type: 'OSError',
    message: [
      'You are trying to access a gated repo.',
      'Make sure to have access to it at https://huggingface.co/meta-llama/Llama-3.1-8B.',
      '401 Client Error. (Request ID: Root=1-68c6f1a2-3b0e5d2c7a4f19e86d0b2c41;5e1f0a77-2c9d-4b8e-9f3a-1d2c3b4a5e6f)',
      '',
      'Cannot access gated repo for url https://huggingface.co/meta-llama/Llama-3.1-8B/resolve/main/config.json.',
      'Access to model meta-llama/Llama-3.1-8B is restricted. You must have access to it and be authenticated to access it. Please log in.',
    ].join('\n'),
    frame: { file: `${PACKAGES}transformers/utils/hub.py`, line: 543, function: 'cached_files' },
    userFrame: { file: '/workspace/runs/sft-llama/train.py', line: 23, function: '<module>' },
    check: (exception, text) => {
      assert.deepEqual(
        exception.chained?.map((link) => [link.type, link.chainedAs]),
        [
          ['requests.exceptions.HTTPError', 'cause'],
          ['huggingface_hub.errors.GatedRepoError', 'cause'],
        ],
      );
      const gated = exception.chained?.[1];
      assert.equal(
        gated?.message,
        span(
          text,
          '401 Client Error. (Request ID: Root=1-68c6f1a2-3b0e5d2c7a4f19e86d0b2c41;5e1f0a77-2c9d-4b8e-9f3a-1d2c3b4a5e6f)',
          'Access to model meta-llama/Llama-3.1-8B is restricted. You must have access to it and be authenticated to access it. Please log in.',
        ),
      );
      assert.deepEqual(locationOf(gated?.frame), {
        file: `${PACKAGES}huggingface_hub/utils/_http.py`,
        line: 426,
        function: 'hf_raise_for_status',
      });
      assert.equal(gated?.chained, undefined, 'chained entries are flat');
    },
  },
  'real-cause-without-traceback.txt': {
    behaviour: 'chains a cause that was never raised and so is printed without a traceback',
    type: 'RuntimeError',
    message: 'training aborted before the first step',
    frame: { file: `${PROJECT}validate_config.py`, line: 3, function: 'check' },
    check: (exception) => {
      assert.deepEqual(exception.chained, [
        { type: 'ValueError', message: 'learning_rate must be positive, got -0.001', frames: [], chainedAs: 'cause' },
      ]);
    },
  },
  'real-syntax-error.txt': {
    behaviour: 'reads a SyntaxError of the main script: no header, a location line without a function',
    type: 'SyntaxError',
    message: "'(' was never closed",
    frame: { file: `${PROJECT}syntax_main.py`, line: 3, function: '' },
    check: (exception) => {
      assert.equal(exception.frames.length, 1);
      assert.equal(exception.frame?.code, 'config = dict(learning_rate=2e-5, epochs=3');
    },
  },
  'real-syntax-error-in-import.txt': {
    behaviour: 'reads a SyntaxError of an imported module: a traceback ending in the location line',
    type: 'SyntaxError',
    message: "Missing parentheses in call to 'print'. Did you mean print(...)?",
    frame: { file: `${PROJECT}legacy_utils.py`, line: 2, function: '' },
    check: (exception) => {
      assert.deepEqual(locationOf(exception.frames[0]), {
        file: `${PROJECT}import_legacy.py`,
        line: 1,
        function: '<module>',
      });
      assert.equal(exception.frame?.code, 'print "step %d loss %.4f" % (step, loss)');
    },
  },
  'real-indentation-error.txt': {
    behaviour: 'reads an IndentationError',
    type: 'IndentationError',
    message: "expected an indented block after 'for' statement on line 2",
    frame: { file: `${PROJECT}indentation.py`, line: 3, function: '' },
    check: (exception) => assert.equal(exception.frame?.code, 'print(step)'),
  },
  'real-keyboard-interrupt.txt': {
    behaviour: 'reads KeyboardInterrupt, which has no message',
    type: 'KeyboardInterrupt',
    message: '',
    frame: { file: `${PROJECT}interrupted.py`, line: 10, function: 'train_epoch' },
  },
  'real-assertion-no-message.txt': {
    behaviour: 'reads an AssertionError without a message and skips the ^^^ line under its code',
    type: 'AssertionError',
    message: '',
    frame: { file: `${PROJECT}collate.py`, line: 3, function: 'collate' },
    check: (exception) => assert.equal(exception.frame?.code, 'assert len(batch) == batch_size'),
  },
  'real-notes-and-fine-grained-locations.txt': {
    behaviour: 'keeps add_note lines with the message and skips ~~~^~~~ location lines',
    type: 'ZeroDivisionError',
    message: 'division by zero\nwhile scaling the loss of step 2\nhint: a batch had no tokens',
    frame: { file: `${PROJECT}loss_scale.py`, line: 2, function: 'loss_scale' },
    check: (exception) => assert.equal(exception.frame?.code, 'return token_counts[step] / token_counts[step - 1]'),
  },
  'python313-colour-multiline-call.txt': {
    behaviour: 'reads Python 3.13 output: colours, a call spanning lines, "...<3 lines>..."',
    type: 'TypeError',
    message: "SFTConfig.__init__() got an unexpected keyword argument 'evaluation_strategy'",
    frame: { file: '/home/ada/experiments/qwen-sft/train.py', line: 39, function: 'main' },
    check: (exception) => {
      assert.deepEqual(
        exception.frames.map((frame) => frame.code),
        ['main()', 'config = SFTConfig('],
      );
    },
  },
  'real-exception-group.txt': {
    behaviour:
      'reads an ExceptionGroup from asyncio.TaskGroup with its sub-exceptions, a chained one and a nested group',
    type: 'ExceptionGroup',
    message: 'unhandled errors in a TaskGroup (3 sub-exceptions)',
    frame: { file: `${STANDARD_LIBRARY}asyncio/taskgroups.py`, line: 145, function: '__aexit__' },
    userFrame: { file: `${PROJECT}download_shards.py`, line: 18, function: 'main' },
    check: (exception) => {
      const [checksum, etag, mirrors] = exception.exceptions ?? [];
      assert.equal(exception.exceptions?.length, 3);
      assert.deepEqual([checksum?.type, checksum?.message], ['ValueError', 'shard 1 has a bad checksum']);
      assert.deepEqual(locationOf(checksum?.frame), {
        file: `${PROJECT}download_shards.py`,
        line: 7,
        function: 'download_shard',
      });
      assert.deepEqual([etag?.type, etag?.message], ['RuntimeError', 'shard 2 has no etag']);
      assert.deepEqual(
        etag?.chained?.map((link) => [link.type, link.message, link.chainedAs]),
        [['KeyError', "'etag'", 'cause']],
      );
      assert.deepEqual([mirrors?.type, mirrors?.message], ['ExceptionGroup', 'mirror failures (2 sub-exceptions)']);
      assert.deepEqual(
        mirrors?.exceptions?.map((inner) => [inner.type, inner.message, inner.frames.length]),
        [
          ['ConnectionError', 'mirror-a refused', 0],
          ['TimeoutError', 'mirror-b timed out', 0],
        ],
      );
    },
  },
  'real-exception-group-truncated.txt': {
    behaviour: 'counts the sub-exceptions Python left out of a wide group',
    type: 'ExceptionGroup',
    message: 'invalid rows (20 sub-exceptions)',
    frame: { file: `${PROJECT}validate_rows.py`, line: 4, function: 'validate' },
    check: (exception) => {
      assert.equal(exception.exceptions?.length, 15);
      assert.equal(exception.exceptions?.[14]?.message, 'row 14: empty prompt');
      assert.equal(exception.omittedExceptions, 5);
    },
  },
  'real-exception-group-chained.txt': {
    behaviour: 'chains exception groups and reads a group nested in a group',
    type: 'ExceptionGroup',
    message: 'setup failed (2 sub-exceptions)',
    frame: { file: `${PROJECT}group_chain.py`, line: 11, function: '<module>' },
    check: (exception) => {
      assert.deepEqual(
        exception.chained?.map((link) => [link.type, link.message, link.chainedAs]),
        [
          ['KeyError', "'lora'", 'context'],
          ['ExceptionGroup', 'adapter loading failed (1 sub-exception)', 'context'],
        ],
      );
      const [nested, dtype] = exception.exceptions ?? [];
      assert.deepEqual(locationOf(nested?.frame), {
        file: `${PROJECT}group_chain.py`,
        line: 5,
        function: 'load_adapters',
      });
      assert.deepEqual(
        nested?.exceptions?.map((inner) => [inner.type, inner.message]),
        [['FileNotFoundError', 'adapter_model.safetensors']],
      );
      assert.deepEqual([dtype?.type, dtype?.message], ['TypeError', 'unsupported dtype bfloat16']);
    },
  },
  'real-remote-traceback.txt': {
    behaviour: "reads a multiprocessing.Pool failure and the worker's RemoteTraceback as the child failure",
    type: 'FileNotFoundError',
    message: "[Errno 2] No such file or directory: 'shard-0.jsonl'",
    frame: { file: `${STANDARD_LIBRARY}multiprocessing/pool.py`, line: 774, function: 'get' },
    userFrame: { file: `${PROJECT}tokenize_shards.py`, line: 11, function: '<module>' },
    check: (exception, text) => {
      const [remote] = exception.chained ?? [];
      assert.equal(remote?.type, 'multiprocessing.pool.RemoteTraceback');
      assert.equal(remote?.chainedAs, 'cause');
      assert.equal(remote?.message, span(text, '"""', '"""'));
      const child = exception.childFailure;
      assert.equal(child?.type, 'FileNotFoundError');
      assert.equal(child?.message, "[Errno 2] No such file or directory: 'shard-0.jsonl'");
      assert.deepEqual(locationOf(child?.frame), {
        file: `${PROJECT}tokenize_shards.py`,
        line: 5,
        function: 'count_tokens',
      });
    },
  },
  'real-process-pool-remote-traceback.txt': {
    behaviour: "reads a ProcessPoolExecutor failure and the worker's _RemoteTraceback as the child failure",
    type: 'ZeroDivisionError',
    message: 'division by zero',
    frame: { file: `${STANDARD_LIBRARY}concurrent/futures/_base.py`, line: 401, function: '__get_result' },
    userFrame: { file: `${PROJECT}score_shards.py`, line: 10, function: '<module>' },
    check: (exception) => {
      assert.equal(exception.chained?.[0]?.type, 'concurrent.futures.process._RemoteTraceback');
      assert.deepEqual(locationOf(exception.childFailure?.frame), {
        file: `${PROJECT}score_shards.py`,
        line: 5,
        function: 'score',
      });
      assert.equal(exception.childFailure?.frames.length, 4);
    },
  },
  'dataloader-worker-key-error.txt': {
    behaviour: 'reads a DataLoader worker failure and its "Original Traceback" as the child failure',
    type: 'KeyError',
    message: ['Caught KeyError in DataLoader worker process 2.', "KeyError: 'tabby_cat'"],
    frame: { file: `${PACKAGES}torch/_utils.py`, line: 750, function: 'reraise' },
    userFrame: { file: '/workspace/runs/pets-vit/train.py', line: 51, function: 'main' },
    check: (exception) => {
      assert.equal(exception.childFailure?.type, 'KeyError');
      assert.equal(exception.childFailure?.message, "'tabby_cat'");
      assert.deepEqual(locationOf(exception.childFailure?.frame), {
        file: '/workspace/runs/pets-vit/dataset.py',
        line: 27,
        function: '__getitem__',
      });
    },
  },
  'torchrun-child-failed.txt': {
    behaviour:
      "reads torchrun's ChildFailedError and takes the root-cause rank's interleaved [rankN]: traceback as the child failure",
    type: 'torch.distributed.elastic.multiprocessing.errors.ChildFailedError',
    message: [RULE, RULE],
    frame: { file: `${PACKAGES}torch/distributed/launcher/api.py`, line: 269, function: 'launch_agent' },
    userFrame: null,
    check: (exception) => {
      const child = exception.childFailure;
      assert.equal(child?.type, 'torch.cuda.OutOfMemoryError');
      assert.ok(
        child?.message.startsWith('CUDA out of memory. Tried to allocate 3.91 GiB (GPU 0; 39.39 GiB total capacity;'),
      );
      assert.deepEqual(locationOf(child?.frame), {
        file: `${PACKAGES}torch/nn/modules/linear.py`,
        line: 125,
        function: 'forward',
      });
      assert.deepEqual(locationOf(child?.userFrame), {
        file: '/workspace/runs/ddp-7b/train.py',
        line: 71,
        function: 'main',
      });
      assert.equal(child?.frames.length, 8);
    },
  },
  'torchrun-recorded-child-failure.txt': {
    behaviour: "reads the child's traceback that a @record ChildFailedError carries in its message",
    type: 'torch.distributed.elastic.multiprocessing.errors.ChildFailedError',
    message: [RULE, RULE],
    frame: {
      file: '/usr/local/lib/python3.11/dist-packages/torch/distributed/launcher/api.py',
      line: 269,
      function: 'launch_agent',
    },
    userFrame: null,
    check: (exception) => {
      const child = exception.childFailure;
      assert.equal(child?.type, 'ValueError');
      assert.equal(
        child?.message,
        "Target modules {'query_key_value'} not found in the base model. Please check the target modules and try again.",
      );
      assert.deepEqual(locationOf(child?.frame), {
        file: '/usr/local/lib/python3.11/dist-packages/peft/tuners/tuners_utils.py',
        line: 1064,
        function: 'inject_adapter',
      });
      assert.deepEqual(locationOf(child?.userFrame), {
        file: '/workspace/lora/finetune.py',
        line: 57,
        function: 'main',
      });
    },
  },
  'accelerate-called-process-error.txt': {
    behaviour: "reads accelerate's CalledProcessError and takes the script's traceback before it as the child failure",
    type: 'subprocess.CalledProcessError',
    message:
      "Command '['/workspace/.venv/bin/python3', 'train_dpo.py', '--config', 'dpo.yaml']' returned non-zero exit status 1.",
    frame: { file: `${PACKAGES}accelerate/commands/launch.py`, line: 823, function: 'simple_launcher' },
    userFrame: null,
    check: (exception) => {
      assert.equal(
        exception.childFailure?.message,
        "DPOConfig.__init__() got an unexpected keyword argument 'evaluation_strategy'",
      );
      assert.deepEqual(locationOf(exception.childFailure?.frame), {
        file: '/workspace/runs/dpo-zephyr/train_dpo.py',
        line: 47,
        function: '<module>',
      });
    },
  },
  'real-progress-bars-and-ansi.txt': {
    behaviour: 'reads a traceback that starts on a \\r-redrawn, ANSI-coloured progress-bar line',
    type: 'KeyError',
    message: "'labels'",
    frame: { file: `${PROJECT}progress.py`, line: 15, function: 'evaluate' },
  },
  'real-logs-after-traceback.txt': {
    behaviour: 'ends the message where timestamped log lines written after the traceback begin',
    type: 'ValueError',
    message: "invalid literal for int() with base 10: '12.5'",
    frame: { file: `${PROJECT}logged_shutdown.py`, line: 10, function: '<module>' },
  },
  'real-two-tracebacks.txt': {
    behaviour: 'takes the last of two tracebacks (the first was logged and handled)',
    type: 'KeyError',
    message: "'validation'",
    frame: { file: `${PROJECT}retry_download.py`, line: 17, function: '<module>' },
    check: (exception) => assert.equal(exception.chained, undefined),
  },
  'real-exception-ignored-after-crash.txt': {
    behaviour: 'passes over an "Exception ignored in" traceback printed at shutdown after the fatal one',
    type: 'PermissionError',
    message: "[Errno 13] Permission denied: '/checkpoints/run-7/step-500.safetensors'",
    frame: { file: `${PROJECT}checkpoint_writer.py`, line: 10, function: 'save' },
  },
  'real-thread-exception-after-crash.txt': {
    behaviour: 'passes over an "Exception in thread" traceback printed after the main thread died',
    type: 'KeyError',
    message: "'optimizer'",
    frame: { file: `${PROJECT}thread_after_crash.py`, line: 12, function: '<module>' },
  },
  'real-recursion-error.txt': {
    behaviour: 'reads a RecursionError with a "[Previous line repeated …]" line',
    type: 'RecursionError',
    message: 'maximum recursion depth exceeded',
    frame: { file: `${PROJECT}flatten.py`, line: 3, function: 'count_leaves' },
    check: (exception) => assert.equal(exception.frames.length, 4),
  },
  'real-string-frames.txt': {
    behaviour: 'reads File "<string>" frames, which have no code line',
    type: 'json.decoder.JSONDecodeError',
    message: 'Expecting value: line 1 column 19 (char 18)',
    frame: { file: `${STANDARD_LIBRARY}json/decoder.py`, line: 355, function: 'raw_decode' },
    userFrame: { file: '<string>', line: 3, function: 'parse' },
    check: (exception) => {
      assert.deepEqual(exception.frames[0], { file: '<string>', line: 4, function: '<module>' });
      assert.equal(exception.frames[2]?.code, 'return _default_decoder.decode(s)');
    },
  },
  'real-stdin-frames.txt': {
    behaviour: 'reads File "<stdin>" and frozen-module frames, none with a code line',
    type: 'KeyError',
    message: "'HF_TOKEN'",
    frame: { file: '<frozen os>', line: 679, function: '__getitem__' },
    userFrame: { file: '<stdin>', line: 5, function: 'read_token' },
    check: (exception) =>
      assert.deepEqual(
        exception.frames.map((frame) => frame.code),
        [undefined, undefined, undefined],
      ),
  },
  'real-faulthandler-segfault.txt': {
    behaviour: 'finds no exception in a faulthandler segmentation-fault report',
    none: true,
  },
  'training-log-without-traceback.txt': {
    behaviour: 'finds no exception in a training log that only mentions "Traceback (most recent call last):"',
    none: true,
  },
};

describe('parsePythonTraceback on the fixture corpus', () => {
  it('has an expectation for every fixture and a fixture for every expectation', () => {
    const fixtures = readdirSync(FIXTURES)
      .filter((name) => name.endsWith('.txt'))
      .sort();
    assert.deepEqual(fixtures, Object.keys(corpus).sort());
    assert.ok(fixtures.length >= 20);
  });

  for (const [name, expectation] of Object.entries(corpus)) {
    it(`${expectation.behaviour} (${name})`, () => {
      const text = readFixture(name);
      const exception = parsePythonTraceback(text);
      if ('none' in expectation) assert.equal(exception, undefined);
      else assertException(exception, expectation, text);
    });
  }
});

describe('parsePythonTraceback on edge cases', () => {
  const crash = [
    'Traceback (most recent call last):',
    '  File "/srv/train.py", line 9, in <module>',
    '    run()',
    '  File "/srv/train.py", line 5, in run',
    '    raise ValueError("no rows left after filtering")',
    'ValueError: no rows left after filtering',
  ].join('\n');
  const crashFrame = { file: '/srv/train.py', line: 5, function: 'run' };

  it('returns undefined for empty output and for text without a traceback', () => {
    assert.equal(parsePythonTraceback(''), undefined);
    assert.equal(parsePythonTraceback('epoch 1 loss 0.52\nepoch 2 loss 0.41\n'), undefined);
    assert.equal(parsePythonTraceback('Traceback (most recent call last):\nnothing follows\n'), undefined);
  });

  it('passes over a traceback cut off before its exception line and takes the complete one before it', () => {
    const cutOff = 'Traceback (most recent call last):\n  File "/srv/train.py", line 12, in <module>\n    save()\n';
    const exception = parsePythonTraceback(`${crash}\nINFO:trainer:retrying from the last checkpoint\n${cutOff}`);
    assertException(exception, { type: 'ValueError', message: 'no rows left after filtering', frame: crashFrame }, '');
  });

  it('reads output with Windows line endings', () => {
    const exception = parsePythonTraceback(`${crash.replaceAll('\n', '\r\n')}\r\n`);
    assertException(exception, { type: 'ValueError', message: 'no rows left after filtering', frame: crashFrame }, '');
    assert.equal(exception?.frame?.code, 'raise ValueError("no rows left after filtering")');
  });

  it('uses a traceback of a non-fatal kind when it is the only one', () => {
    const exception = parsePythonTraceback(
      `Exception in thread Thread-1 (upload):\n${crash}\n\nwandb: Synced 5 W&B file(s)\n`,
    );
    assertException(exception, { type: 'ValueError', message: 'no rows left after filtering', frame: crashFrame }, '');
  });

  it('skips log lines another process wrote between the frames', () => {
    const lines = crash.split('\n');
    lines.splice(
      3,
      0,
      'W0915 10:12:45.567000 140245 torch/distributed/elastic/multiprocessing/api.py:897] Sending SIGTERM',
    );
    lines.splice(2, 0, ' 12%|█▏        | 60/500 [00:21<02:38,  2.78it/s]');
    const exception = parsePythonTraceback(lines.join('\n'));
    assertException(exception, { type: 'ValueError', message: 'no rows left after filtering', frame: crashFrame }, '');
    assert.equal(exception?.frames.length, 2);
  });

  it('ends the message at metrics printed as one JSON object per line', () => {
    const exception = parsePythonTraceback(
      `${crash}\n{"event": "run_failed", "step": 120}\n{'loss': 0.41, 'epoch': 1.0}\n`,
    );
    assertException(exception, { type: 'ValueError', message: 'no rows left after filtering', frame: crashFrame }, '');
  });

  it('reads a SyntaxError whose lines carry a torchrun [rank0]: tag', () => {
    const text = [
      '[rank0]:   File "/workspace/train.py", line 14',
      '[rank0]:     model = AutoModel.from_pretrained(name dtype="auto")',
      '[rank0]:                                       ^^^^^^^^^^^^^^^^^^',
      '[rank0]: SyntaxError: invalid syntax. Perhaps you forgot a comma?',
    ].join('\n');
    assertException(
      parsePythonTraceback(text),
      {
        type: 'SyntaxError',
        message: 'invalid syntax. Perhaps you forgot a comma?',
        frame: { file: '/workspace/train.py', line: 14, function: '' },
      },
      text,
    );
  });

  it('reads only the tail: a traceback followed by more output than the limit is not seen', () => {
    const logs = 'step 10 loss 0.5\n'.repeat(Math.ceil((PYTHON_TRACEBACK_TAIL_CHARACTERS + 1000) / 17));
    assert.equal(parsePythonTraceback(`${crash}\n${logs}`), undefined);
    assert.equal(parsePythonTraceback(`${crash}\n${'x'.repeat(200)}\n`, { tailCharacters: 100 }), undefined);
    assert.equal(
      parsePythonTraceback(`${'x'.repeat(200)}\n${crash}\n`, { tailCharacters: crash.length + 1 })?.type,
      'ValueError',
    );
  });

  it('finds the traceback at the end of 10 MB of progress-bar output', { timeout: 30_000 }, () => {
    const exception = parsePythonTraceback(`${progressBars(200_000)}\n${crash}\n`);
    assertException(exception, { type: 'ValueError', message: 'no rows left after filtering', frame: crashFrame }, '');
  });

  // Hang guards: a parser that backtracks badly on these would not finish; the time it takes is measured by
  // bench/traceback-parse.ts, not here.
  for (const [name, text] of Object.entries(adversarialOutputs(PYTHON_TRACEBACK_TAIL_CHARACTERS))) {
    it(`still finds the real crash after adversarial output: ${name}`, { timeout: 30_000 }, () => {
      const exception = parsePythonTraceback(`${text}\n${crash}\n`, {
        tailCharacters: PYTHON_TRACEBACK_TAIL_CHARACTERS * 2,
      });
      assertException(
        exception,
        { type: 'ValueError', message: 'no rows left after filtering', frame: crashFrame },
        name,
      );
    });
  }
});

describe('describePythonException', () => {
  function parseFixture(name: string): PythonException {
    const exception = parsePythonTraceback(readFixture(name));
    assert.ok(exception);
    return exception;
  }

  it('names type, message and the line of the script that failed', () => {
    assert.equal(
      describePythonException(parseFixture('trl-sft-unexpected-keyword.txt')),
      "TypeError: SFTTrainer.__init__() got an unexpected keyword argument 'max_seq_length' (in train.py:42, main)",
    );
    assert.equal(
      describePythonException(parseFixture('real-keyboard-interrupt.txt')),
      'KeyboardInterrupt (in interrupted.py:10, train_epoch)',
    );
    assert.equal(
      describePythonException(parseFixture('real-syntax-error.txt')),
      "SyntaxError: '(' was never closed (in syntax_main.py:3)",
    );
    assert.equal(
      describePythonException(parseFixture('real-stdin-frames.txt')),
      "KeyError: 'HF_TOKEN' (in <stdin>:5, read_token)",
    );
  });

  it('shortens a long message to fit and keeps the location', () => {
    const line = describePythonException(parseFixture('torch-cuda-out-of-memory.txt'), { maxLength: 160 });
    assert.ok(line.length <= 160, line);
    assert.ok(line.startsWith('torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 7.83 GiB.'), line);
    assert.ok(line.endsWith('… (in train.py:97, <module>)'), line);
    assert.equal(describePythonException(parseFixture('trl-sft-unexpected-keyword.txt'), { maxLength: 30 }).length, 30);
  });

  it('puts a multi-line message on one line', () => {
    assert.equal(
      describePythonException(parseFixture('real-notes-and-fine-grained-locations.txt')),
      'ZeroDivisionError: division by zero while scaling the loss of step 2 hint: a batch had no tokens (in loss_scale.py:2, loss_scale)',
    );
  });

  it("describes a child process's failure instead of the launcher's", () => {
    assert.equal(
      describePythonException(parseFixture('torchrun-recorded-child-failure.txt')),
      "ValueError: Target modules {'query_key_value'} not found in the base model. Please check the target modules and try again. " +
        '(in finetune.py:57, main) [in a child process]',
    );
  });

  it('adds the first sub-exception of a group, through nested groups', () => {
    assert.equal(
      describePythonException(parseFixture('real-exception-group.txt')),
      'ExceptionGroup: unhandled errors in a TaskGroup (3 sub-exceptions) (in download_shards.py:18, main); ' +
        'first sub-exception: ValueError: shard 1 has a bad checksum (in download_shards.py:7, download_shard)',
    );
    assert.equal(
      describePythonException(parseFixture('real-exception-group-chained.txt')),
      'ExceptionGroup: setup failed (2 sub-exceptions) (in group_chain.py:11, <module>); ' +
        'first sub-exception: FileNotFoundError: adapter_model.safetensors',
    );
  });

  it('names package files by their folder', () => {
    const frame = { file: '/venv/lib/python3.11/site-packages/peft/__init__.py', line: 3, function: '<module>' };
    assert.equal(
      describePythonException({
        type: 'ImportError',
        message: 'cannot import name "LoraConfig"',
        frames: [frame],
        frame,
      }),
      'ImportError: cannot import name "LoraConfig" (in peft/__init__.py:3, <module>)',
    );
  });
});
