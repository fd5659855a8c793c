import { z } from 'zod';
import { durationSchema } from '../text/duration.js';

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
  /** A keyless endpoint that costs nothing per token (Ollama, llama.cpp, a local vLLM): its calls cost 0 and never block a USD budget. */
  free: z.boolean().default(false),
  /**
   * The price catalogue's provider to look this endpoint's models up in (e.g. "openai" for a LiteLLM proxy in front of
   * OpenAI), when its base URL matches none of the catalogue's. Checked against the catalogue when a run starts and by `validate`.
   */
  catalogue: z.string().min(1, { error: 'must name a provider of the price catalogue, e.g. "openai"' }).optional(),
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
  /** Restarts in a row (with backoff) for a server that stops mid-run; the count resets once it has run a minute. 0: never. */
  maxRestarts: z.number().int().min(0).max(100).default(3),
  description: z.string().optional(),
};

/** The sandbox a built-in server runs its code in (docs/sandbox.md); unset fields come from config.json `sandbox`. */
export const serverSandboxSchema = z.strictObject({
  backend: z.enum(['auto', 'bwrap', 'none']).optional(),
  /** "none": no network at all (default for shell and python); "host": the machine's network (default for training). */
  network: z
    .union([
      z.enum(['none', 'host']),
      z.strictObject({
        allow: z
          .array(
            z
              .string()
              .regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, { error: 'each entry is host:port, e.g. "openrouter.ai:443"' }),
          )
          .min(1),
      }),
    ])
    .optional(),
  /** More paths visible read-only inside (a venv under $HOME); relative to the workdir, "~" is the home directory. */
  readOnly: z.array(z.string().min(1)).optional(),
  /** More paths writable inside (an HF cache). */
  writable: z.array(z.string().min(1)).optional(),
  limits: z.lazy(() => sandboxLimitsSchema).optional(),
});

/** Limits for each sandboxed launch and all it starts (control groups): processes (threads count) and memory. */
export const sandboxLimitsSchema = z.strictObject({
  processes: z.number().int().positive().optional(),
  memoryMb: z.number().int().positive().optional(),
});

export const stdioServerSchema = z.strictObject({
  type: z.literal('stdio'),
  command: z.string().min(1, { error: 'must name the program to start, e.g. "npx"' }),
  args: z.array(z.string()).default([]),
  env: stringMap.default({}),
  cwd: z.string().optional(),
  /** Run the server in the sandbox (docs/sandbox.md); off unless set, since servers need their own files and network. */
  sandbox: z.lazy(() => serverSandboxSchema).optional(),
  ...serverCommon,
});

/**
 * A `${VAR}` still in place. loadConfig does not interpolate disabled server entries (their variables need not be
 * set), so a disabled entry's URL may be one; an enabled entry's never is.
 */
const UNRESOLVED_REFERENCE = /\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}/;

export const httpServerSchema = z.strictObject({
  type: z.enum(['http', 'streamable-http', 'sse']),
  url: z.union([z.url({ protocol: /^https?$/ }), z.string().regex(UNRESOLVED_REFERENCE)], {
    error: 'must be an http(s) URL of the MCP endpoint',
  }),
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
  /** Background jobs that may run at once; starting one more is refused until one ends. */
  maxJobs: z.number().int().positive().default(8),
  sandbox: serverSandboxSchema.optional(),
});

export const pythonOptionsSchema = z.strictObject({
  /** The interpreter: a name looked up on PATH (python3) or a path, e.g. a venv's /venv/main/bin/python; relative to the workdir. */
  interpreter: z.string().min(1).default('python3'),
  timeoutMs: z.number().int().positive().default(600_000),
  maxOutputChars: z.number().int().positive().default(30_000),
  /** Environment variables passed through to Python, besides a minimal set (PATH, HOME, LANG, …). */
  passEnv: z.array(environmentVariableName).default([]),
  /** Variables set for every Python process (e.g. PYTHONUNBUFFERED, HF_HOME). */
  env: stringMap.default({}),
  maxJobs: z.number().int().positive().default(8),
  sandbox: serverSandboxSchema.optional(),
});

