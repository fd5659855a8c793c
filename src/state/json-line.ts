import type { z } from 'zod';

/** One line of a JSONL file checked against `schema`: the value, or what is wrong with it (the first issue, with its path). */
export function parseJsonLine<Schema extends z.ZodType>(
  text: string,
  schema: Schema,
): { line: z.infer<Schema> } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `not JSON (${(error as Error).message})` };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { line: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { problem: `${issue.path.length > 0 ? `${issue.path.join('.')}: ` : ''}${issue.message}` };
}
