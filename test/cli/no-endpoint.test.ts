import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createProjectFixture, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';
import { closedPort } from '../support/closed-port.js';

describe('the main job on a machine with no model endpoint', () => {
  let project: ProjectFixture;

  before(async () => {
    project = createProjectFixture();
    const init = await runCli(['init'], { cwd: project.directory });
    assert.equal(init.code, 0, init.stderr);
  });

  after(() => project.remove());

  it('ends within seconds with exit 2 and the ways to give the swarm a model, never a stack trace', async () => {
    const started = Date.now();
    const result = await runCli(['run', 'goals/example.md'], { cwd: project.directory });
    const elapsed = Date.now() - started;
    assert.equal(result.code, 2);
    assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
    assert.match(
      result.stderr,
      /^mux-swarm: mux-swarm has no model endpoint to talk to: orchestrator, code, research, monitor, memory use provider "openrouter", whose key variable OPENROUTER_API_KEY is not set\./,
    );
    assert.match(
      result.stderr,
      /openrouter: https:\/\/openrouter\.ai\/api\/v1 \(key from OPENROUTER_API_KEY: NOT SET\)/,
    );
    assert.match(result.stderr, /1\. export OPENROUTER_API_KEY=<your key>/);
    assert.match(
      result.stderr,
      /use the local server "ollama" at http:\/\/127\.0\.0\.1:11434\/v1: start it \(for Ollama: `ollama serve`/,
    );
    assert.match(result.stderr, /--provider ollama --model <a model it serves> \(OLLAMA_BASE_URL moves it elsewhere\)/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(result.stdout, '');
  });

  it('with stream-json, still ends with one result line saying error_config', async () => {
    const result = await runCli(['run', 'goals/example.md', '--output-format', 'stream-json'], {
      cwd: project.directory,
    });
    assert.equal(result.code, 2);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    const event = JSON.parse(lines[0]!) as {
      type: string;
      subtype: string;
      is_error: boolean;
      exit_code: number;
      result: string;
    };
    assert.equal(event.type, 'result');
    assert.equal(event.subtype, 'error_config');
    assert.equal(event.exit_code, 2);
    assert.match(event.result, /OPENROUTER_API_KEY/);
  });

  it('pointed at a local server that is not running, fails fast (exit 75: resumable once it runs) naming the URL and what to start', async () => {
    const port = await closedPort();
    const started = Date.now();
    const result = await runCli(['run', 'goals/example.md', '--provider', 'ollama', '--model', 'qwen2.5-coder:7b'], {
      cwd: project.directory,
      env: { OLLAMA_BASE_URL: `http://127.0.0.1:${port}/v1` },
    });
    const elapsed = Date.now() - started;
    assert.equal(result.code, 75, 'an outage: the same command resumes the run once the server is up');
    assert.ok(elapsed < 15_000, `took ${elapsed} ms`);
    assert.match(
      result.stderr,
      new RegExp(
        `Cannot reach provider "ollama" at http://127\\.0\\.0\\.1:${port}/v1: nothing accepted the connection`,
      ),
    );
    assert.match(
      result.stderr,
      new RegExp(`\\nmux-swarm: provider "ollama" is unreachable at http://127\\.0\\.0\\.1:${port}/v1: `),
      'the unreachable server is what it says first',
    );
    assert.doesNotMatch(result.stderr, /has no model endpoint to talk to/, 'not the message of a missing key');
    assert.match(
      result.stderr,
      /Give the swarm a model in one of these ways:\n  1\. start the server "ollama" at http:\/\/127\.0\.0\.1:\d+\/v1 .*then resume the run\n  2\. use a hosted provider instead: export OPENROUTER_API_KEY=<your key> and run without --provider\n/,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });
});
