import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { CASSETTE, copyFixtureProject } from '../fixtures/replay/record-fixture.js';
import { runCli } from '../support/run-cli.js';

const RERECORD =
  'If the change of what the models are asked is deliberate, record the cassette again: npm run fixture:record-replay (test/fixtures/replay/README.md).';

/**
 * The committed cassette of a multi-delegation run (orchestrator → developer, tester; real filesystem and shell
 * servers) replays on a clean copy of its project with no provider: a change of prompts, tool shapes or anything
 * else that changes what the models are asked shows here as a divergence, with its diff.
 */
describe('the committed replay fixture', { concurrency: 1 }, () => {
  const directories: string[] = [];
  after(() => {
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  });

  function cleanCheckout(): string {
    const directory = copyFixtureProject();
    directories.push(directory);
    cpSync(CASSETTE, join(directory, 'cassette.jsonl'));
    return directory;
  }

  it('replays to the recorded outcome with its tools live', async () => {
    const directory = cleanCheckout();
    const replayed = await runCli(['replay', 'cassette.jsonl'], { cwd: directory, timeoutMs: 120_000 });
    assert.equal(replayed.code, 0, `${replayed.stderr}\n${RERECORD}`);
    assert.match(
      replayed.stderr,
      /replay reached the recorded outcome: succeeded \(success\); 10 model calls answered from the recording/,
    );
    // The tools ran for real: the module and its check are there, and the check passes.
    assert.match(readFileSync(join(directory, 'work', 'text-utils.mjs'), 'utf8'), /export function slugify/);
    assert.ok(existsSync(join(directory, 'work', 'check-slugify.mjs')));
  });

  it('replays with --tools recorded, writing nothing', async () => {
    const directory = cleanCheckout();
    const replayed = await runCli(['replay', 'cassette.jsonl', '--tools', 'recorded'], {
      cwd: directory,
      timeoutMs: 120_000,
    });
    assert.equal(replayed.code, 0, `${replayed.stderr}\n${RERECORD}`);
    assert.equal(existsSync(join(directory, 'work', 'text-utils.mjs')), false);
  });

  it("catches a changed prompt as a divergence at the tester's first turn", async () => {
    const directory = cleanCheckout();
    const swarm = JSON.parse(readFileSync(join(directory, 'swarm.json'), 'utf8')) as {
      agents: Array<{ name: string; systemPrompt: string }>;
    };
    swarm.agents.find((agent) => agent.name === 'tester')!.systemPrompt += ' Always run the check twice.';
    writeFileSync(join(directory, 'swarm.json'), JSON.stringify(swarm));
    const replayed = await runCli(['replay', 'cassette.jsonl', '--tools', 'recorded'], {
      cwd: directory,
      timeoutMs: 120_000,
    });
    assert.equal(replayed.code, 1, replayed.stderr);
    assert.match(replayed.stderr, /replay DIVERGED at tester, turn 1: message 1 \(system\) differs/);
    assert.match(replayed.stderr, /^\+.*Always run the check twice\.$/m);
  });
});
