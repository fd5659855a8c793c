import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeOpenAIServer, type FakeOpenAIServer, type ScriptedReply } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

/** A secret the writer reads from a file: scrubbed from what the model is shown, and from the cassette. */
const SECRET = 'sk-replay-test-9f8e7d6c5b4a3210';
const SECRET_ENV = { SERVICE_TOKEN: SECRET };
/** Nothing listens here: a replay that asked a provider would fail. */
const DEAD_URL = 'http://127.0.0.1:9/v1';

/**
 * The orchestrator appends a line to counter.log through the shell, delegates notes.txt to the writer (who reads
 * secret.txt first), then a check to the checker, then completes: 4 + 3 + 2 model calls, 5 MCP tool calls.
 */
function script(): Record<string, ScriptedReply[]> {
  return {
    'orchestrator-model': [
      { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'echo ran >> counter.log' } }] },
      {
        toolCalls: [
          { name: 'delegate', arguments: { agent: 'writer', task: 'Read secret.txt, then write notes.txt.' } },
        ],
      },
      {
        toolCalls: [{ name: 'delegate', arguments: { agent: 'checker', task: 'Check that notes.txt says "notes".' } }],
      },
      {
        content: 'Both specialists reported back.',
        toolCalls: [
          {
            name: 'complete',
            arguments: { status: 'success', summary: 'notes written and checked', artifacts: ['notes.txt'] },
          },
        ],
      },
    ],
    'writer-model': [
      { toolCalls: [{ name: 'fs__read_text_file', arguments: { path: 'secret.txt' } }] },
      {
        content: `I will not repeat ${SECRET}.`,
        toolCalls: [{ name: 'fs__write_file', arguments: { path: 'notes.txt', content: 'notes\n' } }],
      },
      {
        toolCalls: [
          { name: 'complete', arguments: { status: 'success', summary: 'wrote notes.txt', artifacts: ['notes.txt'] } },
        ],
      },
    ],
    'checker-model': [
      { toolCalls: [{ name: 'fs__read_text_file', arguments: { path: 'notes.txt' } }] },
      {
        toolCalls: [
          { name: 'complete', arguments: { status: 'success', summary: 'notes.txt says notes', artifacts: [] } },
        ],
      },
    ],
  };
}

const SWARM = {
  orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'], canDelegateTo: ['writer', 'checker'] }),
  agents: [fakeAgent('writer', { mcpServers: ['fs'] }), fakeAgent('checker', { mcpServers: ['fs'] })],
};
const GOAL = '# Notes\n\nLog a run, have notes.txt written and checked.\n';

function lines(file: string): number {
  return existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line !== '').length
    : 0;
}

