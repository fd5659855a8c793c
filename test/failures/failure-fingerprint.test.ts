import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { fingerprintFailure, fingerprintOf, type FailureSignature } from '../../src/failures/failure-fingerprint.js';
import { stackFrameFunction } from '../../src/failures/node-failure.js';

function signature(output: string, context?: Parameters<typeof fingerprintFailure>[1]): FailureSignature | undefined {
  return fingerprintFailure(output, context)?.signature;
}

const SITE = '/srv/.venv/lib/python3.11/site-packages';

function traceback(frames: Array<[file: string, fn: string]>, exceptionLine: string): string {
  const lines = ['Traceback (most recent call last):'];
  frames.forEach(([file, fn], index) =>
    lines.push(`  File "${file}", line ${10 + index}, in ${fn}`, '    do_something()'),
  );
  return `${[...lines, exceptionLine].join('\n')}\n`;
}

describe('fingerprintFailure', () => {
  it('id is the first 16 hex characters of sha256 over kind|type|message|frame', () => {
    const found = fingerprintFailure('bash: nvcc: command not found\n', { exitCode: 127 });
    assert.ok(found);
    const expected = createHash('sha256')
      .update('shell|command not found|command not found: nvcc|')
      .digest('hex')
      .slice(0, 16);
    assert.equal(found.id, expected);
    assert.deepEqual(fingerprintOf(found.signature), found);
  });

  it('undefined when there is no failure', () => {
    assert.equal(fingerprintFailure(''), undefined);
    assert.equal(fingerprintFailure('', {}), undefined);
    assert.equal(fingerprintFailure('', { exitCode: null, signal: null }), undefined);
    assert.equal(fingerprintFailure('step 10 loss 1.23\nsaved checkpoint\n'), undefined);
    assert.equal(fingerprintFailure('all 12 tests passed\n', { exitCode: 0 }), undefined);
  });

  it('a context with exit code 0 is a success whatever the output says', () => {
    const output = traceback([['/w/train.py', '<module>']], "KeyError: 'labels'");
    assert.ok(fingerprintFailure(output));
    assert.equal(fingerprintFailure(output, { exitCode: 0 }), undefined);
    assert.ok(fingerprintFailure(output, { exitCode: 0, signal: 'SIGTERM' }));
  });

  it('recognises a failure in a tool result text without a context', () => {
    assert.equal(
      signature(traceback([['/w/x.py', '<module>']], "ModuleNotFoundError: No module named 'trl'"))?.kind,
      'python',
    );
    assert.equal(signature('sh: 1: nvcc: not found')?.type, 'command not found');
  });

  it('generic: exit code with the last meaningful line, normalised', () => {
    const output =
      'building...\nerror: linker failed at /tmp/x/y.o (code 12)\n  3%|▎         | 3/100 [00:01<00:30,  3.2it/s]\n\n';
    assert.deepEqual(signature(output, { exitCode: 3 }), {
      kind: 'generic',
      type: 'exit 3',
      message: 'error: linker failed at <path> (code <n>)',
      frame: null,
    });
    assert.deepEqual(signature('', { exitCode: 1 }), { kind: 'generic', type: 'exit 1', message: '', frame: null });
  });

  it('generic: a signal, or an exit status of 128 + a signal number, is a signal with no message', () => {
    const killed = { kind: 'generic', type: 'signal SIGKILL', message: '', frame: null };
    assert.deepEqual(signature('', { exitCode: 137 }), killed);
    assert.deepEqual(signature('step 120 loss 0.9', { exitCode: null, signal: 'SIGKILL' }), killed);
    assert.equal(signature('', { exitCode: 130 })?.type, 'signal SIGINT');
    assert.equal(signature('', { exitCode: 143 })?.type, 'signal SIGTERM');
    assert.equal(signature('x', { exitCode: 200 })?.type, 'exit 200');
  });

  it('never throws, whatever it is given', () => {
    const inputs: unknown[] = [
      undefined,
      null,
      42,
      {},
      '\u0000\uffff',
      '\r\r\r',
      'Traceback (most recent call last):\n',
      'npm error',
      '    at x (y)',
    ];
    for (const input of inputs) assert.doesNotThrow(() => fingerprintFailure(input as string, { exitCode: 1 }));
    assert.equal(fingerprintFailure(undefined as unknown as string, { exitCode: 2 })?.signature.type, 'exit 2');
  });

  it('reads only the tail of a long output', () => {
    const crash = traceback([[`${SITE}/pkg/mod.py`, 'load']], "KeyError: 'labels'");
    const long = `${'x'.repeat(1024)}\n`.repeat(10 * 1024) + crash;
    assert.equal(fingerprintFailure(long)?.id, fingerprintFailure(crash)?.id);
  });
});

