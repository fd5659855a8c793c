import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createCompleteTool, NOT_COMPLETED_PREFIX } from '../../src/runtime/complete-tool.js';
import type { RuntimeToolContext } from '../../src/runtime/runtime-tool.js';

const CONTEXT: RuntimeToolContext = {
  signal: new AbortController().signal,
  turn: 1,
  callId: 'call-1',
  journalId: 'd1.1.0',
};

describe('complete: artifacts are inside the workdir', () => {
  const root = mkdtempSync(join(tmpdir(), 'mux-swarm-complete-'));
  const workdir = join(root, 'workspace');
  mkdirSync(workdir);
  writeFileSync(join(workdir, 'hello.txt'), 'hello\n');
  writeFileSync(join(root, 'outside.txt'), "not the agent's\n");
  symlinkSync('/etc/passwd', join(workdir, 'passwd-link'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const tool = createCompleteTool({ workdir, scope: 'task' });

  it('accepts a file inside the workdir, by a relative or an absolute path', async () => {
    const result = await tool.execute(
      { status: 'success', summary: 'wrote it', artifacts: ['hello.txt', join(workdir, 'hello.txt')] },
      CONTEXT,
    );
    assert.equal(result.isError, false, result.text);
    assert.deepEqual(result.completion?.artifacts, ['hello.txt', 'hello.txt']);
  });

  for (const [name, artifact] of [
    ['/etc/passwd', '/etc/passwd'],
    ['a path climbing out', '../outside.txt'],
    ['a link inside that leads out', 'passwd-link'],
  ] as const) {
    it(`refuses ${name}, and tells the agent how to fix it`, async () => {
      for (const status of ['success', 'failure'] as const) {
        const result = await tool.execute({ status, summary: 'done', artifacts: ['hello.txt', artifact] }, CONTEXT);
        assert.equal(result.isError, true);
        assert.equal(result.completion, undefined, 'nothing is completed');
        assert.ok(
          result.text.startsWith(
            `${NOT_COMPLETED_PREFIX} these artifacts are outside the working directory ${workdir}`,
          ),
          result.text,
        );
        assert.match(result.text, /give their paths relative to it, or leave those out, then call complete again/);
        assert.doesNotMatch(result.text, /hello\.txt/, 'only the artifacts outside are named');
      }
    });
  }
});
