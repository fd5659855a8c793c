// Python failures, read with the traceback parser of the python server.
import { parsePythonTraceback, type PythonException } from './python-traceback/python-traceback.js';
import { isLibraryFile } from './python-traceback/python-traceback-exception.js';
import { cudaFailureInLines, cudaSignatureOfException } from './cuda-failure.js';
import type { FailureSignature } from './failure-signature.js';
import { normaliseMessage } from './normalise-message.js';

/** Launchers whose exception only says that a child process failed. */
const LAUNCHER = /(?:^|\.)(?:ChildFailedError|CalledProcessError)$/;

/**
 * The exception that ended the process, as a signature.
 *
 * When the parser found the failure of a child process (`childFailure`: a torchrun rank, an accelerate or
 * subprocess child, a DataLoader worker, a multiprocessing pool), that failure is used: the launcher's own
 * exception says the same thing for every root cause ("train.py FAILED", "returned non-zero exit status 1"), and
 * root causes with different fixes must not share a fingerprint. A launcher whose child left no Python traceback
 * (a rank killed by a signal, aborted by the NCCL watchdog) is looked through to a GPU error printed before it,
 * else described by how the child ended.
 */
export function pythonFailure(output: string, lines: readonly string[]): FailureSignature | undefined {
  const top = parsePythonTraceback(output);
  if (top === undefined) return fatalErrorSignature(lines);
  if (top.childFailure) return signatureOfException(top.childFailure);
  if (LAUNCHER.test(top.type)) {
    const gpu = cudaFailureInLines(lines);
    if (gpu) return gpu;
    if (top.type.endsWith('ChildFailedError')) return childFailedSignature(top);
  }
  return signatureOfException(top);
}

export function signatureOfException(exception: PythonException): FailureSignature {
  return (
    cudaSignatureOfException(exception.type, exception.message) ?? {
      kind: 'python',
      type: exception.type,
      message: normaliseMessage(exception.message),
      frame: libraryFrameFunction(exception),
    }
  );
}

/**
 * The function of the innermost frame when it is library code (an installed package or the standard library):
 * those names are the same for everyone who calls the library the same wrong way. When the innermost frame is the
 * script's own code (a TypeError raised at the call site, an import of a missing module), its function is the
 * script's (`main`, `<module>`, `build_trainer`), which differs between scripts making the same mistake: null.
 */
export function libraryFrameFunction(exception: PythonException): string | null {
  const frame = exception.frame;
  if (!frame || frame.function === '' || !isLibraryFile(frame.file)) return null;
  return frame.function;
}

/**
 * `ChildFailedError` with no traceback of the child: how the root-cause rank ended, from the lines
 * `exitcode  : -9 (pid: 2261)` and `traceback : Signal 9 (SIGKILL) received by PID 2261`.
 */
function childFailedSignature(exception: PythonException): FailureSignature {
  const signal = /\bSignal \d+ \((SIG[A-Z0-9]+)\)/.exec(exception.message)?.[1];
  const exitCode = /\bexitcode\s*:\s*(-?\d+)/.exec(exception.message)?.[1];
  let message: string;
  if (signal !== undefined) message = `child process killed by ${signal}`;
  else if (exitCode !== undefined) message = `child process exited with code ${exitCode}`;
  else message = normaliseMessage(exception.message);
  return { kind: 'python', type: exception.type, message, frame: libraryFrameFunction(exception) };
}

const FATAL_ERROR = /^Fatal Python error: (.+)$/;
const FAULTHANDLER_FRAME = /^\s+File "(.+)", line \d+ in (.+)$/;

/**
 * A crash reported by faulthandler, which prints no traceback but `Fatal Python error: Segmentation fault` and
 * the threads' frames, innermost first (`  File "…/ctypes/__init__.py", line 519 in string_at`).
 */
function fatalErrorSignature(lines: readonly string[]): FailureSignature | undefined {
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const fatal = FATAL_ERROR.exec((lines[index] ?? '').trim());
    if (!fatal) continue;
    let frame: string | null = null;
    for (let next = index + 1; next < lines.length && next <= index + 6; next += 1) {
      const found = FAULTHANDLER_FRAME.exec(lines[next] ?? '');
      if (!found) continue;
      if (found[1] !== undefined && isLibraryFile(found[1])) frame = found[2] ?? null;
      break;
    }
    return { kind: 'python', type: 'Fatal Python error', message: normaliseMessage(fatal[1] ?? ''), frame };
  }
  return undefined;
}
