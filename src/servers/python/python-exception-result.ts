import { z } from 'zod';
import {
  describePythonException,
  parsePythonTraceback,
  type PythonException,
  type PythonFrame,
} from '../../failures/python-traceback/python-traceback.js';

const frameSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  function: z.string(),
  code: z.string().optional(),
});

/** `exception` in the structured results of run_python, and of job_status and wait_job for a crashed job. */
export const pythonExceptionShape = {
  exception: z
    .object({
      type: z.string().describe('e.g. TypeError, torch.OutOfMemoryError'),
      message: z.string(),
      frame: frameSchema.optional().describe('The innermost frame: where it was raised'),
      user_frame: frameSchema.optional().describe('The innermost frame outside the Python installation and packages'),
      child_failure: z
        .object({ type: z.string(), message: z.string(), frame: frameSchema.optional() })
        .optional()
        .describe('The exception of a worker process this one reports (multiprocessing, DataLoader, torchrun)'),
      summary: z.string().describe('The exception in one paragraph, as in the text'),
    })
    .optional()
    .describe('The Python exception that ended the process, parsed from stderr'),
};
const pythonExceptionFieldsSchema = z.object(pythonExceptionShape);
export type PythonExceptionFields = z.infer<typeof pythonExceptionFieldsSchema>;

/** The exception at the end of `stderr` as structured fields and text, or undefined when there is none. */
export function findPythonException(
  stderr: string,
): { fields: Required<PythonExceptionFields>; text: string } | undefined {
  const exception = parsePythonTraceback(stderr);
  if (exception === undefined) return undefined;
  const summary = describePythonException(exception);
  const fields: Required<PythonExceptionFields>['exception'] = {
    type: exception.type,
    message: exception.message,
    summary,
  };
  if (exception.frame !== undefined) fields.frame = toFrame(exception.frame);
  if (exception.userFrame !== undefined) fields.user_frame = toFrame(exception.userFrame);
  if (exception.childFailure !== undefined) fields.child_failure = toChildFailure(exception.childFailure);
  const lines = [`Python exception: ${summary}`];
  if (exception.frame !== undefined) lines.push(`  raised at ${describeFrame(exception.frame)}`);
  if (exception.userFrame !== undefined && exception.userFrame !== exception.frame) {
    lines.push(`  innermost frame in the script's own code: ${describeFrame(exception.userFrame)}`);
  }
  return { fields: { exception: fields }, text: lines.join('\n') };
}

function describeFrame(frame: PythonFrame): string {
  const where = `${frame.file}:${frame.line}${frame.function === '' ? '' : ` in ${frame.function}`}`;
  return frame.code === undefined ? where : `${where}: ${frame.code}`;
}

function toFrame(frame: PythonFrame): z.infer<typeof frameSchema> {
  return {
    file: frame.file,
    line: frame.line,
    function: frame.function,
    ...(frame.code === undefined ? {} : { code: frame.code }),
  };
}

function toChildFailure(exception: PythonException): {
  type: string;
  message: string;
  frame?: z.infer<typeof frameSchema>;
} {
  return {
    type: exception.type,
    message: exception.message,
    ...(exception.frame === undefined ? {} : { frame: toFrame(exception.frame) }),
  };
}
