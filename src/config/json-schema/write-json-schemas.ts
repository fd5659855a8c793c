import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../cli/package-info.js';
import { configJsonSchemaText, JSON_SCHEMA_FILES, type JsonSchemaFileName } from './config-json-schemas.js';

/** Where the package keeps the generated JSON Schemas (committed, shipped, and what `init`'s `$schema` points at). */
export const JSON_SCHEMA_DIRECTORY = join(PACKAGE_ROOT, 'schemas');

/**
 * Writes schemas/config.schema.json and schemas/swarm.schema.json from the zod schemas. Run by `npm run build` (and so
 * by `prepack`); test/config/json-schemas.test.ts fails when the committed files differ from what this writes.
 */
export function writeJsonSchemas(directory: string = JSON_SCHEMA_DIRECTORY): string[] {
  mkdirSync(directory, { recursive: true });
  return (Object.keys(JSON_SCHEMA_FILES) as JsonSchemaFileName[]).map((file) => {
    const path = join(directory, file);
    writeFileSync(path, configJsonSchemaText(file));
    return path;
  });
}
