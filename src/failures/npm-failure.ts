// npm errors, as npm 7–9 (`npm ERR! `) and npm 10+ (`npm error `) print them.
//
//   npm error code ERESOLVE
//   npm error ERESOLVE unable to resolve dependency tree
//   npm error While resolving: web@0.1.0 …
import type { FailureSignature } from './failure-signature.js';
import { normaliseMessage } from './normalise-message.js';

const NPM_ERROR = /^npm (?:ERR!|error)(?: (.*))?$/;
const CODE = /^code (\S+)$/;
/** Lines after the code that carry no message: fields, the log's location, blank ones. */
const NOT_A_MESSAGE =
  /^(?:code|errno|syscall|path|dest|signal|cwd|command failed$)\b|^A complete log of this run|^Log files were not written|^For a full report see|^You can rerun|^[\\/~]|^[A-Za-z]:\\/;
const NOT_FOUND_URL = /404 Not Found - [A-Z]+ https?:\/\/[^/\s]+\/(\S+?)(?: - |\s|$)/i;
const NOT_IN_REGISTRY = /'((?:@[^/'\s]+\/)?[^@'\s]+)(?:@[^'\s]*)?' is not in (?:this|the npm) registry/;

/**
 * kind npm, type `npm <CODE>` ("npm error" without a code line), message the first meaningful error line after
 * the code, normalised. For E404 the message names the missing package instead (`'lodahs' is not in this
 * registry.`), because the first line's URL would be normalised away and every missing package would look alike.
 */
export function npmFailure(lines: readonly string[]): FailureSignature | undefined {
  const errors: string[] = [];
  for (const line of lines) {
    const match = NPM_ERROR.exec(line.trimEnd());
    if (match) errors.push((match[1] ?? '').trim());
  }
  if (errors.length === 0) return undefined;
  let codeAt = -1;
  for (let index = errors.length - 1; index >= 0 && codeAt < 0; index -= 1)
    if (CODE.test(errors[index] ?? '')) codeAt = index;
  const code = codeAt >= 0 ? CODE.exec(errors[codeAt] ?? '')?.[1] : undefined;
  const after = errors.slice(codeAt + 1);
  const type = code === undefined ? 'npm error' : `npm ${code}`;
  if (code === 'E404') {
    const name = missingPackage(after);
    if (name !== undefined)
      return { kind: 'npm', type, message: normaliseMessage(`'${name}' is not in this registry.`), frame: null };
  }
  const line = after.find((text) => text !== '' && !NOT_A_MESSAGE.test(text)) ?? '';
  return { kind: 'npm', type, message: normaliseMessage(line), frame: null };
}

function missingPackage(lines: readonly string[]): string | undefined {
  for (const line of lines) {
    const named = NOT_IN_REGISTRY.exec(line)?.[1];
    if (named !== undefined) return named;
  }
  for (const line of lines) {
    const fromUrl = NOT_FOUND_URL.exec(line)?.[1];
    if (fromUrl !== undefined) return packageOfPath(fromUrl);
  }
  return undefined;
}

/** `@speckle%2fsdk` → `@speckle/sdk`; `lodahs/-/lodahs-1.0.0.tgz` → `lodahs`. */
function packageOfPath(path: string): string {
  const decoded = path.replace(/%2f/gi, '/').replace(/%40/g, '@');
  const parts = decoded.split('/');
  return (decoded.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
}
