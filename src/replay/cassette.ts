import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../errors/config-error.js';

/**
 * A cassette: what a run asked its models and what they answered, and what its tools returned, with the run's
 * places as placeholders and its secrets scrubbed. On disk it is JSON Lines, one record a line, headed by a
 * `cassette` line; in memory the same records grouped by kind.
 */

export const CASSETTE_VERSION = 1;

const projectedMessageSchema = z.object({
  role: z.string(),
  content: z.string().nullable(),
  tool_calls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() })).optional(),
  tool_call_id: z.string().optional(),
});

const headerSchema = z.object({
  type: z.literal('cassette'),
  version: z.literal(CASSETTE_VERSION),
  muxSwarm: z.string(),
  exportedAt: z.string(),
  run: z.object({
    id: z.string(),
    goalName: z.string(),
    goalSource: z.string(),
    goalText: z.string(),
    mode: z.string(),
    status: z.string(),
    subtype: z.string().nullable(),
    exitCode: z.number().int().nullable(),
    result: z.string().nullable(),
    /** The specialists in play, in their order (a run started with --agents); absent: swarm.json's. */
    agents: z.array(z.string()).optional(),
  }),
});

const toolSetSchema = z.object({ type: z.literal('tool-set'), hash: z.string(), tools: z.string() });

const transcriptSchema = z.object({
  type: z.literal('transcript'),
  delegation: z.string(),
  agent: z.string(),
  messages: z.array(projectedMessageSchema),
});

const replySchema = z.object({
  content: z.string().nullable(),
  toolCalls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() })),
  finishReason: z.string().nullable(),
  model: z.string(),
  usage: z.object({
    inputTokens: z.number(),
    outputTokens: z.number(),
    cachedInputTokens: z.number(),
    reasoningTokens: z.number(),
  }),
  costUsd: z.number(),
  costSource: z.string().nullable(),
});

const modelCallSchema = z.object({
  type: z.literal('model-call'),
  agent: z.string(),
  delegation: z.string(),
  turn: z.number().int(),
  provider: z.string(),
  model: z.string(),
  hash: z.string(),
  tools: z.string(),
  /** Transcript messages the call sent (the first `messages` of its delegation's transcript). */
  messages: z.number().int(),
  reply: replySchema.optional(),
  /** The call failed with this error and was not asked again: replay fails it the same way. */
  error: z.string().optional(),
});

const toolCallSchema = z.object({
  type: z.literal('tool-call'),
  id: z.string(),
  agent: z.string(),
  delegation: z.string(),
  turn: z.number().int(),
  name: z.string(),
  arguments: z.string(),
  result: z.string(),
  isError: z.boolean(),
});

export type CassetteHeader = z.infer<typeof headerSchema>;
export type CassetteToolSet = z.infer<typeof toolSetSchema>;
export type CassetteTranscript = z.infer<typeof transcriptSchema>;
export type CassetteModelCall = z.infer<typeof modelCallSchema>;
export type CassetteReply = z.infer<typeof replySchema>;
export type CassetteToolCall = z.infer<typeof toolCallSchema>;

export interface Cassette {
  header: CassetteHeader;
  toolSets: CassetteToolSet[];
  transcripts: CassetteTranscript[];
  /** In the order they were made. */
  modelCalls: CassetteModelCall[];
  /** In the order they started. */
  toolCalls: CassetteToolCall[];
}

const recordSchema = z.discriminatedUnion('type', [toolSetSchema, transcriptSchema, modelCallSchema, toolCallSchema]);

/** The cassette as JSON Lines: header, tool sets, transcripts, model calls, tool calls. */
export function cassetteLines(cassette: Cassette): string {
  const records = [
    cassette.header,
    ...cassette.toolSets,
    ...cassette.transcripts,
    ...cassette.modelCalls,
    ...cassette.toolCalls,
  ];
  return records.map((record) => JSON.stringify(record)).join('\n') + '\n';
}

/** Writes `cassette` to `file`. */
export function writeCassette(file: string, cassette: Cassette): void {
  writeFileSync(file, cassetteLines(cassette));
}

/** Reads a cassette file; a missing file or a line that is not a cassette record is a ConfigError naming the line. */
export function readCassette(file: string): Cassette {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      file,
      [{ path: '', message: code === 'ENOENT' ? 'cassette not found' : `cannot read the cassette (${code})` }],
      'Give a run id or a cassette written by `mux-swarm export <run> --cassette -o <file.jsonl>`.',
    );
  }
  return parseCassette(text, file);
}

/** Parses cassette text; `label` names it in errors. */
export function parseCassette(text: string, label: string): Cassette {
  const lines = text.split('\n');
  const problem = (line: number, message: string): ConfigError =>
    new ConfigError(
      `${label}:${line}`,
      [{ path: '', message }],
      'The cassette is damaged or was not written by `mux-swarm export --cassette`; export it again.',
    );
  let header: CassetteHeader | undefined;
  const cassette: Omit<Cassette, 'header'> = { toolSets: [], transcripts: [], modelCalls: [], toolCalls: [] };
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw problem(index + 1, `not JSON (${(error as Error).message})`);
    }
    if (header === undefined) {
      const parsed = headerSchema.safeParse(value);
      if (!parsed.success) {
        const version = (value as { version?: unknown } | null)?.version;
        throw problem(
          index + 1,
          (value as { type?: unknown } | null)?.type === 'cassette' && version !== CASSETTE_VERSION
            ? `cassette version ${String(version)}; this mux-swarm reads version ${CASSETTE_VERSION}`
            : 'the first line is not a cassette header',
        );
      }
      header = parsed.data;
      continue;
    }
    const parsed = recordSchema.safeParse(value);
    if (!parsed.success)
      throw problem(
        index + 1,
        `not a cassette record (${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'record'}: ${issue.message}`).join('; ')})`,
      );
    const record = parsed.data;
    if (record.type === 'tool-set') cassette.toolSets.push(record);
    else if (record.type === 'transcript') cassette.transcripts.push(record);
    else if (record.type === 'model-call') cassette.modelCalls.push(record);
    else cassette.toolCalls.push(record);
  }
  if (header === undefined) throw problem(1, 'the cassette is empty');
  return { header, ...cassette };
}
