import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runEventSchema, type RunEvent } from '../../src/events/event-schema.js';
import { messageText } from '../support/fake-openai-routing.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';
import { trainerCommand } from '../servers/training/training-test-helpers.js';

const SEED_ERROR = "TypeError: SFTTrainer.__init__() got an unexpected keyword argument 'max_seq_length'";

describe('mux-swarm run with the training server, end to end through the built CLI', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;

  before(async () => {
    server = await startFakeOpenAIServer();
    project = createProjectFixture();
    project.write(
      'config.json',
      fakeConfig(server.baseURL, {
        filesystem: { workdir: 'work' },
        mcpServers: { training: { builtin: 'training', options: { gpuHourlyUsd: 36, progressEventIntervalMs: 0 } } },
      }),
    );
    project.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator', { canDelegateTo: ['trainer'] }),
      agents: [fakeAgent('trainer', { mcpServers: ['training'] })],
    });
    project.write(
      'goal.md',
      '---\nname: train once\n---\n# Train once\n\nStart the training and report how it went.\n',
    );
  });

  after(async () => {
    await server.close();
    project.remove();
  });

  it('wakes the agents with the classified end of a failed job, and counts its GPU time in the cost', async () => {
    const command = trainerCommand(
      '--steps',
      '10',
      '--step-seconds',
      '0.1',
      '--fail',
      'max_seq_length',
      '--fail-at',
      '3',
      '--output-dir',
      'out',
    );
    // Replies that answer a request carrying the notice are routed first; the rest follow the script in order.
    server.route(
      { model: 'trainer-model', lastUserIncludes: 'ended: python_exception' },
      {
        toolCalls: [
          { name: 'complete', arguments: { status: 'failure', summary: 'training failed on max_seq_length' } },
        ],
      },
    );
    server.route(
      { model: 'orchestrator-model', lastUserIncludes: 'ended: python_exception' },
      {
        toolCalls: [
          { name: 'complete', arguments: { status: 'failure', summary: 'the trainer needs SFTConfig(max_length=…)' } },
        ],
      },
    );
    server.route(
      { model: 'trainer-model' },
      { toolCalls: [{ name: 'training__start', arguments: { command, name: 'seed-run' } }] },
      // Answered slowly: the job fails meanwhile, so the next request must carry the notice.
      { delayMs: 2_500, toolCalls: [{ name: 'training__list', arguments: {} }] },
    );
    server.route(
      { model: 'orchestrator-model' },
      { toolCalls: [{ name: 'delegate', arguments: { agent: 'trainer', task: 'Start the training.' } }] },
    );

    const result = await runCli(['run', 'goal.md', '--output-format', 'stream-json'], {
      cwd: project.directory,
      timeoutMs: 60_000,
    });
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(server.unmatched, []);

    const events: RunEvent[] = result.stdout
      .trim()
      .split('\n')
      .map((line) => runEventSchema.parse(JSON.parse(line)));
    const init = events[0]!;
    assert.ok(init.type === 'system' && init.subtype === 'init');
    assert.ok(init.gpus !== undefined, 'the init event says what GPUs were found');
    assert.ok(init.agents.find((agent) => agent.name === 'trainer')!.tools.includes('training__start'));

    const end = events.find((event) => event.type === 'training-end');
    assert.ok(end && end.type === 'training-end');
    assert.equal(end.classification, 'python_exception');
    assert.equal(end.name, 'seed-run');
    assert.match(
      end.summary,
      new RegExp(`^${SEED_ERROR.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(fake_trainer\\.py:\\d+ in fail\\)$`),
    );
    assert.equal(end.last_step, 2);
    assert.ok(events.some((event) => event.type === 'training-progress' && event.event === 'log' && event.step === 2));

    // Both the agent that started the job and the orchestrator were told, in their next request.
    const requests = server.chatRequests();
    const told = (model: string) =>
      requests.filter(
        (request) => request.body.model === model && messageText(request.body.messages.at(-1)!).includes(SEED_ERROR),
      );
    assert.equal(told('trainer-model').length, 1);
    assert.equal(told('orchestrator-model').length, 1);

    const final = events.at(-1)!;
    assert.ok(final.type === 'result');
    // $36 an hour is a cent a second; the job ran about 0.3 s (plus Python's start-up).
    assert.ok(
      final.gpu_seconds !== undefined && final.gpu_seconds > 0.2 && final.gpu_seconds < 10,
      `gpu_seconds ${final.gpu_seconds}`,
    );
    assert.ok(Math.abs(final.gpu_cost_usd! - final.gpu_seconds * 0.01) < 1e-6);
    assert.ok(final.total_cost_usd >= final.gpu_cost_usd!);

    // The run's report has the failure as failure memory recorded it: the job's launch, classified, with its
    // exception, not launched again; and the GPU cost the result counted.
    const report = await runCli(['report', final.run_id, '--json'], { cwd: project.directory });
    assert.equal(report.code, 0, report.stderr);
    const data = JSON.parse(report.stdout) as {
      failures: {
        steps: Array<{
          step: string;
          verdict: string;
          relaunch: unknown;
          failedLaunch: {
            kind: string;
            ref: string;
            ending: { classification: string; summary: string; exception: { type: string } | null };
          };
        }>;
        unrecordedJobs: unknown[];
      };
      costs: { gpu: { jobs: number; seconds: number; costUsd: number } };
    };
    assert.equal(data.failures.steps.length, 1);
    const [failure] = data.failures.steps;
    assert.deepEqual([failure!.step, failure!.verdict, failure!.relaunch], [`job:${command}`, 'unresolved', null]);
    assert.deepEqual(
      [failure!.failedLaunch.kind, failure!.failedLaunch.ref],
      ['training-job', `training:${end.job_id}`],
    );
    assert.equal(failure!.failedLaunch.ending.classification, 'python_exception');
    assert.equal(failure!.failedLaunch.ending.summary, end.summary);
    assert.equal(failure!.failedLaunch.ending.exception?.type, 'TypeError');
    assert.deepEqual(data.failures.unrecordedJobs, [], 'the failed job is reported once');
    assert.equal(data.costs.gpu.jobs, 1);
    assert.ok(Math.abs(data.costs.gpu.costUsd - final.gpu_cost_usd!) < 1e-6);
  });
});
