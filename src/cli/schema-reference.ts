import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT } from './package-info.js';

/** The config files that have a JSON Schema in the package's `schemas/` folder, and its file name. */
const SCHEMA_FILE_FOR: Record<string, string> = {
  'config.json': 'config.schema.json',
  'swarm.json': 'swarm.schema.json',
};

/**
 * The `$schema` value for a config file written into `directory`, or undefined for a file without a schema. Inside
 * the package (the repository itself, or a project with mux-swarm in its own node_modules) it is a relative path, so
 * it holds on every machine the project is cloned to: `./schemas/config.schema.json`,
 * `./node_modules/mux-swarm/schemas/config.schema.json`. Anywhere else (a global install) it is the file URL of the
 * installed schema, which editors read as it is and which follows the installed version on upgrade.
 */
export function schemaReference(
  fileName: string,
  directory: string,
  packageRoot: string = PACKAGE_ROOT,
): string | undefined {
  const schemaFile = SCHEMA_FILE_FOR[fileName];
  if (schemaFile === undefined) return undefined;
  const schemaPath = join(packageRoot, 'schemas', schemaFile);
  const path = relative(directory, schemaPath);
  if (path.startsWith('..') || path.startsWith(sep)) return pathToFileURL(schemaPath).href;
  return `./${path.split(sep).join('/')}`;
}

/**
 * The JSON text of a config file with its `"$schema"` set to `reference`, formatting otherwise untouched: an existing
 * top-level `$schema` value is replaced, else the key is added as the object's first line.
 */
export function withSchemaReference(text: string, reference: string): string {
  const parsed = JSON.parse(text) as Record<string, unknown>;
  if (Object.keys(parsed).length === 0) return `${JSON.stringify({ $schema: reference }, null, 2)}\n`;
  const line = `"$schema": ${JSON.stringify(reference)}`;
  if (typeof parsed.$schema === 'string')
    return text.replace(`"$schema": ${JSON.stringify(parsed.$schema)}`, () => line);
  return text.replace(
    /^(\s*)\{(\s*\n(\s*))?/,
    (_match, lead: string, newline: string | undefined, indent: string | undefined) =>
      newline === undefined ? `${lead}{ ${line}, ` : `${lead}{\n${indent ?? '  '}${line},${newline}`,
  );
}

/** `text`, a file about to be written as `fileName` into `directory`, with its `$schema` pointing at the package's schema (when it has one). */
export function withPackageSchema(fileName: string, text: string, directory: string): string {
  const reference = schemaReference(fileName, directory);
  return reference === undefined ? text : withSchemaReference(text, reference);
}