describe('python failures', () => {
  it("frame: the innermost frame when it is library code, null when it is the script's own", () => {
    const inLibrary = traceback(
      [
        ['/w/train.py', 'main'],
        [`${SITE}/datasets/formatting.py`, '__getitem__'],
      ],
      "KeyError: 'labels'",
    );
    assert.equal(signature(inLibrary)?.frame, '__getitem__');
    const inScript = traceback(
      [
        ['/w/train.py', '<module>'],
        ['/w/train.py', 'build'],
      ],
      "KeyError: 'labels'",
    );
    assert.equal(signature(inScript)?.frame, null);
    const stdlib = traceback(
      [
        ['/w/x.py', '<module>'],
        ['/usr/lib/python3.11/json/decoder.py', 'raw_decode'],
      ],
      'json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)',
    );
    assert.equal(signature(stdlib)?.frame, 'raw_decode');
  });

  it('the same call-site mistake in differently named functions of two scripts is one fingerprint', () => {
    const exception =
      "TypeError: TrainingArguments.__init__() got an unexpected keyword argument 'overwrite_output_dir'";
    const a = fingerprintFailure(traceback([['/a/train.py', '<module>']], exception));
    const b = fingerprintFailure(
      traceback(
        [
          ['/b/run.py', '<module>'],
          ['/b/run.py', 'build_trainer'],
        ],
        exception,
      ),
    );
    assert.equal(a?.id, b?.id);
  });

  it('a launcher exception is looked through to its child failure', () => {
    const child = traceback([['/w/train.py', '<module>']], "ModuleNotFoundError: No module named 'peft'");
    const launcher = traceback(
      [
        ['/v/bin/accelerate', '<module>'],
        [`${SITE}/accelerate/commands/launch.py`, 'simple_launcher'],
      ],
      "subprocess.CalledProcessError: Command '['python', 'train.py']' returned non-zero exit status 1.",
    );
    const found = signature(child + launcher);
    assert.equal(found?.type, 'ModuleNotFoundError');
    assert.equal(found?.message, "No module named 'peft'");
  });

  it('a launcher with no child traceback: a GPU error printed before it, else how the child ended', () => {
    const launcher = traceback(
      [[`${SITE}/torch/distributed/launcher/api.py`, 'launch_agent']],
      'torch.distributed.elastic.multiprocessing.errors.ChildFailedError: ',
    );
    const rootCause = [
      '============',
      'train.py FAILED',
      'Root Cause (first observed failure):',
      '[0]:',
      '  exitcode  : 1 (pid: 77)',
      '  traceback : To enable traceback see: https://pytorch.org/docs/stable/elastic/errors.html',
      '============',
    ].join('\n');
    assert.equal(signature(`${launcher}${rootCause}\n`)?.message, 'child process exited with code 1');
    const gpu =
      "terminate called after throwing an instance of 'c10::Error'\n  what():  CUDA error: misaligned address\n";
    assert.deepEqual(signature(`${gpu}${launcher}${rootCause}\n`), {
      kind: 'cuda',
      type: 'RuntimeError',
      message: 'CUDA error: misaligned address',
      frame: null,
    });
  });

  it('faulthandler crashes: Fatal Python error with the innermost library frame', () => {
    const output = [
      'Fatal Python error: Segmentation fault',
      '',
      'Current thread 0x00007f7d295dbb80 (most recent call first):',
      '  File "/root/.pyenv/versions/3.11.7/lib/python3.11/ctypes/__init__.py", line 519 in string_at',
      '  File "<string>", line 3 in read_pointer',
    ].join('\n');
    assert.deepEqual(signature(output, { exitCode: 139 }), {
      kind: 'python',
      type: 'Fatal Python error',
      message: 'Segmentation fault',
      frame: 'string_at',
    });
  });

  it('pytest: the first failing test of the summary, its test function as frame', () => {
    const output = [
      '=========================== short test summary info ============================',
      "ERROR tests/test_train.py - ModuleNotFoundError: No module named 'trl'",
      '!!!!!!!!!!!!!!!!!!!! Interrupted: 1 error during collection !!!!!!!!!!!!!!!!!!!!',
      '=============================== 1 error in 0.31s ===============================',
    ].join('\n');
    assert.deepEqual(signature(output, { exitCode: 2 }), {
      kind: 'python',
      type: 'ModuleNotFoundError',
      message: "No module named 'trl'",
      frame: null,
    });
    const parametrised =
      '==== short test summary info ====\nFAILED tests/t.py::TestPad::test_pad[bf16-4] - ValueError: bad shape (3, 4)\n==== 1 failed in 1s ====';
    assert.deepEqual(signature(parametrised), {
      kind: 'python',
      type: 'ValueError',
      message: 'bad shape (<n>, <n>)',
      frame: 'TestPad::test_pad',
    });
  });
});

