import type { FakeChatBody, FakeChatMessage, ScriptedResponse } from './fake-openai-server.js';
import { messageText } from './fake-openai-routing.js';

/**
 * A stand-in for the model in the seed story: an agent that trains with test/fixtures/seed-trainer/train.py, follows
 * the job the way it is told to, and fixes each error it meets. It decides from the conversation alone, as a model
 * would. When the report of a failed job carries known fixes from mux-swarm's failure memory, it applies the first
 * one from its diff; otherwise it reads the script first and then makes the edit it "knows" for that error (what a
 * model would work out) — so a run with lessons from an earlier run needs fewer model calls, because of what the
 * tool results said and nothing else.
 */
export type FollowMode = 'wait' | 'status' | 'notices';

export const TRAIN_COMMAND = 'python3 train.py';

/** What a model works out for each of the seed's errors: the error's tell, and the edit that fixes it. */
export const SEED_ERRORS = [
  {
    tell: "unexpected keyword argument 'overwrite_output_dir'",
    edits: [{ oldText: '        overwrite_output_dir=True,\n', newText: '' }],
  },
  {
    tell: "unexpected keyword argument 'tokenizer'",
    edits: [{ oldText: 'tokenizer=tokenizer, data_collator', newText: 'processing_class=tokenizer, data_collator' }],
  },
  {
    tell: "unexpected keyword argument 'max_seq_length'",
    edits: [{ oldText: 'SFTConfig(max_seq_length=512', newText: 'SFTConfig(max_length=512' }],
  },
  {
    tell: 'excessive nesting',
    edits: [
      {
        oldText: 'from fake_trl import AutoTokenizer, DataCollatorForLanguageModeling,',
        newText: 'from fake_trl import AutoTokenizer, DataCollatorForSeq2Seq,',
      },
      {
        oldText: 'collator = DataCollatorForLanguageModeling(tokenizer, mlm=False)',
        newText: 'collator = DataCollatorForSeq2Seq(tokenizer, padding=True)',
      },
    ],
  },
] as const;

export const GENERAL_LESSON = {
  name: 'Train the adapter: python interpreter',
  entityType: 'lesson',
  observations: ['After venv activation python is a shim on this box; call /venv/main/bin/python directly'],
};

export interface SeedAgentOptions {
  mode: FollowMode;
  /** Ends by writing GENERAL_LESSON to the memory graph (marked general) before completing. */
  writeLesson?: boolean;
}

/** The agent's next reply to `body`. */
export function seedAgentReply(body: FakeChatBody, options: SeedAgentOptions): ScriptedResponse {
  const messages = body.messages;
  const lastCall = lastToolCall(messages);
  const since = textSinceLastAssistant(messages);
  if (lastCall === undefined) return call('training__start', { command: TRAIN_COMMAND, name: 'seed' });
  switch (lastCall.name) {
    case 'training__start':
    case 'training__wait':
    case 'training__status':
    case 'shell__run_command':
      return afterFollowing(since, jobIdOf(messages), options);
    case 'fs__read_text_file':
      return call('fs__edit_file', {
        path: 'train.py',
        edits: knownEditFor(errorReportedIn(textOfLastJobEnd(messages))),
      });
    case 'fs__edit_file':
      return call('training__start', { command: TRAIN_COMMAND, name: 'seed' });
    case 'memory__create_entities':
      return call('complete', { status: 'success', summary: 'the adapter is trained' });
    default:
      throw new Error(`seed agent: nothing to do after ${lastCall.name}`);
  }
}

/** After a step of following the job: follow on while it runs; on its end, fix or finish. */
function afterFollowing(since: string, jobId: string, options: SeedAgentOptions): ScriptedResponse {
  const ended = endIn(since, options.mode);
  if (ended === undefined) return follow(jobId, since, options.mode);
  if (ended === 'success') {
    if (options.writeLesson)
      return call('memory__create_entities', { entities: [{ ...GENERAL_LESSON, general: true }] });
    return call('complete', { status: 'success', summary: 'the adapter is trained' });
  }
  const offered = firstKnownFixDiff(since);
  if (offered !== undefined) return call('fs__edit_file', { path: 'train.py', edits: editsFromDiff(offered) });
  return call('fs__read_text_file', { path: 'train.py' });
}

function follow(jobId: string, since: string, mode: FollowMode): ScriptedResponse {
  if (mode === 'wait') {
    const cursor = /Next: wait with cursor (\d+)/.exec(since)?.[1];
    return call('training__wait', {
      job_id: jobId,
      cursor: cursor === undefined ? 0 : Number(cursor),
      timeout_ms: 10_000,
    });
  }
  if (mode === 'status') return { ...call('training__status', { job_id: jobId }), delayMs: 150 };
  return call('shell__run_command', { command: 'sleep 0.5' });
}

