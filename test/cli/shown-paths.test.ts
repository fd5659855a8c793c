import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { shownPath } from '../../src/cli/shown-path.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

describe('paths shown to a person are relative to where they stand', () => {
  it('shownPath: "." for the directory itself, relative beneath it, absolute elsewhere', () => {
    assert.deepEqual(
      [
        shownPath('/p', '/p'),
        shownPath('/p/work/a.md', '/p'),
        shownPath('/elsewhere/a.md', '/p'),
        shownPath('/p2/a.md', '/p'),
      ],
      ['.', 'work/a.md', '/elsewhere/a.md', '/p2/a.md'],
    );
  });

  describe('run, with the workdir in a folder of the project', () => {
    let server: FakeOpenAIServer;
    let project: ProjectFixture;
    before(async () => {
      server = await startFakeOpenAIServer();
      project = createProjectFixture('mux-swarm-shown-paths-');
      project.write(
        'config.json',
        fakeConfig(server.baseURL, {
          filesystem: { workdir: 'work' },
          providers: { fake: { baseURL: server.baseURL, maxRetries: 1, timeoutMs: 20_000, free: true } },
        }),
      );
      project.write('swarm.json', { orchestrator: fakeAgent('orchestrator'), agents: [] });
      project.write('goal.md', '# Say done\n\n## Phase 1: done\nDone when:\n- `done.txt` exists\n');
    });
    after(async () => {
      await server.close();
      project.remove();
    });

    it('names the recovery report from the project directory (work/.mux-swarm/…), not from the workdir', async () => {
      server.route(
        { model: 'orchestrator-model' },
        { toolCalls: [{ name: 'complete', arguments: { status: 'failure', summary: 'cannot' } }] },
      );
      const result = await runCli(['run', 'goal.md'], { cwd: project.directory });
      assert.match(
        result.stderr,
        new RegExp(
          `· report ${join('work', '.mux-swarm', 'runs').replace(/\./g, '\\.')}/[^/\\s]+/recovery-report\\.md\\n`,
        ),
        result.stderr,
      );
    });
  });
});
