/**
 * What the sandbox costs: a `true` command run the way the shell server runs commands (runInProcessGroup: its own
 * process group, output captured), unconfined against inside bubblewrap, interleaved, N times each (default 200);
 * a Python start likewise; and each again with the default process limit (a control group per launch). Prints medians and p90s, and the
 * difference per command. Target (issue 14): under 20 ms per sandboxed command.
 *
 *   node --import tsx bench/sandbox-overhead.ts [runs]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { runInProcessGroup } from '../src/supervisor/run-in-process-group.js';
import { sandboxFor } from '../src/supervisor/sandbox/sandbox-request.js';
import { captureChild } from '../src/supervisor/spawn-child.js';
import type { Sandbox } from '../src/supervisor/sandbox/sandbox.js';

const runs = Number(process.argv[2] ?? 200);
const workdir = mkdtempSync(join(tmpdir(), 'mux-swarm-bench-sandbox-'));
const sandbox = await sandboxFor({
  backend: 'bwrap',
  network: 'none',
  workdir,
  stateDirectory: join(workdir, '.mux-swarm'),
  readOnly: [],
  writable: [],
});
// As `mux-swarm run` has it by default: the sandbox and a control group with the process limit.
const limited = sandbox === undefined ? undefined : { ...sandbox, limits: { processes: 4096 } };

async function command(confined: Sandbox | undefined): Promise<number> {
  const started = performance.now();
  await runInProcessGroup({
    file: 'true',
    args: [],
    cwd: workdir,
    environment: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    timeoutMs: 10_000,
    capture: { append: () => undefined },
    ...(confined ? { sandbox: confined } : {}),
  });
  return performance.now() - started;
}

async function pythonStart(confined: Sandbox | undefined): Promise<number> {
  const started = performance.now();
  await captureChild({
    file: 'python3',
    args: ['-c', 'pass'],
    cwd: workdir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    ...(confined ? { sandbox: confined } : {}),
  });
  return performance.now() - started;
}

function stats(samples: number[]): { median: number; p90: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)]!, p90: sorted[Math.floor(sorted.length * 0.9)]! };
}

for (const [label, measure, count] of [
  ['`true` as a shell command', command, runs],
  ["python3 -c pass (a script's start)", pythonStart, Math.ceil(runs / 4)],
] as const) {
  const plain: number[] = [];
  const boxed: number[] = [];
  for (let index = 0; index < count; index += 1) {
    plain.push(await measure(undefined));
    boxed.push(await measure(sandbox));
  }
  const capped: number[] = [];
  for (let index = 0; index < count; index += 1) capped.push(await measure(limited));
  const [p, b, c] = [stats(plain), stats(boxed), stats(capped)];
  console.log(
    `${label}, ${count} runs each, interleaved: unconfined median ${p.median.toFixed(2)} ms (p90 ${p.p90.toFixed(2)}), bwrap median ${b.median.toFixed(2)} ms (p90 ${b.p90.toFixed(2)}): +${(b.median - p.median).toFixed(2)} ms a launch; bwrap with the process limit (a control group) median ${c.median.toFixed(2)} ms: +${(c.median - p.median).toFixed(2)} ms`,
  );
}
rmSync(workdir, { recursive: true, force: true });
