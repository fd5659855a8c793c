import assert from 'node:assert/strict';
import { lstatSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

/**
 * The bad-input corpus: broken project files, each of which `validate` and `run` must refuse with exit 2 and a
 * message that says what is wrong and where, without a hang, an internal error, or a change to any file already there.
 * Each case starts from a valid project (config.json, swarm.json, goals/goal.md) and breaks one thing.
 */
interface BadInput {
  name: string;
  breakIt(project: ProjectFixture): void;
  message: RegExp;
}

const GOAL = '---\nbudget:\n  usd: 1\n---\n# Write hello\nWrite hello.txt.\n';
/** Nowhere listens on port 9: a run that got past its input would fail differently (and not with exit 2). */
const BASE_URL = 'http://127.0.0.1:9/v1';

const CORPUS: BadInput[] = [
  {
    name: 'config.json nested 200,000 levels deep',
    breakIt: (project) => project.write('config.json', `{"providers": ${'['.repeat(200_000)}`),
    message: /config\.json: nested more than 100 levels deep at line 1, column \d+/,
  },
  {
    name: 'config.json nested deep and closed again',
    breakIt: (project) => project.write('config.json', `{"prices": ${'['.repeat(200_000)}${']'.repeat(200_000)}}`),
    message: /config\.json: nested more than 100 levels deep/,
  },
  {
    name: 'swarm.json a link to /dev/zero',
    breakIt: (project) => linkTo(project, 'swarm.json', '/dev/zero'),
    message: /swarm\.json: .*swarm\.json is not a regular file/,
  },
  {
    name: 'the goal a link to /dev/zero',
    breakIt: (project) => linkTo(project, 'goals/goal.md', '/dev/zero'),
    message: /goal\.md: .*is not a regular file/,
  },
  {
    name: 'config.json larger than the cap',
    breakIt: (project) => project.write('config.json', `${' '.repeat(5 * 1024 * 1024)}{}`),
    message: /config\.json: .*is 5 MiB; a project file may hold at most 4 MiB/,
  },
  {
    name: 'swarm.json not UTF-8',
    breakIt: (project) => writeFileSync(join(project.directory, 'swarm.json'), Buffer.from([0x7b, 0xff, 0xfe, 0x7d])),
    message: /swarm\.json: .*is not UTF-8 text/,
  },
  {
    name: 'goal front matter naming an unknown agent',
    breakIt: (project) =>
      project.write('goals/goal.md', '---\nagents: [coder, ghost]\n---\n# Write hello\nWrite hello.txt.\n'),
    message: /goal\.md: front matter\.agents\[1\]: "ghost" is not an agent in swarm\.json/,
  },
  {
    name: 'goal front matter without its closing ---',
    breakIt: (project) => project.write('goals/goal.md', '---\nbudget:\n  usd: 1\n# Write hello\nWrite hello.txt.\n'),
    message: /goal\.md: front matter: the "---" on line 1 opens front matter that no "---" line closes/,
  },
  {
    name: 'a binary goal file',
    breakIt: (project) =>
      writeFileSync(
        join(project.directory, 'goals/goal.md'),
        Buffer.from([0x23, 0x20, 0x68, 0x0a, 0x00, 0x01, 0x02, 0x89, 0x50, 0x4e, 0x47]),
      ),
    message: /goal\.md: .*is a binary file, not text \(a NUL byte on line 2\)/,
  },
  {
    name: 'a duplicate key in config.json',
    breakIt: (project) =>
      project.write(
        'config.json',
        '{"providers": {"fake": {"baseURL": "http://127.0.0.1:9/v1"}}, "mcpServers": {"fs": {"builtin": "filesystem"}, "fs": {"builtin": "shell"}}}',
      ),
    message: /config\.json: mcpServers\.fs: is written twice in one object \(again at line 1, column \d+\)/,
  },
  {
    name: 'a duplicate key in swarm.json',
    breakIt: (project) =>
      project.write(
        'swarm.json',
        swarmText().replace('"model": "coder-model"', '"model": "coder-model", "model": "other-model"'),
      ),
    message: /swarm\.json: agents\[0\]\.model: is written twice in one object/,
  },
  {
    name: 'systemPromptFile leading outside the project',
    breakIt: (project) =>
      project.write(
        'swarm.json',
        swarmText().replace('"systemPrompt": "You are coder."', '"systemPromptFile": "../../../../etc/shadow"'),
      ),
    message:
      /swarm\.json: agents\[0\]\.systemPromptFile: "\.\.\/\.\.\/\.\.\/\.\.\/etc\/shadow" leads outside the project/,
  },
  {
    name: 'systemPromptFile a link out of the project',
    breakIt: (project) => {
      linkTo(project, 'prompts/coder.md', '/etc/hostname');
      project.write(
        'swarm.json',
        swarmText().replace('"systemPrompt": "You are coder."', '"systemPromptFile": "prompts/coder.md"'),
      );
    },
    message:
      /swarm\.json: agents\[0\]\.systemPromptFile: "prompts\/coder\.md" is a link to \/etc\/hostname, outside the project/,
  },
  {
    name: 'invalid JSON (a stray character)',
    breakIt: (project) => project.write('config.json', '{"providers": {}x}'),
    message: /config\.json: invalid JSON: .*line 1, column/,
  },
  {
    name: 'swarm.json missing',
    breakIt: (project) => rmSync(join(project.directory, 'swarm.json')),
    message: /swarm\.json: not found at .*\nRun `mux-swarm init`/,
  },
];

describe('bad input: validate and run refuse each broken project with exit 2, a clear message, and nothing modified', () => {
  for (const badInput of CORPUS) {
    for (const command of ['validate', 'run'] as const) {
      it(`${command}: ${badInput.name}`, async () => {
        const project = createProjectFixture('mux-swarm-bad-input-');
        try {
          project.write('config.json', fakeConfig(BASE_URL));
          project.write('swarm.json', swarmText());
          project.write('goals/goal.md', GOAL);
          badInput.breakIt(project);
          const before = snapshot(project.directory);
          // Generous: a file read without a cap would run until this kills it.
          const result = await runCli([command, 'goals/goal.md'], { cwd: project.directory, timeoutMs: 60_000 });
          assert.equal(result.code, 2, `exit code\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
          assert.match(result.stderr, badInput.message);
          assert.doesNotMatch(result.stderr, /Maximum call stack|internal error|at .*\.js:\d+/);
          assert.deepEqual(snapshot(project.directory, before), before, 'every file already there is as it was');
        } finally {
          project.remove();
        }
      });
    }
  }
});

describe('bad input under --output-format json: the result line says exit 2 too', () => {
  it('run of a config.json nested 200,000 levels deep ends with one result line, error_config, exit_code 2', async () => {
    const project = createProjectFixture('mux-swarm-bad-input-');
    try {
      project.write('config.json', `{"providers": ${'['.repeat(200_000)}`);
      project.write('swarm.json', swarmText());
      project.write('goals/goal.md', GOAL);
      const result = await runCli(['run', 'goals/goal.md', '--output-format', 'json'], {
        cwd: project.directory,
        timeoutMs: 60_000,
      });
      assert.equal(result.code, 2, result.stderr);
      const event = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
        type: string;
        subtype: string;
        exit_code: number;
      };
      assert.deepEqual([event.type, event.subtype, event.exit_code], ['result', 'error_config', 2]);
    } finally {
      project.remove();
    }
  });
});

describe('a goal piped on standard input is held to what a goal file is', () => {
  for (const [name, stdin, message] of [
    ['larger than 4 MiB', 'a'.repeat(5 * 1024 * 1024), /stdin: the goal on standard input is larger than 4 MiB/],
    ['binary', '# Hello\n\u0000\u0001\u0002', /stdin: a binary file, not text \(a NUL character on line 2\)/],
  ] as const) {
    it(`run - refuses a goal that is ${name} with exit 2`, async () => {
      const project = createProjectFixture('mux-swarm-bad-input-');
      try {
        project.write('config.json', fakeConfig(BASE_URL));
        project.write('swarm.json', swarmText());
        // mux-swarm stops reading past the cap: the rest of the input meets a closed pipe, which is what should happen.
        const result = await runCli(['run', '-'], {
          cwd: project.directory,
          stdin,
          timeoutMs: 60_000,
          onSpawn: (child) => child.stdin?.on('error', () => undefined),
        });
        assert.equal(result.code, 2, result.stderr);
        assert.match(result.stderr, message);
      } finally {
        project.remove();
      }
    });
  }
});

function swarmText(): string {
  return `${JSON.stringify({ orchestrator: fakeAgent('orchestrator'), agents: [fakeAgent('coder'), fakeAgent('tester')] }, null, 2)}\n`;
}

function linkTo(project: ProjectFixture, relativePath: string, target: string): void {
  rmSync(project.write(relativePath, ''));
  symlinkSync(target, join(project.directory, relativePath));
}

/** Every file under `directory` (links by their target, never followed), as it is now; `only` limits it to the paths of an earlier snapshot. */
function snapshot(directory: string, only?: Record<string, string>): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(directory, relative))) {
      const path = join(relative, entry);
      const stat = lstatSync(join(directory, path));
      if (stat.isDirectory()) walk(path);
      else if (stat.isSymbolicLink()) files[path] = `link to ${readlinkSync(join(directory, path))}`;
      else if (stat.isFile()) files[path] = readFileSync(join(directory, path)).toString('base64');
    }
  };
  walk('');
  if (!only) return files;
  return Object.fromEntries(Object.keys(only).map((path) => [path, files[path] ?? 'missing']));
}