export const fetchOptionsSchema = z.strictObject({
  /** Longest a fetch may take, redirects and body included. */
  timeoutMs: z.number().int().positive().default(30_000),
  /** Largest response body read, in bytes; a larger one is refused. */
  maxBytes: z.number().int().positive().default(5_000_000),
  /** Characters returned per call when the call does not say (max_length). */
  maxLength: z.number().int().positive().default(20_000),
  /** Allow loopback, private, link-local and other non-public addresses (off: such URLs are refused). */
  allowPrivateNetwork: z.boolean().default(false),
  /** Host names or IP literals allowed even when they resolve to non-public addresses, e.g. "localhost". */
  allowedHosts: z.array(z.string().min(1)).default([]),
  userAgent: z.string().min(1).default('mux-swarm-fetch/0.1'),
});

export const memoryOptionsSchema = z.strictObject({
  /** The database holding the graph; relative to the workdir. Default: the state database (stateDir/state.db). */
  database: z.string().optional(),
  /** Also offer search_fixes, record_fix and rate_fix over the failure memory (off: exactly the reference server's tools). */
  fixes: z.boolean().default(true),
});

export const skillsOptionsSchema = z.strictObject({
  /** More skill directories, relative to the directory of config.json, searched after the project's skills/. */
  directories: z.array(z.string()).default([]),
  /** The user's own skills; default ~/.mux-swarm/skills. "~" is the home directory. */
  userDirectory: z.string().optional(),
  /** Also serve the skills that ship with mux-swarm (searched last, so any other skill of a name wins). */
  shipped: z.boolean().default(true),
});

export const trainingOptionsSchema = z.strictObject({
  /** Training jobs that may run at once. */
  maxJobs: z.number().int().positive().default(2),
  /** What one hour of the GPU box costs, in USD (e.g. 0.80); GPU time is added to the run's cost and budget. */
  gpuHourlyUsd: z.number().min(0).default(0),
  /** A job that prints no progress line for this long is stopped and classified "stalled"; per-job override in start. */
  stallTimeoutMs: z
    .number()
    .int()
    .positive()
    .default(30 * 60_000),
  /** Time between SIGTERM and SIGKILL when a job is stopped (stop, stall, mux-swarm stopping): for the checkpoint. */
  stopGraceMs: z.number().int().min(0).default(60_000),
  /** At most one training-progress event per job this often (eval, checkpoint and done are sent at once). */
  progressEventIntervalMs: z.number().int().min(0).default(5_000),
  /** When mux-swarm stops in an orderly way (end of run, Ctrl-C, limits): stop jobs with a checkpoint, or leave them running for the next resume. */
  onExit: z.enum(['stop', 'leave-running']).default('stop'),
  /** Environment variables passed through to trainers, besides a minimal set (PATH, HOME, LANG, …), e.g. HF_TOKEN. */
  passEnv: z.array(environmentVariableName).default([]),
  /** Variables set for every trainer (e.g. HF_HOME, PYTORCH_CUDA_ALLOC_CONF). */
  env: stringMap.default({}),
  /** Most characters of log output one wait or status returns. */
  maxOutputChars: z.number().int().positive().default(8_000),
  sandbox: serverSandboxSchema.optional(),
});

function builtinEntry<Name extends string, Options extends z.ZodType>(name: Name, options: Options) {
  return z.strictObject({
    type: z.literal('builtin'),
    builtin: z.literal(name),
    options: options.prefault({} as z.input<Options>),
    ...serverCommon,
  });
}

import { BUILTIN_SERVER_NAMES } from './builtin-server-names.js';
export { BUILTIN_SERVER_NAMES, type BuiltinServerName } from './builtin-server-names.js';

export const builtinServerSchema = z.discriminatedUnion(
  'builtin',
  [
    builtinEntry('filesystem', filesystemOptionsSchema),
    builtinEntry('shell', shellOptionsSchema),
    builtinEntry('python', pythonOptionsSchema),
    builtinEntry('fetch', fetchOptionsSchema),
    builtinEntry('memory', memoryOptionsSchema),
    builtinEntry('skills', skillsOptionsSchema),
    builtinEntry('training', trainingOptionsSchema),
  ],
  { error: `must be one of the built-in servers: ${BUILTIN_SERVER_NAMES.map((name) => `"${name}"`).join(', ')}` },
);

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
export type PythonOptions = z.infer<typeof pythonOptionsSchema>;
export type FetchOptions = z.infer<typeof fetchOptionsSchema>;
export type MemoryOptions = z.infer<typeof memoryOptionsSchema>;
export type SkillsOptions = z.infer<typeof skillsOptionsSchema>;
export type ServerSandbox = z.infer<typeof serverSandboxSchema>;
export type TrainingOptions = z.infer<typeof trainingOptionsSchema>;

