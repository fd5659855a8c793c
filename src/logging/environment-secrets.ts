import { KEY_SHAPES } from './secret-shapes.js';
import { isSecretEnvironmentName } from './secret-names.js';
import { isScrubbableSecret } from './secret-scrubber.js';

/** `scheme://user:password@`, the user possibly empty (`redis://:password@cache`): the password. */
const URL_CREDENTIALS = /\b[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s:/@]*:([^\s@/]+)@/g;

/**
 * The secrets in an environment, whether or not config.json refers to them:
 * - the whole value of every variable whose name says it holds a secret (isSecretEnvironmentName: …_KEY, …_TOKEN,
 *   …PASSWORD, …SECRET…, AUTH…), and the token of a `Bearer …` value;
 * - in every value, the API keys and tokens recognised by their shape (KEY_SHAPES: sk-…, hf_…, ghp_…, AKIA…, JWTs);
 * - in every value, the password of a URL with credentials (`postgres://user:password@host/db` → `password`), also
 *   percent-decoded, the way a program that uses it may print it.
 * Values too short or too common to be secrets are dropped (isScrubbableSecret: under 8 characters, "true", "1", …),
 * as are exported shell functions.
 */
export function environmentSecrets(environment: NodeJS.ProcessEnv): string[] {
  const secrets = new Set<string>();
  for (const [name, value] of Object.entries(environment)) {
    if (value === undefined || value === '' || value.startsWith('()')) continue;
    if (isSecretEnvironmentName(name)) {
      secrets.add(value);
      secrets.add(value.replace(/^Bearer\s+/i, ''));
    }
    for (const shape of KEY_SHAPES)
      for (const match of value.matchAll(shape)) if (!match[0].includes('***')) secrets.add(match[0]);
    for (const match of value.matchAll(URL_CREDENTIALS)) {
      const password = match[1]!;
      secrets.add(password);
      secrets.add(percentDecoded(password));
    }
  }
  return [...secrets].filter(isScrubbableSecret);
}

function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
