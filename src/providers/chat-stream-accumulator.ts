import type OpenAI from 'openai';
import type { ToolCall } from './chat-types.js';
import { newToolCallId } from './tool-call-id.js';

interface PartialToolCall {
  id: string;
  name: string;
  arguments: string;
  isFunction: boolean;
}

export interface AccumulatedCompletion {
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: string | null;
  usage: OpenAI.CompletionUsage | undefined;
  model: string | undefined;
}

/**
 * Builds one completion from streamed chunks: content deltas appended, tool-call deltas merged by `index`
 * (id and name arrive first, arguments in pieces), usage taken from the last chunk that has it.
 */
export class ChatStreamAccumulator {
  private content = '';
  private sawContent = false;
  private readonly toolCalls = new Map<number, PartialToolCall>();
  private finishReason: string | null = null;
  private usage: OpenAI.CompletionUsage | undefined;
  private model: string | undefined;
  private characterCount = 0;

  /** Characters of content and tool-call arguments received so far: how far the reply has come. */
  get characters(): number {
    return this.characterCount;
  }

  /** Adds a chunk; returns its text delta, if any. */
  add(chunk: OpenAI.ChatCompletionChunk): string | undefined {
    if (chunk.model) this.model = chunk.model;
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices?.find((candidate) => (candidate.index ?? 0) === 0);
    if (!choice) return undefined;
    if (choice.finish_reason) this.finishReason = choice.finish_reason;
    const delta = choice.delta;
    if (!delta) return undefined;
    for (const [position, toolCallDelta] of (delta.tool_calls ?? []).entries()) {
      this.addToolCallDelta(toolCallDelta, position);
    }
    if (typeof delta.content === 'string' && delta.content !== '') {
      this.content += delta.content;
      this.characterCount += delta.content.length;
      this.sawContent = true;
      return delta.content;
    }
    return undefined;
  }

  private addToolCallDelta(delta: OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall, position: number): void {
    // Some servers omit `index` when each chunk carries whole calls.
    const index = typeof delta.index === 'number' ? delta.index : position;
    let call = this.toolCalls.get(index);
    if (!call) {
      call = { id: '', name: '', arguments: '', isFunction: true };
      this.toolCalls.set(index, call);
    }
    if (delta.id) call.id = delta.id;
    if (delta.type !== undefined && delta.type !== 'function') call.isFunction = false;
    const name = delta.function?.name;
    // The name arrives once; a few servers repeat it whole in later chunks.
    if (name && name !== call.name) call.name += name;
    if (delta.function?.arguments) {
      call.arguments += delta.function.arguments;
      this.characterCount += delta.function.arguments.length;
    }
  }

  result(): AccumulatedCompletion {
    const toolCalls = [...this.toolCalls.entries()]
      .sort(([left], [right]) => left - right)
      .map(([, call]) => call)
      .filter((call) => call.isFunction && call.name !== '')
      .map((call) => ({ id: call.id || newToolCallId(), name: call.name, arguments: call.arguments || '{}' }));
    return {
      content: this.sawContent ? this.content : null,
      toolCalls,
      finishReason: this.finishReason,
      usage: this.usage,
      model: this.model,
    };
  }
}