/** The values of config.json memory.shareGraph. */
export const GRAPH_SHARING = ['general', 'all', 'none'] as const;
export type GraphSharing = (typeof GRAPH_SHARING)[number];

export const configSchema = z.strictObject({
  $schema: z.string().optional(),
  providers: z
    .record(
      z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: 'provider names use letters, digits, "_", "-" and "."' }),
      providerSchema,
    )
    .refine((providers) => Object.keys(providers).length > 0, { error: 'must define at least one provider' }),
  /** USD per million tokens, keyed by model id, used when the provider does not report cost itself. */
  prices: z.record(z.string(), priceSchema).default({}),
  mcpServers: z
    .record(
      z.string().regex(/^[A-Za-z0-9-]+$/, {
        error: 'server names use letters, digits and "-" (no "_": tools are named server__tool)',
      }),
      mcpServerSchema,
    )
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
  /**
   * The sandbox for the code agents run — shell commands, Python, training jobs (docs/sandbox.md): "auto" uses
   * bubblewrap where it works and warns where it does not; "bwrap" requires it; "none" runs unconfined.
   */
  sandbox: z
    .strictObject({
      backend: z.enum(['auto', 'bwrap', 'none']).default('auto'),
      readOnly: z.array(z.string().min(1)).default([]),
      writable: z.array(z.string().min(1)).default([]),
      /** Default: 4096 processes (threads count), no memory limit (GPU jobs map large address spaces). */
      limits: sandboxLimitsSchema.default({ processes: 4096 }),
    })
    .default({ backend: 'auto', readOnly: [], writable: [], limits: { processes: 4096 } }),
  logging: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
      /** Level printed on stderr; everything at `level` goes to the run's log file. */
      consoleLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
    })
    .default({ level: 'info', consoleLevel: 'warn' }),
  /** Failure memory and the knowledge graph (docs/failure-memory.md): the user store shared by every workdir, and what runs write to it. */
  /** How an agent's failover chain (a list of models in swarm.json) moves on and comes back (docs/failover.md). */
  failover: z
    .strictObject({
      /** A 429 asking to wait longer than this moves the call to the next entry instead of waiting (the last entry waits). */
      maxWait: durationSchema.default(10_000),
      /** How long an entry that failed is passed over (longer when the endpoint's Retry-After says so). */
      cooldown: durationSchema.default(300_000),
    })
    .prefault({}),
  memory: z
    .strictObject({
      /** Directory of the user store (memory.db); "~" is the home directory. */
      userStore: z.string().default('~/.mux-swarm'),
      /** Write failures and fixes through to the user store as well as the workdir's state.db. */
      shareWithUserStore: z.boolean().default(true),
      /**
       * Which knowledge-graph writes of the memory server also go to the user store (docs/memory-server.md): "general"
       * (what the agent marks `general: true`), "all", or "none" (the graph stays in the workdir, and only the
       * workdir's is read). Nothing is shared when shareWithUserStore is false.
       */
      shareGraph: z.enum(GRAPH_SHARING).default('general'),
    })
    .prefault({}),
  /**
   * OpenTelemetry traces over OTLP/HTTP (docs/telemetry.md). Absent: no traces, unless OTEL_EXPORTER_OTLP_ENDPOINT or
   * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set; the OTel packages are then never loaded.
   */
  telemetry: z
    .strictObject({
      otlp: z
        .strictObject({
          /** The collector's base URL (`/v1/traces` is added), e.g. http://127.0.0.1:4318. */
          endpoint: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
          /** Sent with every export, e.g. an API key (`${VAR}` reads it from the environment). */
          headers: z.record(z.string(), z.string()).default({}),
        })
        .prefault({}),
      /** Put prompts, replies, tool arguments and results on spans (scrubbed of secrets). */
      includeContent: z.boolean().default(false),
      /** The resource's `service.name` (default: OTEL_SERVICE_NAME, else "mux-swarm"). */
      serviceName: z.string().min(1).optional(),
    })
    .optional(),
});
export type Config = z.infer<typeof configSchema>;
/** config.json `telemetry`. */
export type TelemetryConfig = NonNullable<Config['telemetry']>;
export type MemoryConfig = Config['memory'];

/** config.json `sandbox`. */
export type SandboxSettings = Config['sandbox'];
