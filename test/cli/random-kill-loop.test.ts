import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FailPoint } from '../../src/supervisor/fail-points.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { completedModelCalls, observeScenario, type ScenarioObservation } from '../support/kill-loop-observation.js';
import { LOGGED_COMMANDS, replyByTurn, writeKillLoopProject } from '../support/kill-loop-scenario.js';
import { createProjectFixture, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';
import { chooseSeed, createSeededRandom, type SeededRandom } from '../support/seeded-random.js';

/**
 * Kills `mux-swarm run` at random fail points, resumes it, and kills it again until a session finishes; then
 * checks that the run ended exactly like an uninterrupted one. Replay a failure with MUX_SWARM_KILL_SEED=<seed>
 * (printed in every failure and as a diagnostic); run longer with MUX_SWARM_KILLS=<n> (default 50).
 */
const SEED = chooseSeed('MUX_SWARM_KILL_SEED', 20_260_101);
const KILLS = Number(process.env.MUX_SWARM_KILLS ?? 50);
if (!Number.isInteger(KILLS) || KILLS < 1)
  throw new Error(`MUX_SWARM_KILLS=${process.env.MUX_SWARM_KILLS} is not a positive whole number`);
/** The points the loop kills at (the scenario's provider does not stream, and it starts no background job, so `model-stream` and `job-spawned` are tested in resume.test.ts). */
type LoopPoint = Exclude<FailPoint, 'model-stream' | 'job-spawned'>;
const FAIL_POINTS: readonly LoopPoint[] = ['model-intent', 'model-reply', 'tool-intent', 'tool-ran', 'turn-recorded'];
/** More sessions than this for one scenario means the loop stopped making progress. */
const MAX_SESSIONS = 60;

/** How often an uninterrupted run reaches each fail point. */
type PointCounts = Record<LoopPoint, number>;

interface ScenarioRun {
  observation: ScenarioObservation;
  /** The chat requests this scenario sent to the fake server. */
  requests: number;
  kills: Array<{ point: FailPoint; occurrence: number }>;
  /** "model-reply:3 → killed, …, tool-ran:9 → exit 0": what happened, to replay by hand. */
  history: string[];
  project: ProjectFixture;
}

describe('a seeded random kill loop through the built CLI', { concurrency: 1 }, () => {
  let server: FakeOpenAIServer;
  /** Projects of runs that passed (a failing one is kept, and named in the message). */
  const passed: ProjectFixture[] = [];

  before(async () => {
    server = await startFakeOpenAIServer({ fallback: replyByTurn });
  });
  after(async () => {
    for (const project of passed) project.remove();
    await server.close();
  });

  /** Runs one scenario in a fresh project, killed where `choose` says (never without it), until a session finishes. */
  async function runScenario(
    label: string,
    choose: ((workdir: string) => { point: FailPoint; occurrence: number }) | undefined,
  ): Promise<ScenarioRun> {
    const project = createProjectFixture('mux-swarm-kill-loop-');
    writeKillLoopProject(project, server.baseURL);
    const workdir = join(project.directory, 'work');
    const requestsBefore = server.chatRequests().length;
    const kills: ScenarioRun['kills'] = [];
    const history: string[] = [];
    for (let session = 1; ; session += 1) {
      assert.ok(
        session <= MAX_SESSIONS,
        `${label}: still not finished after ${MAX_SESSIONS} sessions [seed ${SEED}; ${history.join(', ')}; project ${project.directory}]`,
      );
      const failAt = choose?.(workdir);
      const env: Record<string, string> = failAt ? { MUX_SWARM_FAIL_AT: `${failAt.point}:${failAt.occurrence}` } : {};
      const outcome = await runCli(['run', 'goal.md', '--output-format', 'json'], { cwd: project.directory, env });
      const step = failAt ? `${failAt.point}:${failAt.occurrence}` : 'no kill';
      if (outcome.signal === 'SIGKILL' && failAt) {
        kills.push(failAt);
        history.push(`${step} → killed`);
        continue;
      }
      history.push(`${step} → exit ${outcome.code ?? outcome.signal}`);
      assert.equal(
        outcome.code,
        0,
        `${label}: session ${session} did not finish [seed ${SEED}; ${history.join(', ')}; project ${project.directory}]\nstderr: ${outcome.stderr}`,
      );
      const observation = observeScenario(workdir, outcome.stdout);
      return { observation, requests: server.chatRequests().length - requestsBefore, kills, history, project };
    }
  }

  it(
    `resumes runs killed ${KILLS}+ times at random fail points to the same end as an uninterrupted run`,
    { timeout: 600_000 },
    async (t) => {
      t.diagnostic(`seed ${SEED} (replay with MUX_SWARM_KILL_SEED=${SEED})`);
      const baseline = await runScenario('uninterrupted run', undefined);
      const counts = pointCounts(baseline.observation);
      assert.deepEqual(
        server.unmatched.map((request) => request.reason),
        [],
        `the uninterrupted run asked only for scripted replies [seed ${SEED}]`,
      );
      assert.deepEqual(
        baseline.observation.logLines.slice().sort(),
        LOGGED_COMMANDS.map((entry) => entry.line).sort(),
        `the uninterrupted run ran every command once [seed ${SEED}]`,
      );
      passed.push(baseline.project);

      const random = createSeededRandom(SEED);
      let killed = 0;
      for (let scenario = 1; killed < KILLS; scenario += 1) {
        const label = `scenario ${scenario}`;
        const run = await runScenario(label, (workdir) =>
          chooseFailAt(random, counts, completedModelCalls(workdir) / counts['model-intent']),
        );
        killed += run.kills.length;
        t.diagnostic(`${label}: ${run.history.join(', ')}`);
        const context = `${label} [seed ${SEED}; ${run.history.join(', ')}; project ${run.project.directory}]`;
        // A request past the script means an agent was asked for a turn an uninterrupted run never takes.
        assert.deepEqual(
          server.unmatched.map((request) => request.reason),
          [],
          `every request had a scripted reply: ${context}`,
        );
        const leftovers = assertEndsLikeBaseline(run, baseline, context);
        if (leftovers.length > 0)
          t.diagnostic(`${label}: temporary files of cut-off writes left behind: ${leftovers.join(', ')}`);
        passed.push(run.project);
      }
      t.diagnostic(`${killed} kills`);
    },
  );
});

/**
 * A random point, and an occurrence within what is probably left of the run (judged by the share of model calls
 * already made), plus one: sometimes beyond the run's end, so that a session finishes.
 */
function chooseFailAt(
  random: SeededRandom,
  counts: PointCounts,
  done: number,
): { point: LoopPoint; occurrence: number } {
  const point = random.pick(FAIL_POINTS);
  const left = Math.ceil(counts[point] * Math.max(0, 1 - done));
  return { point, occurrence: random.integer(1, left + 1) };
}

function pointCounts(observation: ScenarioObservation): PointCounts {
  const modelCalls = observation.modelCalls.length;
  const toolCalls = observation.toolCalls.length;
  const turns = new Set(observation.toolCalls.map((call) => call.id.slice(0, call.id.lastIndexOf('.')))).size;
  return {
    'model-intent': modelCalls,
    'model-reply': modelCalls,
    'tool-intent': toolCalls,
    'tool-ran': toolCalls,
    'turn-recorded': turns,
  };
}

/** The file a temporary file of an atomic write (".<name>.<12 hex>.tmp" in the same directory) was meant to become. */
function atomicWriteTarget(name: string): string | undefined {
  const match = /^(.*\/)?\.(.+)\.[0-9a-f]{12}\.tmp$/.exec(name);
  return match ? `${match[1] ?? ''}${match[2]}` : undefined;
}

/** Asserts that a killed-and-resumed scenario ended like the uninterrupted one; returns the atomic-write leftovers it tolerated. */
function assertEndsLikeBaseline(run: ScenarioRun, baseline: ScenarioRun, context: string): string[] {
  const observed = run.observation;
  const expected = baseline.observation;
  const killsAt = (...points: FailPoint[]): number => run.kills.filter((kill) => points.includes(kill.point)).length;

  // A write_file cut off by a kill can leave its temporary file (".<name>.<hex>.tmp" beside the target) behind.
  const leftovers = Object.keys(observed.files).filter((name) => !(name in expected.files));
  for (const name of leftovers) {
    const target = atomicWriteTarget(name);
    assert.ok(
      target !== undefined && target in expected.files,
      `${name} is not a file an uninterrupted run leaves: ${context}`,
    );
    assert.ok(
      expected.files[target]!.startsWith(observed.files[name]!),
      `${name} holds part of ${target}'s content: ${context}`,
    );
  }
  const kept = Object.fromEntries(Object.entries(observed.files).filter(([name]) => !leftovers.includes(name)));
  assert.deepEqual(kept, expected.files, `the files are those of an uninterrupted run: ${context}`);
  assert.deepEqual(
    observed.result,
    expected.result,
    `the result and its artifacts are those of an uninterrupted run: ${context}`,
  );
  assert.deepEqual(observed.runs, [{ status: 'succeeded', subtype: 'success' }], `one run, succeeded: ${context}`);
  assert.deepEqual(
    observed.sessions,
    { total: run.kills.length + 1, ended: run.kills.length + 1 },
    `one session per start, all ended: ${context}`,
  );
  assert.deepEqual(observed.integrity, [{ integrity_check: 'ok' }], `integrity_check: ${context}`);
  assert.deepEqual(observed.foreignKeyProblems, [], `foreign_key_check: ${context}`);
  assert.deepEqual(observed.delegations, expected.delegations, `the same delegations, each finished: ${context}`);
  // A resumed orchestrator is told of the restart by a message of its own; apart from those, the same shapes.
  const withoutRestarts = Object.fromEntries(
    Object.entries(observed.transcripts).map(([delegation, roles]) => [
      delegation,
      roles
        .split(',')
        .filter((role) => role !== 'restart')
        .join(','),
    ]),
  );
  assert.deepEqual(
    withoutRestarts,
    expected.transcripts,
    `every transcript has the shape of an uninterrupted run's (nothing doubled or lost): ${context}`,
  );
  const restarts = Object.entries(observed.transcripts).map(
    ([delegation, roles]) => [delegation, roles.split(',').filter((role) => role === 'restart').length] as const,
  );
  assert.deepEqual(
    restarts.filter(([delegation, count]) => delegation !== 'd1' && count > 0),
    [],
    `only the orchestrator gets restart messages: ${context}`,
  );
  assert.ok(
    (observed.transcripts.d1 ?? '').split(',').filter((role) => role === 'restart').length <= run.kills.length,
    `at most one restart message per restart: ${context}`,
  );
  assert.deepEqual(
    observed.eventSeqs,
    observed.eventSeqs.map((_, index) => index),
    `one event stream, numbered on across restarts: ${context}`,
  );

  // Tool calls: the same calls as an uninterrupted run, each with an outcome; only the shell's (neither read-only
  // nor idempotent) may be reported interrupted, and only by a kill between a tool call's intent and its outcome.
  assert.deepEqual(
    observed.toolCalls.map((call) => call.id),
    expected.toolCalls.map((call) => call.id),
    `the same tool calls: ${context}`,
  );
  assert.deepEqual(
    observed.toolCalls.filter((call) => !call.completed),
    [],
    `every tool call has an outcome: ${context}`,
  );
  const interrupted = observed.toolCalls.filter((call) => call.interrupted);
  assert.deepEqual(
    interrupted.filter((call) => call.name !== 'shell__run_command'),
    [],
    `runtime tools and idempotent fs tools are run again, not reported interrupted: ${context}`,
  );
  assert.ok(
    interrupted.length <= 2 * killsAt('tool-intent', 'tool-ran'),
    `${interrupted.length} calls reported interrupted after ${killsAt('tool-intent', 'tool-ran')} kills between a tool call's intent and outcome (at most 2 shell calls run at once): ${context}`,
  );

  // The log: no line twice; a command with a recorded outcome ran exactly once; one cut off may have run or not.
  const occurrences = new Map<string, number>();
  for (const line of observed.logLines) occurrences.set(line, (occurrences.get(line) ?? 0) + 1);
  assert.deepEqual(
    [...occurrences].filter(([, count]) => count > 1),
    [],
    `no command ran twice: ${context}`,
  );
  const shellCalls = observed.toolCalls.filter((call) => call.name === 'shell__run_command');
  for (const call of shellCalls) {
    const line = LOGGED_COMMANDS.find((entry) => entry.command === call.command)?.line;
    assert.ok(line !== undefined, `tool call ${call.id} ran a command of the script (${call.command}): ${context}`);
    const count = occurrences.get(line) ?? 0;
    if (call.interrupted)
      assert.ok(count <= 1, `interrupted call ${call.id} left "${line}" ${count} times: ${context}`);
    else assert.equal(count, 1, `call ${call.id} has a recorded outcome, so "${line}" is in the log once: ${context}`);
  }
  const journaledLines = new Set(
    shellCalls.map((call) => LOGGED_COMMANDS.find((entry) => entry.command === call.command)?.line),
  );
  assert.deepEqual(
    observed.logLines.filter((line) => !journaledLines.has(line)),
    [],
    `every logged line comes from a journaled call: ${context}`,
  );

  // Model calls: one completed call per (delegation, turn); the others are exactly the ones a kill cut off, and only a
  // kill after the reply came (model-reply) made the server answer a request twice.
  const completed = observed.modelCalls.filter((call) => call.status === 'completed');
  const keys = completed.map((call) => `${call.delegationId}#${call.turn}`);
  assert.deepEqual(
    keys.filter((key, index) => keys.indexOf(key) !== index),
    [],
    `no (delegation, turn) has two completed model calls: ${context}`,
  );
  assert.deepEqual(
    keys.slice().sort(),
    expected.modelCalls.map((call) => `${call.delegationId}#${call.turn}`).sort(),
    `the model calls of an uninterrupted run: ${context}`,
  );
  const cutOff = observed.modelCalls.filter((call) => call.status !== 'completed');
  assert.equal(
    cutOff.length,
    killsAt('model-intent', 'model-reply'),
    `one cut-off model call per kill at model-intent or model-reply: ${context}`,
  );
  assert.ok(
    cutOff.every((call) => call.status === 'failed' && /^interrupted/.test(call.error ?? '')),
    `cut-off model calls are closed as interrupted: ${context}`,
  );
  assert.equal(
    run.requests,
    completed.length + killsAt('model-reply'),
    `the server was asked once per completed call, plus once per reply lost to a kill: ${context}`,
  );
  return leftovers;
}
