// GPU failures: out of memory, CUDA/HIP runtime errors, cuBLAS/cuDNN status errors, NCCL errors and timeouts,
// whether raised as a Python exception or printed by C++ (a c10::Error's what(), a NCCL watchdog log line).
//
// Their frame is always null: CUDA reports errors asynchronously, at whatever call came next ("the stacktrace
// below might be incorrect"), and an out-of-memory error happens at whichever allocation crossed the limit.
import type { FailureSignature } from './failure-signature.js';
import { normaliseMessage } from './normalise-message.js';

/** An allocation on the GPU failed, however it was reported. */
const OUT_OF_MEMORY =
  /\b(CUDA|HIP|MPS backend|XPU) out of memory|CUDA error: out of memory|cudaErrorMemoryAllocation|CUBLAS_STATUS_ALLOC_FAILED|hipErrorOutOfMemory/;
const OUT_OF_MEMORY_TYPE = /(?:^|\.)OutOfMemoryError$/;
const WATCHDOG_TIMEOUT = 'Watchdog caught collective operation timeout';
/** Where a GPU error's own text starts in a message or line. */
const GPU_ERROR =
  /CUDA error: |HIP error: |cuDNN error: |CUDNN_STATUS_[A-Z_]+|CUBLAS_STATUS_[A-Z_]+|NCCL error|NCCL communicator was aborted|cudaError[A-Za-z]+|hipError[A-Za-z]+|CUDA driver error/;
/** Exception types under which PyTorch versions raise the same CUDA error: one type for all of them. */
const CUDA_ERROR_TYPES = new Set([
  'RuntimeError',
  'torch.AcceleratorError',
  'AcceleratorError',
  'c10::Error',
  'c10::CUDAError',
  'torch.cuda.CudaError',
]);
/** A Python exception line printed without a traceback: `RuntimeError: CUDA error: …`. */
const EXCEPTION_PREFIX = /(?:^|\s)([A-Za-z_][\w.]*(?:Error|Exception)): (?=\S)/;

/**
 * The canonical GPU signature of an exception, or undefined when it is not a GPU error.
 * - Out of memory, in any version's wording → type torch.OutOfMemoryError, message "CUDA out of memory" (or HIP…).
 * - NCCL watchdog timeout → type "NCCL watchdog timeout", message with the collective's OpType only.
 * - CUDA/cuDNN/cuBLAS/NCCL errors → the exception type (RuntimeError for torch.AcceleratorError and c10::Error,
 *   which PyTorch 2.8+ and C++ use for the same errors) and the first line of the message from the error on.
 */
export function cudaSignatureOfException(type: string, message: string): FailureSignature | undefined {
  const firstLine = message.split('\n', 1)[0] ?? '';
  if (OUT_OF_MEMORY_TYPE.test(type) && type.startsWith('torch.')) return outOfMemory(message);
  if (OUT_OF_MEMORY.test(firstLine)) return outOfMemory(firstLine);
  if (message.includes(WATCHDOG_TIMEOUT)) return watchdogTimeout(message);
  const start = firstLine.search(GPU_ERROR);
  if (start < 0) return undefined;
  const canonicalType = CUDA_ERROR_TYPES.has(type) ? 'RuntimeError' : type;
  return { kind: 'cuda', type: canonicalType, message: normaliseMessage(firstLine.slice(start)), frame: null };
}

/**
 * A GPU failure printed without a Python traceback (C++ aborts, NCCL logs, a crashed rank whose launcher only
 * says it died), the strongest kind first: out of memory, watchdog timeout, a CUDA/NCCL error, a NCCL warning.
 */
export function cudaFailureInLines(lines: readonly string[]): FailureSignature | undefined {
  let error: FailureSignature | undefined;
  let warning: FailureSignature | undefined;
  for (const line of lines) {
    if (line.length > 4000) continue;
    if (OUT_OF_MEMORY.test(line)) return outOfMemory(line);
    if (line.includes(WATCHDOG_TIMEOUT)) return watchdogTimeout(line);
    if (error === undefined) error = errorOfLine(line);
    if (warning === undefined) warning = ncclWarning(line);
  }
  return error ?? warning;
}

function outOfMemory(text: string): FailureSignature {
  const vendor = /HIP|hipError/.test(text)
    ? 'HIP'
    : /MPS backend/.test(text)
      ? 'MPS backend'
      : /XPU out of memory/.test(text)
        ? 'XPU'
        : 'CUDA';
  return { kind: 'cuda', type: 'torch.OutOfMemoryError', message: `${vendor} out of memory`, frame: null };
}

/**
 * `[Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=2048, OpType=ALLREDUCE, NumelIn=1, …,
 * Timeout(ms)=600000) ran for 600023 milliseconds before timing out.` The fields inside WorkNCCL(…) differ between
 * PyTorch versions; only the kind of collective says something about the cause.
 */
function watchdogTimeout(text: string): FailureSignature {
  const operation = /OpType=([A-Z_]+)/.exec(text)?.[1];
  const message = `${WATCHDOG_TIMEOUT}${operation === undefined ? '' : ` (OpType=${operation})`}`;
  return { kind: 'cuda', type: 'NCCL watchdog timeout', message, frame: null };
}

function errorOfLine(line: string): FailureSignature | undefined {
  const start = line.search(GPU_ERROR);
  if (start < 0) return undefined;
  const before = line.slice(0, start);
  const printedType = EXCEPTION_PREFIX.exec(before)?.[1];
  let type: string;
  if (printedType !== undefined) type = CUDA_ERROR_TYPES.has(printedType) ? 'RuntimeError' : printedType;
  else if (/what\(\):/.test(before)) type = 'RuntimeError';
  else if (line.slice(start).startsWith('NCCL')) type = 'NCCL error';
  else type = 'CUDA error';
  return { kind: 'cuda', type, message: normaliseMessage(line.slice(start)), frame: null };
}

/** `node-3:4121:4180 [1] transport/net_socket.cc:490 NCCL WARN NET/Socket : Connect to 10.0.0.2<45678> failed`. */
function ncclWarning(line: string): FailureSignature | undefined {
  const at = line.indexOf('NCCL WARN ');
  if (at < 0) return undefined;
  return {
    kind: 'cuda',
    type: 'NCCL WARN',
    message: normaliseMessage(line.slice(at + 'NCCL WARN '.length)),
    frame: null,
  };
}
