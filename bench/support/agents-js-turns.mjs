/**
 * The OpenAI Agents JS side of bench/turn-overhead.ts, in a process of its own as mux-swarm's is: one agent whose
 * model (Chat Completions, not streamed, as mux-swarm asks by default) is the bench's fake server, with one function
 * tool that lists the allowed directories (what mux-swarm's in-process `fs__list_allowed_directories` answers). The
 * fake server decides how many turns there are; tracing is off (it would export to OpenAI).
 *
 *   node bench/support/agents-js-turns.mjs <baseURL> <model> <maxTurns> <directory>
 */
import { Agent, OpenAIChatCompletionsModel, run, setTracingDisabled, tool } from '@openai/agents';
import OpenAI from 'openai';
import { z } from 'zod';

const [baseURL, modelName, maxTurns, directory] = process.argv.slice(2);
setTracingDisabled(true);
const model = new OpenAIChatCompletionsModel(new OpenAI({ baseURL, apiKey: 'bench', maxRetries: 0 }), modelName);
const listAllowedDirectories = tool({
  name: 'list_allowed_directories',
  description: 'Lists the directories this agent may read and write.',
  parameters: z.object({}),
  execute: async () => `Allowed directories:\n${directory}`,
});
const agent = new Agent({
  name: 'bench',
  instructions: 'You are a bench agent.',
  model,
  tools: [listAllowedDirectories],
});
const result = await run(agent, 'List the allowed directories until told to stop.', { maxTurns: Number(maxTurns) });
process.stdout.write(`${String(result.finalOutput)}\n`);
