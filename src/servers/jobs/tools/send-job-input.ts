import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { guarded } from '../../tool-results.js';
import { jobIdInput, type JobToolsOptions } from './job-tool-options.js';

/** send_job_input: text to a running job's standard input, and optionally its end. */
export function registerSendJobInputTool(server: McpServer, options: JobToolsOptions): void {
  server.registerTool(
    'send_job_input',
    {
      title: 'Send input to a job',
      description:
        'Writes text to a running job\'s standard input (include "\\n" to end a line), and closes its input if ' +
        'close_stdin is true (for programs that read until end of input).',
      inputSchema: {
        job_id: jobIdInput,
        text: z.string().optional().describe('Text to write; may be empty when only closing.'),
        close_stdin: z.boolean().optional().describe('Close standard input after writing (default false).'),
      },
      outputSchema: {
        job_id: z.string(),
        bytes_sent: z.number().int(),
        delivered: z.boolean().describe('The pipe took the text; false if the job is not reading (it stays queued)'),
        stdin_open: z.boolean(),
        running: z.boolean(),
      },
      annotations: { destructiveHint: true },
    },
    async (input) =>
      guarded(async () => {
        const job = options.registry.get(input.job_id);
        const text = input.text ?? '';
        const { delivered } = await job.writeInput(text, input.close_stdin === true);
        const bytes = Buffer.byteLength(text);
        const lines = [
          delivered
            ? `Sent ${bytes} bytes to job ${job.id}'s standard input.`
            : `Queued ${bytes} bytes for job ${job.id}: its input pipe is full, the job is not reading it now.`,
        ];
        if (input.close_stdin === true) lines.push('Its standard input is now closed.');
        lines.push('Use wait_job to see what it answers.');
        return {
          content: [{ type: 'text', text: lines.join(' ') }],
          structuredContent: {
            job_id: job.id,
            bytes_sent: bytes,
            delivered,
            stdin_open: job.stdinOpen,
            running: job.running,
          },
        };
      }),
  );
}
