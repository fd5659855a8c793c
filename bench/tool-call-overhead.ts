/**
 * The cost of one tool call through the hub: the built-in filesystem server in-process (linked in-memory
 * transport) against the same server over stdio (`mux-swarm mcp serve filesystem`, a child process in its own
 * process group). Reports median and p99 over N calls (default 1,000) after a warm-up, for a call that does
 * almost nothing (list_allowed_directories) and one that returns 10 KB (read_text_file).
 *
 *   npm run build && node --import tsx bench/tool-call-overhead.ts [calls]
 */
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mcpServerSchema, type McpServerConfig } from '../src/config/config-schema.js';
import { ToolHub } from '../src/tools/tool-hub.js';
import { percentile } from './support/percentile.js';

const calls = Number(process.argv[2] ?? 1_000);
const warmUp = 100;
const cli = fileURLToPath(new URL('../bin/mux-swarm', import.meta.url));
const workdir = realpathSync(mkdtempSync(join(tmpdir(), 'mux-swarm-bench-')));
writeFileSync(join(workdir, 'ten-kb.txt'), 'x'.repeat(10_239) + '\n');

const entries: Record<string, McpServerConfig> = {
  inproc: mcpServerSchema.parse({ builtin: 'filesystem' }),
  stdio: mcpServerSchema.parse({
    command: process.execPath,
    args: [cli, 'mcp', 'serve', 'filesystem', '--workdir', workdir, '--config', join(workdir, 'none.json')],
  }),
};

async function measure(
  hub: ToolHub,
  tool: string,
  input: Record<string, unknown>,
): Promise<{ median: number; p99: number; mean: number }> {
  for (let index = 0; index < warmUp; index += 1) await hub.call(tool, input);
  const durations: number[] = [];
  for (let index = 0; index < calls; index += 1) {
    const started = process.hrtime.bigint();
    const outcome = await hub.call(tool, input);
    durations.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (outcome.isError) throw new Error(`${tool} failed: ${outcome.text}`);
  }
  durations.sort((a, b) => a - b);
  return {
    median: percentile(durations, 0.5),
    p99: percentile(durations, 0.99),
    mean: durations.reduce((sum, value) => sum + value, 0) / durations.length,
  };
}

const hub = await ToolHub.start(entries, {
  context: {
    workdir,
    allowedRoots: [workdir],
    spillDirectory: join(workdir, 'spill'),
    projectDirectory: workdir,
    stateDirectory: join(workdir, '.mux-swarm'),
  },
});
try {
  const rows: string[] = [];
  for (const [label, tool, input] of [
    ['list_allowed_directories', 'list_allowed_directories', {}],
    ['read_text_file (10 KB)', 'read_text_file', { path: join(workdir, 'ten-kb.txt') }],
  ] as const) {
    for (const server of ['inproc', 'stdio'] as const) {
      const result = await measure(hub, `${server}__${tool}`, input);
      rows.push(
        `${label.padEnd(26)} ${(server === 'inproc' ? 'in-process' : 'stdio').padEnd(11)} median ${result.median.toFixed(3).padStart(7)} ms   p99 ${result.p99.toFixed(3).padStart(7)} ms   mean ${result.mean.toFixed(3).padStart(7)} ms`,
      );
    }
  }
  process.stdout.write(
    `tool call through the hub, ${calls} calls each after ${warmUp} warm-up calls (node ${process.version})\n${rows.join('\n')}\n`,
  );
} finally {
  await hub.close();
  rmSync(workdir, { recursive: true, force: true });
}
