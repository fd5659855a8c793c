import { PgHubError } from '../errors/pg-hub-error.js';

/** Node names appear in key file names and git refs: letters, digits, `.`, `_`, `-`; 1–64 characters. */
export const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function assertNodeName(name: string): string {
  if (!NODE_NAME.test(name) || name.includes('..') || name.endsWith('.lock')) {
    throw new PgHubError(
      'node_name_invalid',
      `invalid node name "${name}": use 1–64 letters, digits, ".", "_" or "-", starting with a letter or digit`,
    );
  }
  return name;
}
