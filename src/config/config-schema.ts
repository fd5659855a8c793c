import { z } from 'zod';

/** Environment variable names as POSIX shells accept them. */
const environmentVariableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name such as OPENROUTER_API_KEY' });

const stringMap = z.record(z.string(), z.string());

export const providerSchema = z.strictObject({
  /** OpenAI-compatible base URL, e.g. https://openrouter.ai/api/v1 or http://127.0.0.1:11434/v1. */
  baseURL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://openrouter.ai/api/v1' }),
  /** Environment variable holding the API key. Omit for keyless local servers (Ollama, vLLM, llama.cpp). */
  apiKeyEnv: environmentVariableName.optional(),
  headers: stringMap.default({}),
  timeoutMs: z.number().int().positive().default(120_000),
  maxRetries: z.number().int().min(0).max(20).default(4),
  /** Receive completions as a stream (a long answer keeps the request alive). Off by default: tool calls over streams are unreliable on some local servers. */
  stream: z.boolean().default(false),
  description: z.string().optional(),
});
export type ProviderConfig = z.infer<typeof providerSchema>;

export const priceSchema = z.strictObject({
  inputPerMillion: z.number().min(0),
  outputPerMillion: z.number().min(0),
  cachedInputPerMillion: z.number().min(0).optional(),
});
export type Price = z.infer<typeof priceSchema>;

const serverCommon = {
  enabled: z.boolean().default(true),
  /** An optional server that fails to start only warns; a required one stops the run. */
  optional: z.boolean().default(false),
  /** Per-call timeout for this server's tools. */
  timeoutMs: z.number().int().positive().default(120_000),
  description: z.string().optional(),
};

export const stdioServerSchema = z.strictObject({
  type: z.literal('stdio'),
  command: z.string().min(1, { error: 'must name the program to start, e.g. "npx"' }),
  args: z.array(z.string()).default([]),
  env: stringMap.default({}),
  cwd: z.string().optional(),
  ...serverCommon,
});

/**
 * A `${VAR}` still in place. loadConfig does not interpolate disabled server entries (their variables need not be
 * set), so a disabled entry's URL may be one; an enabled entry's never is.
 */
const UNRESOLVED_REFERENCE = /\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}/;

export const httpServerSchema = z.strictObject({
  type: z.enum(['http', 'streamable-http', 'sse']),
  url: z.union([z.url({ protocol: /^https?$/ }), z.string().regex(UNRESOLVED_REFERENCE)], { error: 'must be an http(s) URL of the MCP endpoint' }),
  headers: stringMap.default({}),
  ...serverCommon,
});

export const filesystemOptionsSchema = z.strictObject({
  /** Narrower roots for this server; defaults to filesystem.allowedRoots. */
  roots: z.array(z.string()).optional(),
  readOnly: z.boolean().default(false),
});

export const shellOptionsSchema = z.strictObject({
  timeoutMs: z.number().int().positive().default(120_000),
  maxOutputChars: z.number().int().positive().default(30_000),
  /** Executable names (or absolute paths) allowed; omitted means any. */
  allowedCommands: z.array(z.string()).optional(),
  /** Environment variables passed through to commands, besides a minimal set (PATH, HOME, LANG, …). */
  passEnv: z.array(environmentVariableName).default([]),
});

export const builtinServerSchema = z.discriminatedUnion('builtin', [
  z.strictObject({
    type: z.literal('builtin'),
    builtin: z.literal('filesystem'),
    options: filesystemOptionsSchema.default({ readOnly: false }),
    ...serverCommon,
  }),
  z.strictObject({
    type: z.literal('builtin'),
    builtin: z.literal('shell'),
    options: shellOptionsSchema.default({ timeoutMs: 120_000, maxOutputChars: 30_000, passEnv: [] }),
    ...serverCommon,
  }),
], { error: 'must be one of the built-in servers: "filesystem", "shell"' });

/**
 * Entries take the shape every MCP server's README shows ({command, args, env} or {url, headers}), plus
 * {builtin: "<name>"} for mux-swarm's own servers. The `type` field is optional and inferred from the keys.
 */
export const mcpServerSchema = z.preprocess(
  (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
    const entry = value as Record<string, unknown>;
    if (entry.type !== undefined) return entry;
    if ('builtin' in entry) return { ...entry, type: 'builtin' };
    if ('command' in entry) return { ...entry, type: 'stdio' };
    if ('url' in entry) return { ...entry, type: 'http' };
    return entry;
  },
  z.discriminatedUnion('type', [stdioServerSchema, httpServerSchema, builtinServerSchema], {
    error: 'needs "command" (a stdio server), "url" (an HTTP server) or "builtin" (a mux-swarm server)',
  }),
);
export type McpServerConfig = z.infer<typeof mcpServerSchema>;
export type StdioServerConfig = z.infer<typeof stdioServerSchema>;
export type HttpServerConfig = z.infer<typeof httpServerSchema>;
export type BuiltinServerConfig = z.infer<typeof builtinServerSchema>;
export type ShellOptions = z.infer<typeof shellOptionsSchema>;
export type FilesystemOptions = z.infer<typeof filesystemOptionsSchema>;

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  providers: z
    .record(z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: 'provider names use letters, digits, "_", "-" and "."' }), providerSchema)
    .refine((providers) => Object.keys(providers).length > 0, { error: 'must define at least one provider' }),
  /** USD per million tokens, keyed by model id, used when the provider does not report cost itself. */
  prices: z.record(z.string(), priceSchema).default({}),
  mcpServers: z
    .record(z.string().regex(/^[A-Za-z0-9-]+$/, { error: 'server names use letters, digits and "-" (no "_": tools are named server__tool)' }), mcpServerSchema)
    .default({}),
  filesystem: z
    .strictObject({
      /** Where agents work; relative to this file's directory. Default: the directory mux-swarm is run from. */
      workdir: z.string().optional(),
      /** Roots the filesystem tools may touch; relative to the workdir. Default: the workdir alone. */
      allowedRoots: z.array(z.string()).min(1).optional(),
    })
    .default({}),
  /** State database, logs and spilled results; relative to the workdir. */
  stateDir: z.string().default('.mux-swarm'),
  logging: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
      /** Level printed on stderr; everything at `level` goes to the run's log file. */
      consoleLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
    })
    .default({ level: 'info', consoleLevel: 'warn' }),
});
export type Config = z.infer<typeof configSchema>;