/** How the job ended, as the way of following it reports it; undefined while it runs. */
function endIn(since: string, mode: FollowMode): 'success' | 'failure' | undefined {
  if (mode === 'notices') {
    const notice = /\[mux-swarm\] Training job \S+ \(seed\) ended: (\w+)/.exec(since)?.[1];
    return notice === undefined ? undefined : notice === 'success' ? 'success' : 'failure';
  }
  if (/^\S+ \(seed\): success:/m.test(since)) return 'success';
  if (/^\S+ \(seed\): (python_exception|failed|cuda_oom|killed):/m.test(since)) return 'failure';
  return undefined;
}

/** The diff of the first known fix in a report: `[mux-swarm memory] … 1. … Files: … <diff>` up to fix 2. */
export function firstKnownFixDiff(text: string): string | undefined {
  const start = text.indexOf('[mux-swarm memory] This error has known fixes');
  if (start < 0) return undefined;
  const block = text.slice(start);
  const first = /\n1\. [^\n]*\n([\s\S]*?)(?=\n\d+\. |\nCheck whether one applies)/.exec(block)?.[1];
  if (first === undefined) return undefined;
  const diff = first
    .split('\n')
    .filter((line) => line.startsWith('   '))
    .map((line) => line.slice(3))
    .filter((line) => !line.startsWith('Why: ') && !line.startsWith('Files: '));
  return diff.some((line) => line.startsWith('@@')) ? diff.join('\n') : undefined;
}

/** A unified diff as edit_file edits: each hunk's old side (context and `-` lines) becomes its new side. */
export function editsFromDiff(diff: string): Array<{ oldText: string; newText: string }> {
  const edits: Array<{ oldText: string; newText: string }> = [];
  let current: { old: string[]; new: string[] } | undefined;
  for (const line of diff.split('\n')) {
    if (line.startsWith('@@')) {
      if (current) edits.push(toEdit(current));
      current = { old: [], new: [] };
    } else if (current === undefined || line.startsWith('---') || line.startsWith('+++') || line.startsWith('\\')) {
      continue;
    } else if (line.startsWith('-')) current.old.push(line.slice(1));
    else if (line.startsWith('+')) current.new.push(line.slice(1));
    else if (line.startsWith(' ')) {
      current.old.push(line.slice(1));
      current.new.push(line.slice(1));
    }
  }
  if (current) edits.push(toEdit(current));
  return edits;
}

function toEdit(hunk: { old: string[]; new: string[] }): { oldText: string; newText: string } {
  return { oldText: `${hunk.old.join('\n')}\n`, newText: hunk.new.length === 0 ? '' : `${hunk.new.join('\n')}\n` };
}

/** Which seed error a report names. */
export function errorReportedIn(text: string): (typeof SEED_ERRORS)[number] {
  const found = SEED_ERRORS.find((error) => text.includes(error.tell));
  if (found === undefined) throw new Error(`seed agent: no known error in:\n${text}`);
  return found;
}

function knownEditFor(error: (typeof SEED_ERRORS)[number]): Array<{ oldText: string; newText: string }> {
  return error.edits.map((edit) => ({ ...edit }));
}

function call(name: string, args: Record<string, unknown>): ScriptedResponse {
  return { toolCalls: [{ name, arguments: args }] };
}

function lastToolCall(messages: FakeChatMessage[]): { name: string; arguments: string } | undefined {
  return messages.findLast((message) => message.role === 'assistant' && message.tool_calls?.length)?.tool_calls?.at(-1)
    ?.function;
}

/** The tool results and user messages (notices) after the last assistant message. */
function textSinceLastAssistant(messages: FakeChatMessage[]): string {
  const last = messages.findLastIndex((message) => message.role === 'assistant');
  return messages
    .slice(last + 1)
    .map(messageText)
    .join('\n');
}

/** Everything since the last training__start: where the failed end was reported. */
function textOfLastJobEnd(messages: FakeChatMessage[]): string {
  const start = messages.findLastIndex(
    (message) =>
      message.role === 'assistant' &&
      message.tool_calls?.some((toolCall) => toolCall.function.name === 'training__start'),
  );
  return messages
    .slice(start + 1)
    .map(messageText)
    .join('\n');
}

function jobIdOf(messages: FakeChatMessage[]): string {
  const started = messages.findLast(
    (message) => message.role === 'tool' && /^Started training job (\S+)/.test(messageText(message)),
  );
  const id = started === undefined ? undefined : /^Started training job (\S+?)[: ]/.exec(messageText(started))?.[1];
  if (id === undefined) throw new Error('seed agent: no training job started yet');
  return id;
}
