// A pytest run that failed: its "short test summary info" names the first failing test and its exception.
//
//   =========================== short test summary info ============================
//   FAILED tests/test_collate.py::test_pads_labels[bf16] - AssertionError: assert 96 == 128
//   ERROR tests/test_data.py - ModuleNotFoundError: No module named 'trl'
//   ==================== 1 failed, 11 passed, 1 error in 3.42s =====================
//
// Without this, every pytest failure would end in the same "N failed, M passed" line.
import { looksLikeExceptionType } from './python-traceback/python-traceback-shapes.js';
import { cudaSignatureOfException } from './cuda-failure.js';
import type { FailureSignature } from './failure-signature.js';
import { normaliseMessage } from './normalise-message.js';

const SUMMARY_HEADER = /^=+ short test summary info =+$/;
const RESULT_LINE = /^(FAILED|ERROR) (\S+)(?: - (.*))?$/;
const SECTION_RULE = /^=+ .* =+$/;
const EXCEPTION = /^([A-Za-z_][\w.]*): (.*)$/;

/**
 * kind python, type the exception (`AssertionError` for a bare `assert …`, "pytest FAILED"/"pytest ERROR" when
 * none is shown), message its normalised text, frame the test function (a test's name is stable between runs,
 * and tells apart failures whose assertion text is the same: `assert <n> == <n>`).
 */
export function pytestFailure(lines: readonly string[]): FailureSignature | undefined {
  let header = -1;
  for (let index = lines.length - 1; index >= 0 && header < 0; index -= 1)
    if (SUMMARY_HEADER.test((lines[index] ?? '').trim())) header = index;
  if (header < 0) return undefined;
  for (let index = header + 1; index < lines.length; index += 1) {
    const line = (lines[index] ?? '').trim();
    if (SECTION_RULE.test(line)) break;
    const result = RESULT_LINE.exec(line);
    if (result) return signatureOfResult(result[1] ?? 'FAILED', result[2] ?? '', result[3] ?? '');
  }
  return undefined;
}

function signatureOfResult(outcome: string, test: string, detail: string): FailureSignature {
  const frame = testFunction(test);
  const exception = EXCEPTION.exec(detail);
  if (exception?.[1] !== undefined && looksLikeExceptionType(exception[1])) {
    const gpu = cudaSignatureOfException(exception[1], exception[2] ?? '');
    if (gpu) return gpu;
    return { kind: 'python', type: exception[1], message: normaliseMessage(exception[2] ?? ''), frame };
  }
  if (detail.startsWith('assert'))
    return { kind: 'python', type: 'AssertionError', message: normaliseMessage(detail), frame };
  return { kind: 'python', type: `pytest ${outcome}`, message: normaliseMessage(detail === '' ? test : detail), frame };
}

/** `tests/test_collate.py::TestPad::test_pads_labels[bf16]` → `TestPad::test_pads_labels`; a module alone → null. */
function testFunction(test: string): string | null {
  const parts = test.split('::');
  if (parts.length < 2) return null;
  return (
    parts
      .slice(1)
      .join('::')
      .replace(/\[.*\]$/, '') || null
  );
}
