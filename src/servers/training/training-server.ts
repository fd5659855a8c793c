import { runGpuTool } from '../../supervisor/run-gpu-tool.js';
import type { SandboxRequest } from '../../supervisor/sandbox/sandbox-request.js';
import { join } from 'node:path';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { TrainingOptions } from '../../config/config-schema.js';
import type { RunEventInput } from '../../events/event-schema.js';
import { discoverGpus, type GpuDiscovery } from '../../hardware/gpu-discovery.js';
import { openDatabase } from '../../state/database.js';
import { TrainingStore } from '../../state/training-store.js';
import type { SecretScrubber } from '../../logging/secret-scrubber.js';
import { buildChildEnvironment } from '../../supervisor/child-environment.js';
import { onServerShutdown } from '../server-shutdown.js';
import { registerGpuTools } from './gpu-tools.js';
import { TrainingJobs } from './training-jobs.js';
import { registerTrainingTools } from './training-tools.js';

export interface TrainingServerOptions extends TrainingOptions {
  /** Trainers run here by default; cwd may not leave it. */
  workdir: string;
  /** The sandbox trainers run in (docs/sandbox.md); undefined: unconfined. */
  confinement?: SandboxRequest;
  /** The run's directory: logs go to its `training/` folder. */
  runDirectory: string;
  /** The state database (training_jobs, training_metrics) is in this directory. */
  stateDirectory: string;
  /** The run the jobs belong to; '' outside a run (`mcp serve training`). */
  runId: string;
  /** The run's event bus: training-start, training-progress and training-end go there. */
  emit?: (event: RunEventInput) => void;
  /** Where passEnv values are read from; default process.env. */
  environment?: NodeJS.ProcessEnv;
  /** GPU discovery, replaceable in tests. */
  discoverGpus?: () => Promise<GpuDiscovery>;
  /** The process's secrets, kept out of what is stored of a job (command, progress lines, outcome). */
  scrubber?: SecretScrubber;
  /** See TrainingJobsOptions.stoppingToResume. */
  stoppingToResume?: () => boolean;
}

/**
 * The built-in training MCP server ("training"): `gpu` and `estimate_memory` for hardware facts, and `start`,
 * `status`, `list`, `wait`, `stop` for detached training jobs whose progress lines are stored, reported as events
 * and watched for stalls, and whose end is classified. Closing the server stops running jobs with their grace
 * (or leaves them running, onExit "leave-running"); the closer waits for that (shutdownServer).
 */
export function createTrainingServer(options: TrainingServerOptions): McpServer {
  const server = new McpServer({ name: 'training', version: '0.1.0' });
  const database = openDatabase(options.stateDirectory);
  const environment = buildChildEnvironment({
    passEnv: options.passEnv,
    set: { PYTHONUNBUFFERED: '1', ...options.env },
    ...(options.environment ? { source: options.environment } : {}),
  });
  const jobs = new TrainingJobs({
    ...options,
    jobDirectory: join(options.runDirectory, 'training'),
    store: new TrainingStore(database, options.scrubber),
    environment,
  });
  registerGpuTools(server, {
    discover:
      options.discoverGpus ?? (() => discoverGpus(5_000, { env: options.environment ?? process.env, run: runGpuTool })),
  });
  registerTrainingTools(server, jobs);
  onServerShutdown(server, async () => {
    try {
      await jobs.close();
    } finally {
      database.close();
    }
  });
  return server;
}