describe('GPU failures', () => {
  it('every wording of an out-of-memory error is one fingerprint', () => {
    const wordings = [
      traceback(
        [[`${SITE}/torch/nn/functional.py`, 'linear']],
        'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 3 has a total capacity of 23.55 GiB of which 3.44 MiB is free.',
      ),
      traceback(
        [[`${SITE}/torch/optim/adamw.py`, 'step']],
        'torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.35 GiB total capacity; 70.12 GiB already allocated)',
      ),
      traceback(
        [['/w/old.py', '<module>']],
        'RuntimeError: CUDA out of memory. Tried to allocate 1.50 GiB (GPU 0; 15.78 GiB total capacity)',
      ),
      'RuntimeError: CUDA error: out of memory\nCUDA kernel errors might be asynchronously reported at some other API call',
    ];
    const ids = new Set(wordings.map((output) => fingerprintFailure(output, { exitCode: 1 })?.id));
    assert.equal(ids.size, 1);
    assert.equal(signature(wordings[0] ?? '')?.message, 'CUDA out of memory');
  });

  it('HIP out of memory is a different fingerprint from CUDA', () => {
    const hip = signature(
      traceback(
        [['/w/x.py', '<module>']],
        'torch.OutOfMemoryError: HIP out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 191.98 GiB',
      ),
    );
    assert.deepEqual(hip, { kind: 'cuda', type: 'torch.OutOfMemoryError', message: 'HIP out of memory', frame: null });
  });

  it('NCCL errors in a Python exception and NCCL warnings without one', () => {
    const raised = signature(
      traceback(
        [[`${SITE}/torch/distributed/distributed_c10d.py`, 'barrier']],
        'torch.distributed.DistBackendError: NCCL error in: /pytorch/torch/csrc/distributed/c10d/NCCLUtils.hpp:268, unhandled system error (run with NCCL_DEBUG=INFO for details), NCCL version 2.21.5',
      ),
    );
    assert.deepEqual(raised, {
      kind: 'cuda',
      type: 'torch.distributed.DistBackendError',
      message:
        'NCCL error in: <path>:<n>, unhandled system error (run with NCCL_DEBUG=INFO for details), NCCL version <n>',
      frame: null,
    });
    const warning = signature(
      'gpu-node-3:4121:4180 [1] transport/net_socket.cc:490 NCCL WARN NET/Socket : Connect to 10.0.0.2<45678> failed : Connection refused',
      { exitCode: 1 },
    );
    assert.deepEqual(warning, {
      kind: 'cuda',
      type: 'NCCL WARN',
      message: 'NET/Socket : Connect to <n><<n>> failed : Connection refused',
      frame: null,
    });
  });
});

