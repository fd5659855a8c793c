import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunEvent } from '../../src/events/event-schema.js';
import { endingText, jobEnding } from '../../src/cli/report/job-ending.js';
import type { TrainingJobRow } from '../../src/state/training-store.js';

const job = (fields: Partial<TrainingJobRow>): TrainingJobRow => ({
  run_id: 'r',
  job_id: 'j1',
  name: 'sft',
  command: 'python3 train.py',
  cwd: '.',
  log_file: 'train.log',
  last_progress_at: null,
  log_cursor: 0,
  started_at: '2025-01-01T10:00:00Z',
  ended_at: '2025-01-01T10:05:00Z',
  state: 'exited',
  classification: 'failed',
  outcome_json: null,
  exit_code: 1,
  signal: null,
  last_step: null,
  total_steps: null,
  gpu_hourly_usd: 0,
  ...fields,
});

describe('how a training job ended, in words', () => {
  it("gives the classification, never the process state: with the exception's type and message, else the summary in brackets", () => {
    const ending = (
      classification: string | null,
      summary: string | null,
      exception: { type: string; message: string } | null = null,
    ) => endingText({ endedAt: '2025-01-01T10:05:00Z', classification, summary, exception });
    assert.equal(
      ending('python_exception', 'TypeError: bad (train.py:3)', { type: 'TypeError', message: 'bad' }),
      'python_exception: TypeError: bad',
    );
    assert.equal(
      ending('cuda_oom', 'GPU out of memory: torch.OutOfMemoryError: CUDA out of memory', {
        type: 'torch.OutOfMemoryError',
        message: 'CUDA out of memory',
      }),
      'cuda_oom: torch.OutOfMemoryError: CUDA out of memory',
    );
    assert.equal(
      ending('killed', 'killed by SIGKILL from outside mux-swarm'),
      'killed (killed by SIGKILL from outside mux-swarm)',
    );
    assert.equal(ending('success', 'finished: exit code 0 after its done line'), 'success');
    assert.equal(ending('stalled', null), 'stalled');
    assert.equal(ending(null, null), 'not classified');
    assert.equal(endingText({ endedAt: null, classification: null, summary: null, exception: null }), 'running');
  });

  it('reads the training-end event first, else what the training server stored with the job', () => {
    const stored = job({
      classification: 'timed_out',
      outcome_json: JSON.stringify({ summary: 'reached its time limit and was stopped' }),
    });
    assert.equal(endingText(jobEnding(stored, [])), 'timed_out (reached its time limit and was stopped)');
    const event = {
      type: 'training-end',
      run_id: 'r',
      session_id: 'r',
      seq: 1,
      timestamp: '2025-01-01T10:05:01Z',
      agent: 'mux-swarm',
      job_id: 'j1',
      classification: 'python_exception',
      summary: 'ValueError: no (train.py:9)',
      exit_code: 1,
      signal: null,
      runtime_ms: 1,
      last_step: null,
      exception: { type: 'ValueError', message: 'no' },
      gpu_cost_usd: 0,
      log_file: 'train.log',
    } as RunEvent;
    const ending = jobEnding(stored, [event]);
    assert.equal(endingText(ending), 'python_exception: ValueError: no');
    assert.equal(ending.endedAt, '2025-01-01T10:05:00Z', "the job's own end time");
  });
});
