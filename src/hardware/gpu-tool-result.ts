/** What a GPU tool (nvidia-smi, amd-smi, rocm-smi) said: its stdout, or a one-line reason it failed. */
export type GpuToolResult = { ok: true; stdout: string } | { ok: false; error: string };

/** Runs a GPU tool (supervisor/run-gpu-tool.ts does, as every child process is started: through the supervisor). */
export type GpuToolRunner = (
  command: string,
  args: string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv,
) => Promise<GpuToolResult>;
