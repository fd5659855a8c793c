import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EventBus } from '../../src/events/event-bus.js';
import { runEventSchema, type RunEvent } from '../../src/events/event-schema.js';
import { createHumanRenderer } from '../../src/events/human-renderer.js';
import { RunContext } from '../../src/runtime/run-context.js';
import { driveRun } from '../../src/runtime/run-driver.js';
import { KnowledgeGraphStore } from '../../src/state/knowledge-graph-store.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';
import {
  agentDefinition,
  completeTurn as complete,
  harnessPerTest,
  type RuntimeHarness,
} from '../support/runtime-harness.js';
import { ScriptedChatModel } from '../support/scripted-chat-model.js';

/** Phase 1 and 2 have checks (the unmet one of phase 2 is on line 14); phase 3 has none. */
const GOAL = [
  '# Classifier',
  '',
  'Train a small classifier.',
  '',
  '## Phase 1: Prepare the dataset',
  '',
  'Done when:',
  '- `data/train.txt` has at least 3 lines',
  '- `data/labels.json` exists',
  '',
  '## Phase 2: Tokenizer training',
  '',
  'Done when:',
  '- `out/metrics.json` field `accuracy` >= 0.8',
  '',
  '## Phase 3: Report',
  '',
  'Write REPORT.md.',
  '',
].join('\n');

/** The same goal without the unchecked phase: done once both checked phases are. */
const CHECKED_GOAL = GOAL.slice(0, GOAL.indexOf('## Phase 3'));

function writeFiles(workdir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(workdir, path)), { recursive: true });
    writeFileSync(join(workdir, path), content);
  }
}

const DATASET = { 'data/train.txt': 'a\nb\nc\n', 'data/labels.json': '{}' };

function reportOf(harness: RuntimeHarness, name = 'recovery-report.md'): string {
  return readFileSync(join(harness.runDirectory, name), 'utf8');
}

function phaseReports(events: readonly RunEvent[]) {
  return events.flatMap((event) => (event.type === 'phase-report' ? [event] : []));
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  assert.fail(`timed out waiting until ${what}`);
}

