// Uncaught Node.js errors: a `Name [CODE]: message` line followed by `    at …` stack lines.
//
//   Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'express' imported from /srv/app/server.js
//       at packageResolve (node:internal/modules/esm/resolve:854:9)
//       …
//   {
//     code: 'ERR_MODULE_NOT_FOUND'
//   }
import type { FailureSignature } from './failure-signature.js';
import { normaliseMessage } from './normalise-message.js';

const HEADER = /^(?:Uncaught )?([A-Z][A-Za-z0-9_$]*(?:Error|Exception)|Error)(?: \[([A-Z][A-Z0-9_]*)\])?(?:: (.*))?$/;
const STACK_LINE = /^\s+at (.*)$/;
/** Message lines between the header and the stack (`Require stack:` lists, multi-line messages). */
const MAXIMUM_MESSAGE_LINES = 12;
const CODE_PROPERTY = /^\s+code: '([A-Z][A-Z0-9_]*)'/;

/**
 * kind node, type as printed (`TypeError`, `Error [ERR_MODULE_NOT_FOUND]`; a CommonJS `Error` whose printed
 * properties hold `code: 'MODULE_NOT_FOUND'` becomes `Error [MODULE_NOT_FOUND]`), message the header's message
 * normalised, frame the function of the first stack line when it is in node_modules (see stackFrameFunction).
 * The last uncaught error of the output wins; indented ones (`[cause]:`) are not top-level.
 */
export function nodeFailure(lines: readonly string[]): FailureSignature | undefined {
  let found: FailureSignature | undefined;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    if (line === '' || line[0] === ' ' || line.length > 4000) continue;
    const header = HEADER.exec(line.trimEnd());
    if (!header) continue;
    const stack = firstStackLine(lines, index + 1);
    if (stack < 0) continue;
    const code = header[2] ?? printedCode(lines, stack);
    found = {
      kind: 'node',
      type: code === undefined ? (header[1] ?? 'Error') : `${header[1] ?? 'Error'} [${code}]`,
      message: normaliseMessage(header[3] ?? ''),
      frame: stackFrameFunction((STACK_LINE.exec(lines[stack] ?? '')?.[1] ?? '').trim()),
    };
    index = stack;
  }
  return found;
}

function firstStackLine(lines: readonly string[], start: number): number {
  for (let index = start; index < lines.length && index <= start + MAXIMUM_MESSAGE_LINES; index += 1) {
    const line = lines[index] ?? '';
    if (STACK_LINE.test(line)) return index;
    if (line.startsWith('Traceback ') || HEADER.test(line)) return -1;
  }
  return -1;
}

function printedCode(lines: readonly string[], stack: number): string | undefined {
  let index = stack;
  while (index < lines.length && STACK_LINE.test(lines[index] ?? '')) index += 1;
  for (let end = Math.min(lines.length, index + 12); index < end; index += 1) {
    const code = CODE_PROPERTY.exec(lines[index] ?? '')?.[1];
    if (code !== undefined) return code;
    if ((lines[index] ?? '').startsWith('}')) break;
  }
  return undefined;
}

/**
 * `packageResolve (node:internal/modules/esm/resolve:854:9)` → null; `Parser.parse (/app/node_modules/x/y.js:1:2)`
 * → `Parser.parse`; `main (/app/src/index.js:12:20)` → null. Node's own internals are renamed between Node
 * versions (packageResolve became Object.getPackageJSONURL), and the script's own functions differ between
 * scripts, so only a library's function names the place in a stable way.
 */
export function stackFrameFunction(stackLine: string): string | null {
  const withName = /^(?:async )?(?:new )?(.+?)(?: \[as [^\]]+\])? \((.+)\)$/.exec(stackLine);
  if (!withName) return null;
  const [, name, location] = withName;
  if (name === undefined || location === undefined || !/[\\/]node_modules[\\/]/.test(location)) return null;
  return name;
}
