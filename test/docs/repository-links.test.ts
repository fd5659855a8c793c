import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { REPOSITORY_ROOT } from '../support/run-cli.js';

/** The relative links of a markdown file (`[text](target)` and `` `../x` `` paths are both how a reader follows one). */
function relativeTargets(markdown: string): string[] {
  const links = [...markdown.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((match) => match[1]!);
  return links.filter((target) => !/^[a-z]+:/i.test(target));
}

describe('the README and docs/architecture.md', () => {
  it('the README links nothing outside the repository, and every file it links exists', () => {
    const readme = readFileSync(join(REPOSITORY_ROOT, 'README.md'), 'utf8');
    assert.doesNotMatch(readme, /\.\.\/shared\//);
    for (const target of relativeTargets(readme)) {
      const path = resolve(REPOSITORY_ROOT, target);
      assert.ok(!relative(REPOSITORY_ROOT, path).startsWith('..'), `${target} leads outside the repository`);
      assert.ok(existsSync(path), `${target} does not exist`);
    }
    assert.match(readme, /\]\(docs\/architecture\.md\)/);
  });

  it('docs/architecture.md has a row for every folder of src/, and its links resolve', () => {
    const page = readFileSync(join(REPOSITORY_ROOT, 'docs', 'architecture.md'), 'utf8');
    const folders = readdirSync(join(REPOSITORY_ROOT, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    for (const folder of folders)
      assert.match(page, new RegExp(`^\\| [^|]*\`src/${folder}/`, 'm'), `src/${folder}/ has no row in the layer table`);
    for (const target of relativeTargets(page))
      assert.ok(
        existsSync(resolve(dirname(join(REPOSITORY_ROOT, 'docs', 'architecture.md')), target)),
        `${target} does not exist`,
      );
  });
});
