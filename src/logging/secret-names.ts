import { isSecretSettingName } from './secret-shapes.js';

/** Names (environment variables, HTTP headers) whose values are treated as secrets. */
const SECRET_NAME = /key|token|secret|password|passwd|credential|auth|cookie/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The values of secret-looking headers, with a `Bearer ` prefix removed so the bare token is scrubbed too. */
export function secretHeaderValues(headers: Record<string, string>): string[] {
  return Object.entries(headers)
    .filter(([name, value]) => isSecretName(name) && value !== '')
    .map(([, value]) => value.replace(/^Bearer\s+/i, ''));
}

/** Last words of variable names that point at a secret or describe it without holding it: `SECRET_KEY_FILE`, `SSH_AUTH_SOCK`. */
const NOT_A_SECRET_LAST_WORD = new Set([
  'FILE',
  'PATH',
  'DIR',
  'SOCK',
  'SOCKET',
  'URL',
  'URI',
  'HOST',
  'PORT',
  'NAME',
  'USER',
  'USERNAME',
  'EMAIL',
  'ID',
  'TYPE',
  'MODE',
  'METHOD',
  'TIMEOUT',
  'ENABLED',
  'VERSION',
  'REGION',
]);

/**
 * Environment variables whose values are secrets: names that say so by their words (OPENROUTER_API_KEY,
 * MY_SERVICE_TOKEN, PGPASSWORD, AWS_SECRET_ACCESS_KEY, GITHUB_AUTH, SESSION_COOKIE: isSecretSettingName, or a
 * cookie or credential) — and not those that only name where a secret is or describe it (SECRET_KEY_FILE,
 * SSH_AUTH_SOCK, AUTH_TYPE). Narrower than isSecretName, which would take KEYMAP or GIT_AUTHOR_NAME for secrets.
 */
export function isSecretEnvironmentName(name: string): boolean {
  const words = name
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter((word) => word !== '');
  const last = words[words.length - 1];
  if (last === undefined || NOT_A_SECRET_LAST_WORD.has(last)) return false;
  return isSecretSettingName(name) || /COOKIE|CREDENTIAL/.test(words.join('_'));
}
