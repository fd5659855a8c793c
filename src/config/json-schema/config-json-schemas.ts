import { z } from 'zod';
import { builtinServerSchema, configSchema, httpServerSchema, stdioServerSchema } from '../config-schema.js';
import { swarmSchema } from '../swarm-schema.js';

/** A JSON Schema document, as `z.toJSONSchema` returns it. */
export type JsonSchemaDocument = Record<string, unknown>;

/** The JSON Schema files shipped in the package's `schemas/` folder, by file name. */
export const JSON_SCHEMA_FILES = {
  'config.schema.json': { title: 'mux-swarm config.json', schema: configSchema },
  'swarm.schema.json': { title: 'mux-swarm swarm.json', schema: swarmSchema },
} as const;
export type JsonSchemaFileName = keyof typeof JSON_SCHEMA_FILES;

/** The MCP server entries whose `type` the loader infers from their keys (command, url, builtin). */
const SERVER_ENTRY_SCHEMAS: ReadonlySet<z.core.$ZodType> = new Set<z.core.$ZodType>([
  stdioServerSchema,
  httpServerSchema,
  ...builtinServerSchema.options,
]);

/**
 * The JSON Schema of one config file, generated from its zod schema: what a person may write (`io: "input"`, so a
 * field with a default is optional and a duration is a number or a string), draft-07 because every editor's JSON
 * support reads it. Checks zod runs in code (refinements, the duration's unit) are not in it; `mux-swarm validate`
 * still runs them.
 */
export function configJsonSchema(file: JsonSchemaFileName): JsonSchemaDocument {
  const { title, schema } = JSON_SCHEMA_FILES[file];
  const document = z.toJSONSchema(schema, {
    target: 'draft-07',
    io: 'input',
    override: ({ zodSchema, jsonSchema, path }) => {
      // An MCP server entry's `type` is optional in the file: config-schema.ts infers it before the union reads it.
      if (SERVER_ENTRY_SCHEMAS.has(zodSchema) && Array.isArray(jsonSchema.required)) {
        jsonSchema.required = jsonSchema.required.filter((key) => key !== 'type');
      }
      allowEnvironmentReference(jsonSchema, path);
    },
  }) as JsonSchemaDocument;
  const { $schema, ...rest } = document;
  return { $schema, title, ...rest };
}

/** A `${VAR}` or `${VAR:-default}` reference somewhere in a string (config-schema's interpolate.ts replaces it before the check). */
export const ENVIRONMENT_REFERENCE_PATTERN = '\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}';

/**
 * A string value with a format or pattern (a URL, a host:port) may be written as a `${VAR}` reference in the file and
 * only has that shape once interpolated: the generated schema accepts either. Keys are never interpolated.
 */
function allowEnvironmentReference(jsonSchema: z.core.JSONSchema.BaseSchema, path: readonly (string | number)[]): void {
  if (jsonSchema.type !== 'string' || (jsonSchema.format === undefined && jsonSchema.pattern === undefined)) return;
  if (path.includes('propertyNames')) return;
  const { default: fallback, ...constraints } = jsonSchema;
  for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
  Object.assign(jsonSchema, {
    ...(fallback === undefined ? {} : { default: fallback }),
    anyOf: [constraints, { type: 'string', pattern: ENVIRONMENT_REFERENCE_PATTERN }],
  });
}

/** The file's text as written to `schemas/`: stable key order from the zod schema, two-space indent, final newline. */
export function configJsonSchemaText(file: JsonSchemaFileName): string {
  return `${JSON.stringify(configJsonSchema(file), null, 2)}\n`;
}
