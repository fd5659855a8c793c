import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { runEventSchema, type ResultEvent, type RunEvent } from '../../src/events/event-schema.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { latestToolResults, messageText } from '../support/fake-openai-routing.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { REPOSITORY_ROOT, runCli } from '../support/run-cli.js';

/** The shipped example goal, as `mux-swarm init` writes it: three phases, each with "Done when" checks. */
const EXAMPLE_GOAL = readFileSync(join(REPOSITORY_ROOT, 'goals', 'example.md'), 'utf8');

const shell = (command: string) => ({ toolCalls: [{ name: 'shell__run_command', arguments: { command } }] });
const claim = (summary: string) => ({ toolCalls: [{ name: 'complete', arguments: { status: 'success', summary } }] });

const WRITE_PROGRAM = `cat > fizzbuzz.py <<'PY'
for n in range(1, 31):
    print("FizzBuzz" if n % 15 == 0 else "Fizz" if n % 3 == 0 else "Buzz" if n % 5 == 0 else n)
PY`;

function events(stdout: string): RunEvent[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => runEventSchema.parse(JSON.parse(line)));
}

function resultOf(stdout: string): ResultEvent {
  const result = events(stdout).at(-1)!;
  assert.equal(result.type, 'result');
  return result as ResultEvent;
}

