import { captureChild } from './spawn-child.js';
import { buildChildEnvironment } from './child-environment.js';
import type { GpuToolResult } from '../hardware/gpu-tool-result.js';
import { firstLine } from '../hardware/tool-output-values.js';

/**
 * Runs a GPU tool, looked up on `env.PATH`. A failure comes back as a one-line reason: "not installed", a
 * timeout, or the first line the tool printed (stderr first, then stdout: nvidia-smi prints its driver errors
 * on stdout) with the exit code. Never rejects.
 */
export async function runGpuTool(
  command: string,
  args: string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv,
): Promise<GpuToolResult> {
  // The tool is looked up on the given PATH; it gets the minimal environment, none of our keys.
  const outcome = await captureChild(
    { file: command, args, env: buildChildEnvironment({ source: env }) },
    { timeoutMs },
  );
  if (outcome.spawnError !== undefined)
    return { ok: false, error: outcome.spawnError.code === 'ENOENT' ? 'not installed' : outcome.spawnError.message };
  if (outcome.timedOut) return { ok: false, error: `no answer within ${timeoutMs} ms` };
  if (outcome.code === 0) return { ok: true, stdout: outcome.stdout };
  const said = firstLine(outcome.stderr) ?? firstLine(outcome.stdout);
  const exit = outcome.code === null ? `signal ${outcome.signal}` : `exit ${outcome.code}`;
  return { ok: false, error: said ? `${said} (${exit})` : exit };
}