describe('phase 0: the recovery report', () => {
  const createHarness = harnessPerTest();

  it('lists done phases with the evidence of their checks and names the next unmet condition', async () => {
    const harness = await createHarness({ goal: GOAL, script: { orchestrator: [complete('success', 'worked on')] } });
    writeFiles(harness.workdir, DATASET);
    await harness.drive();

    const report = reportOf(harness);
    assert.match(report, /^# Recovery report: Classifier\n\nRun test-run, a new run\./);
    assert.ok(
      report.includes(
        '- ✓ Phase 1: Prepare the dataset — done; evidence:\n  - ✓ `data/train.txt` has at least 3 lines — 3 lines (at least 3)\n  - ✓ `data/labels.json` exists — exists (2 bytes)\n',
      ),
      report,
    );
    assert.ok(
      report.includes(
        '- ✗ Phase 2: Tokenizer training — not done\n  - ✗ `out/metrics.json` field `accuracy` >= 0.8 — does not exist\n',
      ),
      report,
    );
    assert.ok(report.includes('- – Phase 3: Report — unchecked'), report);
    assert.ok(
      report.includes(
        '## Next\nPhase 2: Tokenizer training. First unmet condition (goal.md line 14): `out/metrics.json` field `accuracy` >= 0.8 — does not exist',
      ),
      report,
    );
    assert.ok(
      report.includes('Phase 1 is done: its checks hold now. Do not redo it and do not delegate it again'),
      report,
    );
    assert.ok(!report.includes('## Journal'), 'a new run has no journal to report');
    assert.equal(reportOf(harness, 'recovery-report-1.md'), report, 'the session keeps its own copy');

    const [event, ...others] = phaseReports(harness.events);
    assert.equal(others.length, 0);
    assert.ok(event);
    runEventSchema.parse(event);
    assert.deepEqual(
      event.phases.map((phase) => [phase.number, phase.state]),
      [
        [1, 'done'],
        [2, 'not-done'],
        [3, 'unchecked'],
      ],
    );
    assert.deepEqual(event.phases[1]!.first_unmet, {
      line: 14,
      text: '`out/metrics.json` field `accuracy` >= 0.8',
      detail: 'does not exist',
    });
    assert.equal(event.phases[0]!.first_unmet, undefined);
    assert.equal(event.goal_complete, false);
    assert.equal(event.report_path, join('.mux-swarm', 'runs', 'test-run', 'recovery-report.md'));
    const types = harness.events.map((each) => each.type);
    assert.ok(
      types.indexOf('phase-report') === 1 && types.indexOf('delegation-start') === 2,
      `phase 0 comes right after init, before any work: ${types.join(', ')}`,
    );
  });

  it("starts the orchestrator's first request with the report, then the goal", async () => {
    const harness = await createHarness({ goal: GOAL, script: { orchestrator: [complete('success', 'worked on')] } });
    writeFiles(harness.workdir, DATASET);
    await harness.drive();

    const [system, task] = harness.models.get('orchestrator')!.requests[0]!.messages;
    assert.equal(system?.role, 'system');
    const text = String(task?.content);
    assert.equal(task?.role, 'user');
    assert.ok(text.startsWith(reportOf(harness).trimEnd()), text);
    assert.ok(text.endsWith(`\n\n---\n\n# Goal: Classifier\n\n${GOAL.trim()}`), 'the goal follows the report');
  });

  it('leaves the task as it was when the report has nothing to say (no checks, no journal, no memory)', async () => {
    const harness = await createHarness({ script: { orchestrator: [complete('success', 'done')] } });
    await harness.drive();
    assert.equal(
      harness.models.get('orchestrator')!.requests[0]!.messages[1]!.content,
      '# Goal: Test goal\n\n# Test goal\n\nDo the thing.',
    );
    assert.match(reportOf(harness), /has no `## Phase N: title` sections with "Done when" checks/);
    assert.equal(phaseReports(harness.events)[0]?.phases[0]?.state, 'unchecked');
  });

  it('ends a goal whose phases are all done with success, the report as its result, and no model call', async () => {
    const harness = await createHarness({ goal: CHECKED_GOAL, script: {} });
    writeFiles(harness.workdir, { ...DATASET, 'out/metrics.json': '{"accuracy": 0.91}' });
    const result = await harness.drive();

    assert.equal(result.subtype, 'success');
    assert.equal(result.exit_code, 0);
    assert.equal(result.num_turns, 0);
    assert.equal(harness.models.get('orchestrator')!.requests.length, 0, 'no model was called');
    assert.equal(result.result, reportOf(harness));
    assert.match(
      result.result,
      /- ✓ Phase 2: Tokenizer training — done; evidence:\n {2}- ✓ `out\/metrics\.json` field `accuracy` >= 0\.8 — accuracy is 0\.91 \(>= 0\.8\)/,
    );
    assert.match(result.result, /## Next\nNothing: every phase is done by its checks/);
    assert.deepEqual(
      harness.events.map((event) => event.type),
      ['system', 'phase-report', 'result'],
    );
    assert.equal(phaseReports(harness.events)[0]!.goal_complete, true);
    assert.deepEqual(harness.store.database.prepare('SELECT status, subtype FROM runs').all(), [
      { status: 'succeeded', subtype: 'success' },
    ]);
  });

  it('still works a goal whose checked phases are done but which has an unchecked phase: nothing proves it done', async () => {
    const harness = await createHarness({
      goal: GOAL,
      script: { orchestrator: [complete('success', 'wrote the report')] },
    });
    writeFiles(harness.workdir, { ...DATASET, 'out/metrics.json': '{"accuracy": 0.91}' });
    const result = await harness.drive();
    assert.equal(harness.models.get('orchestrator')!.requests.length, 1);
    assert.equal(result.result, 'wrote the report');
    assert.equal(phaseReports(harness.events)[0]!.goal_complete, false);
    assert.match(
      String(harness.models.get('orchestrator')!.requests[0]!.messages[1]!.content),
      /## Next\nEvery phase with checks is done\. Left: Phase 3: Report/,
    );
  });

  it('includes what the memory graph remembers about the goal and the phases not done, not about done phases', async () => {
    const harness = await createHarness({ goal: GOAL, script: { orchestrator: [complete('success', 'worked on')] } });
    writeFiles(harness.workdir, DATASET);
    new KnowledgeGraphStore(harness.store.database).createEntities([
      {
        name: 'tokenizer-padding',
        entityType: 'quirk',
        observations: ['Tokenizer training needs pad_token set to eos', 'fixed by setting padding_side=left'],
      },
      { name: 'classifier-baseline', entityType: 'result', observations: ['baseline accuracy 0.61'] },
      { name: 'dataset-location', entityType: 'fact', observations: ['Prepare the dataset from ./raw'] },
      { name: 'groceries', entityType: 'note', observations: ['buy milk'] },
    ]);
    await harness.drive();

    const report = reportOf(harness);
    assert.ok(
      report.includes(
        '- tokenizer-padding (quirk): Tokenizer training needs pad_token set to eos; fixed by setting padding_side=left\n',
      ),
      report,
    );
    assert.ok(report.includes('- classifier-baseline (result): baseline accuracy 0.61\n'), report);
    assert.ok(!report.includes('dataset-location'), 'phase 1 is done: what is remembered about it is not needed');
    assert.ok(!report.includes('groceries'));
    assert.ok(
      String(harness.models.get('orchestrator')!.requests[0]!.messages[1]!.content).includes(
        'tokenizer-padding (quirk)',
      ),
    );
  });

  it('gives the first flat step the report, and the later steps only their own task', async () => {
    const harness = await createHarness({
      goal: GOAL,
      mode: 'flat',
      agents: [agentDefinition('first'), agentDefinition('second')],
      script: { first: [complete('success', 'first part')], second: [complete('success', 'second part')] },
    });
    await harness.drive();
    const firstTask = String(harness.models.get('first')!.requests[0]!.messages[1]!.content);
    const secondTask = String(harness.models.get('second')!.requests[0]!.messages[1]!.content);
    assert.ok(firstTask.startsWith('# Recovery report: Classifier'), firstTask);
    assert.match(firstTask, /\n---\n\n# Goal: Classifier/);
    assert.ok(secondTask.startsWith('# Goal: Classifier'), secondTask);
  });

  it('gives the orchestrator, resumed after a restart, the fresh report as a message after its interrupted turn', async () => {
    const harness = await createHarness({
      goal: GOAL,
      orchestrator: { mcpServers: ['shell'] },
      agents: [agentDefinition('worker', { mcpServers: ['fs'] })],
      script: {
        orchestrator: [
          { toolCalls: [{ name: 'delegate', arguments: { agent: 'worker', task: 'Write the dataset files.' } }] },
          { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'sleep 30' } }] },
        ],
        worker: [
          {
            toolCalls: [
              { name: 'fs__write_file', arguments: { path: 'data/train.txt', content: 'a\nb\nc\n' } },
              { name: 'fs__write_file', arguments: { path: 'data/labels.json', content: '{}' } },
            ],
          },
          complete('success', 'wrote the dataset', ['data/train.txt', 'data/labels.json']),
        ],
      },
    });
    // Session 1 freezes inside its shell call, as a killed process would: the journal holds the call's intent only.
    const firstSession = harness.drive();
    await waitFor(
      () => harness.store.journal.unfinishedToolCalls('test-run').some((call) => call.name === 'shell__run_command'),
      'the shell call started',
    );

    // Session 2 picks the run up, as `mux-swarm run` does after a crash.
    // It finishes phase 2 before it claims success: a success is accepted only when the goal's checks hold.
    const orchestrator = new ScriptedChatModel('orchestrator-model', [
      {
        toolCalls: [
          {
            name: 'shell__run_command',
            arguments: { command: 'mkdir -p out && echo \'{"accuracy": 0.9}\' > out/metrics.json' },
          },
        ],
      },
      complete('success', 'resumed and finished'),
    ]);
    const worker = new ScriptedChatModel('worker-model', []);
    const events: RunEvent[] = [];
    const bus = new EventBus('test-run');
    bus.subscribe((event) => events.push(event));
    bus.continueFrom(harness.store.journal.nextEventSeq('test-run'));
    harness.store.closeInterruptedModelCalls('test-run');
    const resumed = new RunContext({
      ...harness.run.dependencies,
      events: bus,
      modelFor: (agent) => (agent.name === 'worker' ? worker : orchestrator),
    });
    const result = await driveRun(resumed, { resumedSession: 2 });
    harness.run.stop('interrupted');
    await firstSession.catch(() => undefined);

    assert.equal(result.subtype, 'success');
    assert.equal(result.result, 'resumed and finished');
    assert.equal(worker.requests.length, 0, 'the finished delegation was not worked again');
    const messages = orchestrator.requests[0]!.messages;
    const note = messages.at(-1)!;
    assert.equal(note.role, 'user');
    const text = String(note.content);
    assert.ok(text.startsWith('mux-swarm stopped and was started again (session 2 of this run).'), text);
    assert.ok(
      text.endsWith(reportOf(harness, 'recovery-report-2.md').trimEnd()),
      'the message carries the fresh report',
    );
    assert.ok(
      text.includes('- ✓ Phase 1: Prepare the dataset — done; evidence:'),
      "the worker's files are seen as phase 1 done",
    );
    assert.ok(
      text.includes('- d1.1.0 worker — success: wrote the dataset (files: data/train.txt, data/labels.json)\n'),
      text,
    );
    assert.ok(
      text.includes(
        '- d1 orchestrator, working on the goal — last step: turn 2: called shell__run_command {"command":"sleep 30"}; results not recorded',
      ),
      text,
    );
    assert.ok(
      text.includes('- d1.2.0 orchestrator, turn 2: shell__run_command {"command":"sleep 30"}'),
      'the cut-off call is listed',
    );
    assert.equal(messages.at(-2)!.role, 'tool', 'the interrupted turn gets its result first');
    assert.match(String(messages.at(-2)!.content), /not known whether this call took effect/);
    assert.match(
      String(messages[1]!.content),
      /^# Recovery report: Classifier\n\nRun test-run, a new run\./,
      'the task keeps the report of session 1',
    );
    assert.ok(
      harness.store.journal
        .transcript('test-run', 'd1')
        .some(
          (message) => message.role === 'user' && message.content.startsWith('mux-swarm stopped and was started again'),
        ),
      'the message is journaled',
    );
    assert.notEqual(reportOf(harness, 'recovery-report-1.md'), reportOf(harness, 'recovery-report-2.md'));
    assert.equal(phaseReports(events)[0]?.phases[0]?.state, 'done');
  });

  it('renders the phase report in one line and the next condition in a second', async () => {
    const harness = await createHarness({ goal: GOAL, script: { orchestrator: [complete('success', 'worked on')] } });
    writeFiles(harness.workdir, DATASET);
    await harness.drive();
    let output = '';
    createHumanRenderer({ write: (text) => (output += text), color: false })(phaseReports(harness.events)[0]!);
    assert.equal(
      output,
      `▣ phase 0 ✓1 ✗2 –3 (1 of 3 done) · report ${join('.mux-swarm', 'runs', 'test-run', 'recovery-report.md')}\n  next: phase 2 \`out/metrics.json\` field \`accuracy\` >= 0.8 — does not exist\n`,
    );
  });
});

