import { open } from 'node:fs/promises';
import { z } from 'zod';
import { commandResultShape, describeCommandResult, type CommandResult } from '../shell/command-result.js';
import type { CapturedOutput } from '../shell/output-capture.js';
import { findPythonException, pythonExceptionShape, type PythonExceptionFields } from './python-exception-result.js';
import { PYTHON_TRACEBACK_TAIL_CHARACTERS } from '../../failures/python-traceback/python-traceback.js';

/** `structuredContent` of run_python: run_command's fields, what ran, and the exception when Python crashed. */
export const pythonRunResultShape = {
  ...commandResultShape,
  interpreter: z.string().describe('The interpreter that ran: a name looked up on PATH, or a path'),
  script: z.string().describe('The script that ran: its real path, or the file the code was saved to'),
  ...pythonExceptionShape,
};
const pythonRunResultSchema = z.object(pythonRunResultShape);
export type PythonRunResult = z.infer<typeof pythonRunResultSchema>;

export interface PythonRunDescription {
  result: PythonRunResult;
  text: string;
}

/** The result of a finished run, with the exception read from its stderr when it did not exit with 0. */
export async function describePythonRun(
  command: CommandResult,
  output: CapturedOutput,
  context: { interpreter: string; script: string; timeoutMs: number },
): Promise<PythonRunDescription> {
  const result: PythonRunResult = { ...command, interpreter: context.interpreter, script: context.script };
  const exception = command.exit_code === 0 ? undefined : findPythonException(await fullStderrTail(output));
  if (exception !== undefined) Object.assign(result, exception.fields satisfies PythonExceptionFields);
  const lines = describeCommandResult(command, {
    timeoutMs: context.timeoutMs,
    subject: 'Python',
    toolName: 'run_python',
    ...(output.spillError === undefined ? {} : { spillError: output.spillError }),
  }).split('\n');
  if (exception !== undefined) lines.splice(1, 0, exception.text);
  return { result, text: lines.join('\n') };
}

/** Stderr to look for a traceback in: the returned text, or the end of the spill file when it was cut. */
async function fullStderrTail(output: CapturedOutput): Promise<string> {
  if (output.stderrFile === undefined) return output.stderr;
  try {
    const file = await open(output.stderrFile, 'r');
    try {
      const { size } = await file.stat();
      const length = Math.min(size, PYTHON_TRACEBACK_TAIL_CHARACTERS);
      const buffer = Buffer.alloc(length);
      await file.read(buffer, 0, length, size - length);
      return buffer.toString('utf8');
    } finally {
      await file.close();
    }
  } catch {
    return output.stderr; // the spill file could not be read: the tail in the result still holds the end
  }
}