describe('mux-swarm replay', { concurrency: 1 }, () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;
  let workdir: string;
  let runId: string;
  let recordedRequests: number;
  const fixtures: ProjectFixture[] = [];

  async function record(): Promise<void> {
    for (const [model, replies] of Object.entries(script())) server.route({ model }, ...replies);
    project = createProjectFixture('mux-swarm-replay-');
    fixtures.push(project);
    project.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
    project.write('swarm.json', SWARM);
    project.write('goal.md', GOAL);
    project.write('work/secret.txt', `token: ${SECRET}\n`);
    workdir = join(project.directory, 'work');
    const recorded = await runCli(['run', 'goal.md', '--output-format', 'json'], {
      cwd: project.directory,
      env: SECRET_ENV,
    });
    assert.equal(recorded.code, 0, recorded.stderr);
    runId = (JSON.parse(recorded.stdout.trim().split('\n').at(-1)!) as { run_id: string }).run_id;
  }

  before(async () => {
    server = await startFakeOpenAIServer();
    await record();
    recordedRequests = server.chatRequests().length;
    assert.equal(recordedRequests, 9);
    assert.equal(lines(join(workdir, 'counter.log')), 1);
    // From here on the provider is unreachable: every replay must answer from the recording.
    project.write('config.json', fakeConfig(DEAD_URL, { filesystem: { workdir: 'work' } }));
  });
  after(async () => {
    for (const fixture of fixtures) fixture.remove();
    await server.close();
  });

  it('replays a recorded run to the same outcome with no network, tools live', async () => {
    const replayed = await runCli(['replay', runId], { cwd: project.directory, env: SECRET_ENV });
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.match(
      replayed.stderr,
      /replay reached the recorded outcome: succeeded \(success\); 9 model calls answered from the recording/,
    );
    assert.equal(server.chatRequests().length, recordedRequests, 'no request reached the provider');
    assert.equal(lines(join(workdir, 'counter.log')), 2, 'the shell tool ran live');
  });

  it('--tools recorded answers tool calls from the recording: nothing runs', async () => {
    const before = lines(join(workdir, 'counter.log'));
    rmSync(join(workdir, 'notes.txt'));
    const replayed = await runCli(['replay', runId, '--tools', 'recorded'], {
      cwd: project.directory,
      env: SECRET_ENV,
    });
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.match(replayed.stderr, /9 model calls and 7 tool calls answered from the recording/);
    assert.equal(lines(join(workdir, 'counter.log')), before, 'the counter file is untouched');
    assert.equal(existsSync(join(workdir, 'notes.txt')), false, 'no file was written');
    writeFileSync(join(workdir, 'notes.txt'), 'notes\n');
  });

  it("an edited agent prompt diverges at that agent's first turn, with a diff of the prompt", async () => {
    project.write('swarm.json', {
      ...SWARM,
      agents: [
        SWARM.agents[0],
        fakeAgent('checker', { mcpServers: ['fs'], systemPrompt: 'You are a stricter checker.' }),
      ],
    });
    try {
      const replayed = await runCli(['replay', runId, '--tools', 'recorded'], {
        cwd: project.directory,
        env: SECRET_ENV,
      });
      assert.equal(replayed.code, 1, replayed.stderr);
      assert.match(
        replayed.stderr,
        /replay DIVERGED at checker, turn 1: message 1 \(system\) differs \(closest recorded call: checker turn 1 of delegation /,
      );
      assert.match(replayed.stderr, /^-You are checker\.$/m);
      assert.match(replayed.stderr, /^\+You are a stricter checker\.$/m);
      // The orchestrator's three turns and the writer's three were answered before the checker was asked.
      assert.match(replayed.stderr, /\(6 model calls and 4 tool calls answered from the recording before that\)/);
    } finally {
      project.write('swarm.json', SWARM);
    }
    assert.equal(server.chatRequests().length, recordedRequests);
  });

  it("an edited goal diverges at the orchestrator's first turn, naming the task message", async () => {
    project.write('goal.md', GOAL.replace('checked', 'reviewed twice'));
    try {
      const replayed = await runCli(['replay', runId, '--tools', 'recorded', '--output-format', 'json'], {
        cwd: project.directory,
        env: SECRET_ENV,
      });
      assert.equal(replayed.code, 1, replayed.stderr);
      assert.match(replayed.stderr, /replay DIVERGED at orchestrator, turn 1: message 2 \(user\) differs/);
      assert.match(replayed.stderr, /^-Log a run, have notes\.txt written and checked\.$/m);
      assert.match(replayed.stderr, /^\+Log a run, have notes\.txt written and reviewed twice\.$/m);
      const verdict = JSON.parse(replayed.stdout.trim().split('\n').at(-1)!) as {
        type: string;
        outcome: string;
        divergence: { agent: string; turn: number };
      };
      assert.equal(verdict.type, 'replay');
      assert.equal(verdict.outcome, 'diverged');
      assert.deepEqual([verdict.divergence.agent, verdict.divergence.turn], ['orchestrator', 1]);
    } finally {
      project.write('goal.md', GOAL);
    }
  });

  it('a specialist added to swarm.json diverges at the orchestrator; --agents replays the recorded team', async () => {
    project.write('swarm.json', {
      orchestrator: { ...SWARM.orchestrator, canDelegateTo: ['writer', 'checker', 'reviewer'] },
      agents: [...SWARM.agents, fakeAgent('reviewer')],
    });
    try {
      const added = await runCli(['replay', runId, '--tools', 'recorded'], { cwd: project.directory, env: SECRET_ENV });
      assert.equal(added.code, 1, added.stderr);
      assert.match(
        added.stderr,
        /replay DIVERGED at orchestrator, turn 1: the tools offered differ; message 1 \(system\) differs/,
      );
      assert.match(added.stderr, /^\+ {2}- reviewer: the reviewer agent$/m);
      assert.match(
        added.stderr,
        /note: the recording had the specialists writer, checker in play, this replay writer, checker, reviewer \(--agents writer,checker replays the recorded team\)/,
      );
      const recordedTeam = await runCli(['replay', runId, '--tools', 'recorded', '--agents', 'writer,checker'], {
        cwd: project.directory,
        env: SECRET_ENV,
      });
      assert.equal(recordedTeam.code, 0, recordedTeam.stderr);
    } finally {
      project.write('swarm.json', SWARM);
    }
  });

  it('exports a scrubbed cassette that replays on a clean checkout with no key, no network and no secret', async () => {
    const cassette = join(project.directory, 'run.cassette.jsonl');
    const exported = await runCli(['export', runId, '--cassette', '-o', cassette], {
      cwd: project.directory,
      env: SECRET_ENV,
    });
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /9 model calls, 9 tool calls/);
    const text = readFileSync(cassette, 'utf8');
    assert.ok(!text.includes(SECRET), 'the secret is not in the cassette');
    assert.ok(text.includes('token: [REDACTED]'), 'the tool result that held it is, scrubbed');
    assert.ok(text.includes('I will not repeat [REDACTED].'), 'so is the reply that quoted it');
    assert.ok(!text.includes(project.directory), 'no path of the recording machine');

    const clean = createProjectFixture('mux-swarm-replay-clean-');
    fixtures.push(clean);
    clean.write('config.json', fakeConfig(DEAD_URL, { filesystem: { workdir: 'work' } }));
    clean.write('swarm.json', SWARM);
    clean.write('goal.md', GOAL);
    clean.write('ci/run.cassette.jsonl', text);
    const replayed = await runCli(['replay', 'ci/run.cassette.jsonl', '--tools', 'recorded'], { cwd: clean.directory });
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.match(replayed.stderr, /replay reached the recorded outcome: succeeded/);
    assert.equal(server.chatRequests().length, recordedRequests);
  });

  it('refuses what it cannot replay with exit 2, naming the file, the line or the run', async () => {
    const missing = await runCli(['replay', 'nowhere.jsonl'], { cwd: project.directory });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nowhere\.jsonl.*cassette not found/s);

    const damaged = join(project.directory, 'damaged.jsonl');
    const good = readFileSync(join(project.directory, 'run.cassette.jsonl'), 'utf8').split('\n');
    writeFileSync(damaged, `${good[0]}\n{"type":"model-call","agent":3}\n`);
    const bad = await runCli(['replay', damaged], { cwd: project.directory });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /damaged\.jsonl:2.*not a cassette record/s);

    const unknown = await runCli(['replay', 'no-such-run'], { cwd: project.directory });
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no run "no-such-run"/);
  });
});
