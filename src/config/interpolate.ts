import type { ConfigIssue } from '../errors/config-error.js';
import { isSecretName } from '../logging/secret-names.js';
import { formatJsonPath } from './json-path.js';

const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface InterpolationResult {
  value: unknown;
  issues: ConfigIssue[];
  /** Values substituted from variables that look secret. */
  secrets: string[];
}

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of parsed JSON (never in keys, never in raw text,
 * so a value cannot break the JSON). `$${` is a literal `${`. A variable that is unset and has no default is
 * an issue at its JSON path. `skip` lets a caller leave subtrees alone (disabled entries).
 */
export function interpolateEnvironment(
  data: unknown,
  environment: NodeJS.ProcessEnv,
  skip: (path: PropertyKey[], value: unknown) => boolean = () => false,
): InterpolationResult {
  const issues: ConfigIssue[] = [];
  const secrets = new Set<string>();

  const visit = (value: unknown, path: PropertyKey[]): unknown => {
    if (skip(path, value)) return value;
    if (typeof value === 'string') return substitute(value, path);
    if (Array.isArray(value)) return value.map((item, index) => visit(item, [...path, index]));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, visit(item, [...path, key])]));
    }
    return value;
  };

  const substitute = (text: string, path: PropertyKey[]): string => {
    const parts = text.split('$${');
    return parts
      .map((part) =>
        part.replace(REFERENCE, (_match, name: string, fallback: string | undefined) => {
          const found = environment[name];
          if (found !== undefined && found !== '') {
            if (isSecretName(name)) secrets.add(found);
            return found;
          }
          if (fallback !== undefined) return fallback;
          issues.push({
            path: formatJsonPath(path),
            message: `environment variable ${name} is not set (or is empty); export ${name}=… or write \${${name}:-default}`,
          });
          return '';
        }),
      )
      .join('${');
  };

  return { value: visit(data, []), issues, secrets: [...secrets] };
}
