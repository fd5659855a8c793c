/** Helpers for tests that drive a server's job tools through a real MCP client. */
import assert from 'node:assert/strict';
import type { McpTestClient, TestToolOutcome } from '../../support/mcp-test-client.js';
import { waitUntilGroupGone } from '../../fixtures/process-helpers.js';

export interface JobStatusView {
  job_id: string;
  name?: string;
  command: string;
  state: 'running' | 'exited' | 'killed' | 'timed_out';
  running: boolean;
  pid: number;
  exit_code: number | null;
  signal: string | null;
  exit_status_unknown?: boolean;
  reattached: boolean;
  stdin_open: boolean;
  background_processes_stopped: boolean;
  output_bytes: number;
  output_log: string;
  tail?: string;
  [extra: string]: unknown;
}

export interface JobWaitView {
  job_id: string;
  state: string;
  running: boolean;
  exit_code: number | null;
  signal: string | null;
  returned_on: 'output' | 'ended' | 'timeout' | 'cancelled';
  cursor: number;
  next_cursor: number;
  output: string;
  output_truncated: boolean;
  cut_bytes: number;
  output_log: string;
  output_bytes: number;
  [extra: string]: unknown;
}

/** Process groups of every job a test file started, to check at the end that none is left. */
export const startedGroups = new Set<number>();

export async function startJob(client: McpTestClient, args: Record<string, unknown>): Promise<JobStatusView> {
  const outcome = await client.call('start_job', args);
  assert.equal(outcome.isError, false, `start_job failed: ${outcome.text}`);
  const status = outcome.structured as unknown as JobStatusView;
  startedGroups.add(status.pid);
  return status;
}

export async function waitJob(
  client: McpTestClient,
  args: Record<string, unknown>,
): Promise<{ outcome: TestToolOutcome; result: JobWaitView }> {
  const outcome = await client.call('wait_job', args);
  assert.equal(outcome.isError, false, `wait_job failed: ${outcome.text}`);
  return { outcome, result: outcome.structured as unknown as JobWaitView };
}

export async function jobStatus(
  client: McpTestClient,
  jobId: string,
): Promise<{ outcome: TestToolOutcome; status: JobStatusView }> {
  const outcome = await client.call('job_status', { job_id: jobId });
  assert.equal(outcome.isError, false, `job_status failed: ${outcome.text}`);
  return { outcome, status: outcome.structured as unknown as JobStatusView };
}

/** Follows a job with wait_job from `cursor` until it ends; returns all the output read and the last result. */
export async function followToEnd(
  client: McpTestClient,
  jobId: string,
  cursor = 0,
): Promise<{ output: string; last: JobWaitView }> {
  let output = '';
  for (let calls = 0; calls < 200; calls += 1) {
    const { result } = await waitJob(client, { job_id: jobId, cursor, timeout_ms: 20_000 });
    output += result.output;
    cursor = result.next_cursor;
    if (!result.running) return { output, last: result };
  }
  throw new Error(`job ${jobId} did not end`);
}

/** Checks that no process of any job started in this file is still alive. */
export async function assertNoJobProcessLeft(): Promise<void> {
  for (const processGroupId of startedGroups) {
    assert.deepEqual(await waitUntilGroupGone(processGroupId, 5_000), [], `process group ${processGroupId} is gone`);
  }
}
