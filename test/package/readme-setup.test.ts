import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPOSITORY_ROOT } from '../support/run-cli.js';

/** The README's set-up block: its first ```sh block, each line without its comment. */
function setUpCommands(): string[] {
  const readme = readFileSync(join(REPOSITORY_ROOT, 'README.md'), 'utf8');
  const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter(Boolean);
}

describe("the README's set-up", () => {
  it('is two commands: the first installs, puts mux-swarm on the PATH and runs it (not an npx copy of the clone)', () => {
    const [install, test, ...rest] = setUpCommands();
    assert.deepEqual(rest, []);
    assert.match(install!, /^npm install && npm link --ignore-scripts && mux-swarm run \S+$/);
    assert.ok(test);
    const readme = readFileSync(join(REPOSITORY_ROOT, 'README.md'), 'utf8');
    assert.doesNotMatch(readme, /npx mux-swarm/, 'README examples run the linked mux-swarm, not npx');
  });

  it('and its test command is exactly the one .ci/run ends with', () => {
    const [, test] = setUpCommands();
    const ci = readFileSync(join(REPOSITORY_ROOT, '.ci', 'run'), 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'));
    assert.equal(ci[ci.length - 1], test);
  });
});
