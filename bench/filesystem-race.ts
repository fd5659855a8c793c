/**
 * The built-in filesystem server under a directory-for-link swap, and what its checks cost. First the cost:
 * median, p99 and mean of read_text_file (a 10 KB file) and write_file (a 10 KB file, replaced) over N calls
 * (default 2,000) through an in-process MCP client, plus one readlink of /proc/self/fd/<fd> (the check added
 * to every open). Then the race: a child process swaps root/dir with root/link -> outside
 * (renameat2 RENAME_EXCHANGE) for S seconds (default 5) while read_text_file and write_file run in a loop on
 * paths through root/dir; it counts the reads that returned the outside file and the files created outside.
 *
 *   node --import tsx bench/filesystem-race.ts [calls] [seconds]
 */
import { closeSync, openSync, readlinkSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createFilesystemServer } from '../src/servers/filesystem/filesystem-server.js';
import { startSwapper, swapperUnavailable } from '../test/servers/filesystem/path-swapper.js';
import { percentile } from './support/percentile.js';

const calls = Number(process.argv[2] ?? 2_000);
const raceSeconds = Number(process.argv[3] ?? 5);
const warmUp = 200;
const outsideText = 'OUTSIDE SECRET\n';

const base = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'mux-swarm-fs-race-')));
const root = path.join(base, 'root');
const outside = path.join(base, 'outside');
await fs.mkdir(path.join(root, 'dir'), { recursive: true });
await fs.mkdir(outside);

const server = await createFilesystemServer({ roots: [root] });
const client = new Client({ name: 'filesystem-race-bench', version: '0.0.0' });
const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);

async function call(name: string, args: Record<string, unknown>): Promise<{ text: string; isError: boolean }> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const text = result.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n');
  return { text, isError: result.isError === true };
}

function row(label: string, durations: number[]): string {
  durations.sort((left, right) => left - right);
  const mean = durations.reduce((sum, value) => sum + value, 0) / durations.length;
  const format = (value: number): string => `${value.toFixed(3).padStart(7)} ms`;
  return `${label.padEnd(34)} median ${format(percentile(durations, 0.5))}   p99 ${format(percentile(durations, 0.99))}   mean ${format(mean)}`;
}

async function measure(name: string, args: Record<string, unknown>): Promise<number[]> {
  for (let index = 0; index < warmUp; index++) await call(name, args);
  const durations: number[] = [];
  for (let index = 0; index < calls; index++) {
    const started = process.hrtime.bigint();
    const outcome = await call(name, args);
    durations.push(Number(process.hrtime.bigint() - started) / 1e6);
    if (outcome.isError) throw new Error(`${name} failed: ${outcome.text}`);
  }
  return durations;
}

function measureDescriptorReadlink(): number[] {
  const fd = openSync(path.join(root, 'dir', 'ten-kb.txt'), 'r');
  try {
    const durations: number[] = [];
    for (let index = 0; index < calls; index++) {
      const started = process.hrtime.bigint();
      readlinkSync(`/proc/self/fd/${fd}`);
      durations.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
    return durations;
  } finally {
    closeSync(fd);
  }
}

async function race(): Promise<string> {
  const unavailable = swapperUnavailable();
  if (unavailable !== undefined) return `race skipped: ${unavailable}`;
  await fs.writeFile(path.join(root, 'dir', 'file.txt'), 'inside\n');
  await fs.writeFile(path.join(outside, 'file.txt'), outsideText);
  await fs.symlink(outside, path.join(root, 'link'));
  const swapper = await startSwapper(path.join(root, 'dir'), path.join(root, 'link'), raceSeconds);
  let racing = true;
  const stopped = swapper.finished.finally(() => (racing = false));
  const reads = { calls: 0, succeeded: 0, leaked: 0 };
  const writes = { calls: 0, succeeded: 0 };
  await Promise.all([
    (async () => {
      while (racing) {
        const outcome = await call('read_text_file', { path: 'dir/file.txt' });
        reads.calls++;
        if (!outcome.isError && outcome.text.includes('OUTSIDE')) reads.leaked++;
        else if (!outcome.isError) reads.succeeded++;
      }
    })(),
    (async () => {
      for (let index = 0; racing; index++) {
        const outcome = await call('write_file', { path: `dir/new-${index}.txt`, content: 'inside\n' });
        writes.calls++;
        if (!outcome.isError) writes.succeeded++;
      }
    })(),
  ]);
  const swaps = await stopped;
  const createdOutside = (await fs.readdir(outside)).filter((name) => name !== 'file.txt').length;
  return (
    `race for ${raceSeconds} s, ${swaps} swaps:\n` +
    `  read_text_file  ${reads.calls} calls, ${reads.succeeded} read the inside file, ${reads.leaked} returned the outside file\n` +
    `  write_file      ${writes.calls} calls, ${writes.succeeded} succeeded, ${createdOutside} files created outside`
  );
}

try {
  await fs.writeFile(path.join(root, 'dir', 'ten-kb.txt'), 'x'.repeat(10_239) + '\n');
  const content = 'y'.repeat(10_239) + '\n';
  const rows = [
    row('read_text_file (10 KB)', await measure('read_text_file', { path: 'dir/ten-kb.txt' })),
    row('write_file (10 KB, replacing)', await measure('write_file', { path: 'dir/written.txt', content })),
    row('readlink /proc/self/fd/<fd>', measureDescriptorReadlink()),
  ];
  process.stdout.write(
    `filesystem tool calls in-process, ${calls} calls each after ${warmUp} warm-up calls (node ${process.version})\n`,
  );
  process.stdout.write(`${rows.join('\n')}\n${await race()}\n`);
} finally {
  await client.close();
  await server.close();
  await fs.rm(base, { recursive: true, force: true });
}