describe('phase 0 after a real kill (built CLI, MUX_SWARM_FAIL_AT)', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;

  before(async () => {
    server = await startFakeOpenAIServer();
    project = createProjectFixture('mux-swarm-recovery-');
  });
  after(async () => {
    await server.close();
    project.remove();
  });

  it('the resumed orchestrator is told what the journal holds and what is done, once, before its next model call', async () => {
    server.route(
      { model: 'orchestrator-model' },
      {
        toolCalls: [
          {
            name: 'shell__run_command',
            arguments: {
              command:
                'mkdir -p data out && printf "a\\nb\\nc\\n" > data/train.txt && echo {} > data/labels.json && echo \'{"accuracy": 0.9}\' > out/metrics.json',
            },
          },
        ],
      },
      { toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'resumed fine' } }] },
    );
    project.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
    project.write('swarm.json', { orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'] }), agents: [] });
    project.write('goal.md', GOAL);

    const killed = await runCli(['run', 'goal.md'], {
      cwd: project.directory,
      env: { MUX_SWARM_FAIL_AT: 'turn-recorded:1' },
    });
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    const resumed = await runCli(['run', 'goal.md', '--output-format', 'json'], { cwd: project.directory });
    assert.equal(resumed.code, 0, resumed.stderr);

    const requests = server.chatRequests();
    assert.equal(requests.length, 2);
    const messages = requests[1]!.body.messages;
    const restartMessages = messages.filter(
      (message) =>
        message.role === 'user' && String(message.content).startsWith('mux-swarm stopped and was started again'),
    );
    assert.equal(restartMessages.length, 1);
    assert.equal(messages.at(-1), restartMessages[0], 'it is the last message before the call');
    const text = String(restartMessages[0]!.content);
    assert.match(text, /session 2 of this run/);
    assert.match(text, /- ✓ Phase 1: Prepare the dataset — done; evidence:/);
    assert.match(
      text,
      /## Journal \(before the restart\)\n\nIn flight \(each continues from its transcript\):\n- d1 orchestrator, working on the goal — last step: turn 1: called shell__run_command .*; results recorded/,
    );

    const runs = join(project.directory, 'work', '.mux-swarm', 'runs');
    const [runId] = readdirSync(runs);
    assert.ok(runId);
    for (const name of ['recovery-report.md', 'recovery-report-1.md', 'recovery-report-2.md'])
      assert.ok(existsSync(join(runs, runId, name)), name);
    assert.equal(
      readFileSync(join(runs, runId, 'recovery-report.md'), 'utf8'),
      readFileSync(join(runs, runId, 'recovery-report-2.md'), 'utf8'),
    );
  });
});