describe('node and npm failures', () => {
  it("frame: a node_modules function; node internals and the script's own functions are null", () => {
    assert.equal(stackFrameFunction('packageResolve (node:internal/modules/esm/resolve:854:9)'), null);
    assert.equal(stackFrameFunction('main (/app/src/index.js:12:20)'), null);
    assert.equal(stackFrameFunction('/app/src/index.js:3:1'), null);
    assert.equal(stackFrameFunction('Parser.parse (/app/node_modules/yaml/dist/parse.js:40:11)'), 'Parser.parse');
    assert.equal(stackFrameFunction('async Promise.all (/app/node_modules/p-map/index.js:1:1)'), 'Promise.all');
    assert.equal(stackFrameFunction('new Client (/app/node_modules/pg/lib/client.js:9:3)'), 'Client');
    assert.equal(stackFrameFunction('Object.load [as json] (C:\\app\\node_modules\\cfg\\i.js:2:2)'), 'Object.load');
  });

  it('a Node error in a library', () => {
    const output =
      'YAMLParseError: Nested mappings are not allowed in compact mappings at line 3, column 7:\n\n    at Composer.onError (/srv/bot/node_modules/yaml/dist/compose/composer.js:70:34)\n    at main (/srv/bot/index.js:4:1)\n';
    assert.deepEqual(signature(output), {
      kind: 'node',
      type: 'YAMLParseError',
      message: 'Nested mappings are not allowed in compact mappings at line <n>, column <n>:',
      frame: 'Composer.onError',
    });
  });

  it('a Python exception line followed by no stack is not a Node error', () => {
    assert.notEqual(signature('TypeError: unsupported operand\n', { exitCode: 1 })?.kind, 'node');
  });

  it('npm: ENOENT, lifecycle failures, errors without a code', () => {
    const enoent = [
      'npm error code ENOENT',
      'npm error syscall open',
      'npm error path /home/u/app/package.json',
      'npm error errno -2',
      "npm error enoent Could not read package.json: Error: ENOENT: no such file or directory, open '/home/u/app/package.json'",
      'npm error enoent This is related to npm not being able to find a file.',
    ].join('\n');
    assert.deepEqual(signature(enoent), {
      kind: 'npm',
      type: 'npm ENOENT',
      message: "enoent Could not read <path>: Error: ENOENT: no such file or directory, open '<path>'",
      frame: null,
    });
    const lifecycle = [
      'npm error code 1',
      'npm error path /app/node_modules/better-sqlite3',
      'npm error command failed',
      'npm error command sh -c prebuild-install || node-gyp rebuild --release',
    ].join('\n');
    assert.equal(signature(lifecycle)?.message, 'command sh -c prebuild-install || node-gyp rebuild --release');
    assert.deepEqual(
      signature(
        'npm ERR! Missing script: "build"\nnpm ERR! \nnpm ERR! To see a list of scripts, run:\nnpm ERR!   npm run\n',
      ),
      {
        kind: 'npm',
        type: 'npm error',
        message: 'Missing script: "build"',
        frame: null,
      },
    );
  });

  it('npm E404 names the package, from the registry line or the URL', () => {
    const fromUrl = signature(
      'npm error code E404\nnpm error 404 Not Found - GET https://registry.npmjs.org/@speckle%2fsdk - Not found\n',
    );
    assert.equal(fromUrl?.message, "'@speckle/sdk' is not in this registry.");
    const other = signature("npm error code E404\nnpm error 404  'left-pad@^9.0.0' is not in this registry.\n");
    assert.equal(other?.message, "'left-pad' is not in this registry.");
  });
});

describe('shell failures', () => {
  it('command not found in bash, dash, zsh, fish and a missing shebang interpreter', () => {
    for (const line of [
      'bash: accelerate: command not found',
      '/home/u/run.sh: line 4: accelerate: command not found',
      '/bin/sh: 1: accelerate: not found',
      'zsh: command not found: accelerate',
      'fish: Unknown command: accelerate',
      "/usr/bin/env: 'accelerate': No such file or directory",
    ]) {
      assert.deepEqual(
        signature(line, { exitCode: 127 }),
        { kind: 'shell', type: 'command not found', message: 'command not found: accelerate', frame: null },
        line,
      );
    }
  });

  it('exit 127 or 126 with nothing to read', () => {
    assert.equal(
      signature('', { exitCode: 127, command: 'CUDA_VISIBLE_DEVICES=0 deepspeed train.py' })?.message,
      'command not found: deepspeed',
    );
    assert.deepEqual(signature('', { exitCode: 126 }), {
      kind: 'shell',
      type: 'permission denied',
      message: '',
      frame: null,
    });
  });

  it('no such file and permission denied keep the program and the words', () => {
    assert.deepEqual(signature("cp: cannot stat '/data/a.bin': No such file or directory", { exitCode: 1 }), {
      kind: 'shell',
      type: 'no such file',
      message: "cp: cannot stat '<path>': No such file or directory",
      frame: null,
    });
    assert.equal(
      signature("mkdir: cannot create directory '/opt/models': Permission denied", { exitCode: 1 })?.type,
      'permission denied',
    );
  });
});
