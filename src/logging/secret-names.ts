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
