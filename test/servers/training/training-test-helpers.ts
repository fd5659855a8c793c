/** Helpers for tests that drive the training server through a real MCP client against the stand-in trainer. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunEvent, RunEventInput } from '../../../src/events/event-schema.js';
import { openDatabase } from '../../../src/state/database.js';
import { TrainingStore } from '../../../src/state/training-store.js';
import { createTrainingServer, type TrainingServerOptions } from '../../../src/servers/training/training-server.js';
import { trainingOptionsSchema } from '../../../src/config/config-schema.js';
import { connectTestClient, type McpTestClient } from '../../support/mcp-test-client.js';

export const FAKE_TRAINER = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../fixtures/trainer/fake_trainer.py',
);

/** A shell command line running the stand-in trainer with these arguments. */
export function trainerCommand(...args: string[]): string {
  return ['python3', FAKE_TRAINER, ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
}

export interface TrainingStatusView {
  job_id: string;
  name?: string;
  state: string;
  running: boolean;
  pid: number;
  reattached: boolean;
  step: number | null;
  total_steps: number | null;
  metrics: Record<string, number>;
  last_checkpoint?: string;
  classification?: string;
  summary?: string;
  exception?: { type: string; message: string; frame?: string };
  exit_code: number | null;
  signal: string | null;
  gpu_cost_usd: number;
  log_file: string;
}

export interface TrainingWaitView extends TrainingStatusView {
  returned_on: 'progress' | 'ended' | 'timeout' | 'cancelled';
  cursor: number;
  next_cursor: number;
  progress: Array<Record<string, unknown>>;
  progress_truncated: boolean;
  log: string;
}

/** Directories of one test: a workdir, a run directory and a state directory, removed at the end. */
export class TrainingSandbox {
  readonly root = mkdtempSync(path.join(tmpdir(), 'mux-training-'));
  readonly workdir = path.join(this.root, 'work');
  readonly runDirectory = path.join(this.root, 'state', 'runs', 'r1');
  readonly stateDirectory = path.join(this.root, 'state');
  readonly events: RunEvent[] = [];

  constructor() {
    mkdirSync(this.workdir, { recursive: true });
  }

  /** A training server on these directories, run id "r1", its events collected in `events`. */
  async connect(options: Partial<TrainingServerOptions> = {}): Promise<McpTestClient> {
    const server = createTrainingServer({
      ...trainingOptionsSchema.parse({ maxJobs: 8, progressEventIntervalMs: 0, stopGraceMs: 5_000 }),
      workdir: this.workdir,
      runDirectory: this.runDirectory,
      stateDirectory: this.stateDirectory,
      runId: 'r1',
      emit: (input: RunEventInput) =>
        this.events.push({
          ...input,
          seq: this.events.length,
          run_id: 'r1',
          session_id: 'r1',
          timestamp: new Date().toISOString(),
        } as RunEvent),
      discoverGpus: async () => ({ gpus: [], source: 'none', note: 'no GPU in tests' }),
      ...options,
    });
    return connectTestClient(server, 'training-test');
  }

  /** The state database's training records, read with a fresh connection. */
  withStore<T>(read: (store: TrainingStore) => T): T {
    const database = openDatabase(this.stateDirectory);
    try {
      return read(new TrainingStore(database));
    } finally {
      database.close();
    }
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Calls wait until the job has ended; returns every progress line seen and the last result. */
export async function waitUntilEnded(
  client: McpTestClient,
  jobId: string,
  limitMs = 30_000,
): Promise<{ last: TrainingWaitView; progress: Array<Record<string, unknown>> }> {
  const deadline = Date.now() + limitMs;
  const progress: Array<Record<string, unknown>> = [];
  let cursor = 0;
  for (;;) {
    const outcome = await client.call('wait', { job_id: jobId, cursor, timeout_ms: 5_000 });
    if (outcome.isError) throw new Error(`wait failed: ${outcome.text}`);
    const result = outcome.structured as unknown as TrainingWaitView;
    progress.push(...result.progress);
    cursor = result.next_cursor;
    if (!result.running && result.classification !== undefined) return { last: result, progress };
    if (Date.now() > deadline) throw new Error(`job ${jobId} still running after ${limitMs} ms: ${outcome.text}`);
  }
}

export async function startTraining(client: McpTestClient, args: Record<string, unknown>): Promise<TrainingStatusView> {
  const outcome = await client.call('start', args);
  if (outcome.isError) throw new Error(`start failed: ${outcome.text}`);
  return outcome.structured as unknown as TrainingStatusView;
}
