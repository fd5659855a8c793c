import { execFile } from 'node:child_process';
import { firstLine } from './tool-output-values.js';

export type GpuToolResult = { ok: true; stdout: string } | { ok: false; error: string };

/**
 * Runs a GPU tool, looked up on `env.PATH`. A failure comes back as a one-line reason: "not installed", a
 * timeout, or the first line the tool printed (stderr first, then stdout: nvidia-smi prints its driver errors
 * on stdout) with the exit code. Never rejects.
 */
export function runGpuTool(command: string, args: string[], timeoutMs: number, env: NodeJS.ProcessEnv): Promise<GpuToolResult> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: timeoutMs, env, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve({ ok: true, stdout });
      const { code } = error;
      if (code === 'ENOENT') return resolve({ ok: false, error: 'not installed' });
      if (error.killed) return resolve({ ok: false, error: `no answer within ${timeoutMs} ms` });
      const said = firstLine(stderr) ?? firstLine(stdout);
      const exit = typeof code === 'number' ? `exit ${code}` : (code ?? error.message);
      resolve({ ok: false, error: said ? `${said} (${exit})` : String(exit) });
    });
  });
}