describe('a verdict you can trust: success only when the goal holds (built CLI, the example goal)', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;

  before(async () => {
    server = await startFakeOpenAIServer();
  });
  after(async () => {
    await server.close();
  });
  beforeEach(() => {
    server.reset();
    project?.remove();
    project = createProjectFixture('mux-swarm-verdict-');
    // The example goal has a USD budget, which needs a known price: the fake endpoint stands for a free local one.
    project.write(
      'config.json',
      fakeConfig(server.baseURL, {
        filesystem: { workdir: 'work' },
        providers: { fake: { baseURL: server.baseURL, maxRetries: 1, timeoutMs: 20_000, free: true } },
      }),
    );
    project.write('swarm.json', { orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'] }), agents: [] });
    project.write('goals/example.md', EXAMPLE_GOAL);
  });
  after(() => project?.remove());

  it('refuses an early claim of success with the phase, the condition and the evidence; the orchestrator finishes the work and succeeds', async () => {
    server.route(
      { model: 'orchestrator-model' },
      // Everything but the output is right: 29 lines instead of 30.
      shell(
        `${WRITE_PROGRAM}\npython3 fizzbuzz.py | head -n 29 > fizzbuzz.txt && printf '# Report\\nran python3 fizzbuzz.py\\n' > REPORT.md`,
      ),
      claim('all three phases are done'),
      shell('python3 fizzbuzz.py > fizzbuzz.txt'),
      claim('fizzbuzz.txt fixed: all three phases are done'),
    );
    const run = await runCli(['run', 'goals/example.md', '--output-format', 'stream-json'], { cwd: project.directory });
    assert.equal(run.code, 0, run.stderr);

    const requests = server.chatRequests();
    assert.equal(requests.length, 4);
    const [refusal] = latestToolResults(requests[2]!.body.messages).map(messageText);
    assert.match(
      refusal!,
      /^not completed: the goal does not hold yet: phase 2 \(Run it and keep its output\), goals\/example\.md line 25: `fizzbuzz\.txt` has exactly 30 lines — 29 lines, needs exactly 30\n/,
    );
    assert.match(
      refusal!,
      /`python3 fizzbuzz\.py \| cmp -s - fizzbuzz\.txt` exits 0 within 1m — /,
      'every unmet condition is listed',
    );

    const result = resultOf(run.stdout);
    assert.equal(result.subtype, 'success');
    assert.equal(result.result, 'fizzbuzz.txt fixed: all three phases are done');
    assert.deepEqual(result.phases, { done: 3, total: 3, unchecked: 0, first_unmet: null });

    const runs = await runCli(['runs', '--json'], { cwd: project.directory });
    const [listed] = JSON.parse(runs.stdout) as Array<{ phases: unknown; subtype: string }>;
    assert.deepEqual(listed!.phases, result.phases);
  });

  it('a model that never does the work ends error_goal_unmet, exit 1, naming the condition; runs, show and the report say where the goal stands', async () => {
    // It insists: the same claim, again and again. The detector tells it after the third refusal and ends it at the fourth.
    server.route({ model: 'orchestrator-model' }, ...Array.from({ length: 15 }, () => claim('done')));
    const run = await runCli(['run', 'goals/example.md', '--output-format', 'stream-json'], { cwd: project.directory });
    assert.equal(run.code, 1, run.stderr);
    assert.equal(server.chatRequests().length, 4, 'not 15: caught after a warning');

    const all = events(run.stdout);
    const stuck = all.filter((event) => event.type === 'stuck');
    assert.deepEqual(
      stuck.map((event) => event.type === 'stuck' && [event.agent, event.pattern, event.action]),
      [
        ['orchestrator', 'repeated_refusal', 'warned'],
        ['orchestrator', 'repeated_refusal', 'ended'],
      ],
    );
    const result = resultOf(run.stdout);
    assert.equal(result.subtype, 'error_goal_unmet');
    assert.equal(result.exit_code, 1);
    assert.equal(result.is_error, true);
    assert.match(
      result.result,
      /^The goal does not hold \(0 of 3 phases done; first unmet: phase 1, line 18: `fizzbuzz\.py` is non-empty — does not exist\)\. orchestrator claimed success, the goal's checks refused it, and it ended stuck: orchestrator called complete 4 times in a row/,
    );
    assert.deepEqual(result.phases, {
      done: 0,
      total: 3,
      unchecked: 0,
      first_unmet: {
        phase: 1,
        title: 'Write the program',
        line: 18,
        text: '`fizzbuzz.py` is non-empty',
        detail: 'does not exist',
      },
    });

    const text = await runCli(['runs'], { cwd: project.directory });
    assert.match(text.stdout, /error_goal_unmet\s+0\/3 ✗/);
    const show = await runCli(['show', 'last'], { cwd: project.directory });
    assert.match(
      show.stdout,
      /phases at the end: 0 of 3 phases done; first unmet: phase 1, line 18: `fizzbuzz\.py` is non-empty/,
    );
    assert.match(show.stdout, /1 delegation ended stuck/);

    // After the run, someone writes the program by hand: the report checks the phases as they stand now.
    writeFileSync(join(project.directory, 'work', 'fizzbuzz.py'), 'print(1)\n');
    const report = await runCli(['report', 'last'], { cwd: project.directory });
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /outcome \*\*error_goal_unmet\*\* \(exit 1\)/);
    assert.match(report.stdout, /As checked when this report was made \([^)]+\), in the run's workdir\./);
    assert.match(report.stdout, /When the run ended: 0 of 3 phases done; first unmet: phase 1/);
    assert.match(report.stdout, /\| 1 \| Write the program \| done \| — \|/);
    assert.match(
      report.stdout,
      /\| 2 \| Run it and keep its output \| not-done \| line 25: `fizzbuzz\.txt` has exactly 30 lines \(does not exist\) \|/,
    );
    assert.match(report.stdout, /- Stuck delegations: 1/);
    const json = await runCli(['report', 'last', '--json'], { cwd: project.directory });
    const data = JSON.parse(json.stdout) as {
      phases: { source: string; phases: Array<{ state: string }>; atEnd: { done: number } };
      header: { stuckDelegations: number };
    };
    assert.equal(data.phases.source, 'now');
    assert.deepEqual(
      data.phases.phases.map((phase) => phase.state),
      ['done', 'not-done', 'not-done'],
    );
    assert.equal(data.phases.atEnd.done, 0);
    assert.equal(data.header.stuckDelegations, 1);
  });

  for (const [killedAfter, sessionTwoRequests] of [
    [3, 1],
    [4, 0],
  ] as const) {
    it(`a kill -9 after refusal ${killedAfter} neither forgets the warning nor gives it twice: the run still ends stuck at the 4th refusal`, async () => {
      server.route({ model: 'orchestrator-model' }, ...Array.from({ length: 6 }, () => claim('done')));
      const killed = await runCli(['run', 'goals/example.md'], {
        cwd: project.directory,
        env: { MUX_SWARM_FAIL_AT: `turn-recorded:${killedAfter}` },
      });
      assert.equal(killed.signal, 'SIGKILL', killed.stderr);
      assert.equal(server.chatRequests().length, killedAfter);

      const resumed = await runCli(['run', 'goals/example.md', '--output-format', 'stream-json'], {
        cwd: project.directory,
      });
      assert.equal(resumed.code, 1, resumed.stderr);
      assert.equal(
        server.chatRequests().length - killedAfter,
        sessionTwoRequests,
        'one more claim, or none: the 4th was already made',
      );
      const result = resultOf(resumed.stdout);
      assert.equal(result.subtype, 'error_goal_unmet');
      const show = await runCli(['show', 'last', '--transcript'], { cwd: project.directory });
      const warnings = show.stdout
        .split('\n')
        .filter((line) => line.startsWith('mux-swarm: you are making no progress'));
      assert.equal(warnings.length, 1, show.stdout);
    });
  }

  it('text mode shows the phases in the final line, and the first unmet condition under it', async () => {
    server.route({ model: 'orchestrator-model' }, ...Array.from({ length: 4 }, () => claim('done')));
    const run = await runCli(['run', 'goals/example.md'], { cwd: project.directory });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /■ error_goal_unmet .*· phases 0\/3 · exit 1/);
    assert.match(run.stderr, /first unmet: phase 1, line 18: `fizzbuzz\.py` is non-empty — does not exist\n/);
    assert.match(run.stderr, /orchestrator\s+⚠ no progress, told: called complete 3 times in a row/);
  });

  it("flat mode: the last step's success is checked against the goal", async () => {
    project.write('swarm.json', {
      mode: 'flat',
      orchestrator: fakeAgent('orchestrator'),
      agents: [fakeAgent('writer', { mcpServers: ['shell'] }), fakeAgent('reporter', { mcpServers: ['shell'] })],
    });
    server.route(
      { model: 'writer-model' },
      shell(`${WRITE_PROGRAM}\npython3 fizzbuzz.py > fizzbuzz.txt`),
      claim('wrote and ran it'),
    );
    // The reporter claims success before it writes REPORT.md: refused, then it writes it.
    server.route(
      { model: 'reporter-model' },
      claim('reported'),
      shell("printf '# Report\\n' > REPORT.md"),
      claim('reported, for real'),
    );
    const run = await runCli(['run', 'goals/example.md', '--output-format', 'json'], { cwd: project.directory });
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as ResultEvent;
    assert.equal(result.subtype, 'success');
    assert.deepEqual(result.phases?.done, 3);
    const reporterRequests = server.chatRequests().filter((request) => request.body.model === 'reporter-model');
    assert.match(
      messageText(latestToolResults(reporterRequests[1]!.body.messages)[0]!),
      /^not completed: the goal does not hold yet: phase 3 \(Report\), goals\/example\.md line 34: `REPORT\.md` is non-empty — /,
    );
    assert.equal(
      server.chatRequests().filter((request) => request.body.model === 'writer-model').length,
      2,
      'an earlier step is judged by its artifacts only',
    );
  });
});
