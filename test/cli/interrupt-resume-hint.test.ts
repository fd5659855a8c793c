import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';
import { runCliInTerminal, screenLines } from '../support/run-cli-in-terminal.js';

describe('Ctrl-C in text mode', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;

  before(async () => {
    server = await startFakeOpenAIServer();
    project = createProjectFixture('mux-swarm-interrupt-');
    // Not the default file names, and another workdir: the printed command must carry them.
    project.write('configs/main.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'unused' } }));
    project.write('configs/team.json', {
      orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'] }),
      agents: [],
    });
    project.write('goal.md', '# Log once\n\nAppend a line to ran.log, then think it over.\n');
  });
  after(async () => {
    await server.close();
    project.remove();
  });

  it('ends with the exact command that resumes the run, and that command, run as printed, finishes it', async () => {
    server.route(
      { model: 'orchestrator-model' },
      { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'echo once >> ran.log' } }] },
      { delayMs: 60_000, content: 'never answered' },
      {
        toolCalls: [
          {
            name: 'complete',
            arguments: { status: 'success', summary: 'finished after the resume', artifacts: ['ran.log'] },
          },
        ],
      },
    );
    let stderr = '';
    let child: ChildProcess | undefined;
    const args = [
      'run',
      'goal.md',
      '--config',
      'configs/main.json',
      '--swarm',
      'configs/team.json',
      '--workdir',
      'my work',
      '--max-turns',
      '20',
    ];
    const running = runCli(args, {
      cwd: project.directory,
      env: { MUX_SWARM_PULSE_MS: '300' },
      onSpawn: (spawned) => {
        child = spawned;
        spawned.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
      },
    });
    // Interrupted once it waits for the slow reply, as a person watching the waiting line would.
    for (
      let attempt = 0;
      attempt < 600 && !stderr.includes('… waiting: orchestrator on fake/orchestrator-model');
      attempt += 1
    )
      await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(stderr, /… waiting: orchestrator on fake\/orchestrator-model/);
    child!.kill('SIGINT');
    const interrupted = await running;
    assert.equal(interrupted.code, 130, interrupted.stderr);
    const runId = /mux-swarm run (\S+)/.exec(interrupted.stderr)?.[1];
    assert.ok(runId, interrupted.stderr);
    const lastLine = interrupted.stderr.trimEnd().split('\n').at(-1);
    assert.equal(
      lastLine,
      `mux-swarm resume ${runId} --config configs/main.json --swarm configs/team.json --workdir 'my work' --max-turns 20`,
    );

    const resumed = await runCli(shellWords(lastLine!).slice(1), { cwd: project.directory });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(resumed.stdout, 'finished after the resume\n');
    assert.match(resumed.stderr, new RegExp(`mux-swarm run ${runId} `), 'the same run went on');
    assert.equal(
      readFileSync(join(project.directory, 'my work', 'ran.log'), 'utf8'),
      'once\n',
      'the command that ran before Ctrl-C was not run again',
    );
    const resumedRequest = server.chatRequests().at(-1)!.body;
    assert.ok(
      resumedRequest.messages.some((message) => message.role === 'tool'),
      'the model was asked again with the transcript so far',
    );
    assert.equal(server.pendingResponses(), 0);
  });

  it('on a terminal: the waiting line is gone, the stop is reported, and the resume command is the last line', async () => {
    server.reset();
    server.route({ model: 'orchestrator-model' }, { delayMs: 60_000, content: 'never answered' });
    let child: ChildProcess | undefined;
    let interrupted = false;
    const result = await runCliInTerminal(
      ['run', '--task', 'Think forever', '-c', 'configs/main.json', '-s', 'configs/team.json'],
      {
        cwd: project.directory,
        onSpawn: (spawned) => (child = spawned),
        // Ctrl-C once the waiting line is on the screen.
        onOutput: (transcript) => {
          if (interrupted || !transcript.includes('⋯ orchestrator · fake/orchestrator-model')) return;
          interrupted = true;
          child!.kill('SIGINT');
        },
      },
    );
    assert.equal(result.code, 130, result.transcript);
    const screen = screenLines(result.transcript).filter((line) => line !== '');
    assert.ok(
      !screen.some((line) => line.includes('⋯')),
      `no waiting line is left, nor a piece of one:\n${screen.join('\n')}`,
    );
    assert.ok(
      screen.some((line) => /^mux-swarm warn: SIGINT received: stopping the run/.test(line)),
      screen.join('\n'),
    );
    assert.ok(
      screen.some((line) => /^■ error_interrupted in /.test(line)),
      screen.join('\n'),
    );
    const runId = /mux-swarm run (\S+)/.exec(screen.join('\n'))?.[1];
    assert.equal(screen.at(-1), `mux-swarm resume ${runId} --config configs/main.json --swarm configs/team.json`);
  });
});

/** Splits a command line as a POSIX shell does, for the words it can hold here: plain ones and single-quoted ones. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'((?:[^']|'\\'')*)'|(\S+)/g)].map((match) =>
    match[1] !== undefined ? match[1].replaceAll(`'\\''`, "'") : match[2]!,
  );
}
