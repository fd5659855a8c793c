import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/errors/config-error.js';
import { ERROR_CODES, type ErrorCode } from '../../src/errors/error-codes.js';
import { EXIT_CODES, exitCodeForError } from '../../src/errors/exit-codes.js';
import { PgHubError } from '../../src/errors/pg-hub-error.js';
import { HubUsageError } from '../../src/errors/hub-usage-error.js';
import { McpCallUsageError } from '../../src/errors/mcp-call-usage-error.js';
import { McpServerStartError } from '../../src/errors/mcp-server-error.js';
import { ModelChainError } from '../../src/errors/model-chain-error.js';
import { MuxSwarmError } from '../../src/errors/mux-swarm-error.js';
import { NoModelEndpointError } from '../../src/errors/no-model-endpoint-error.js';
import { RunLockedError } from '../../src/errors/run-locked-error.js';
import { RunStoppedError, type StopReason } from '../../src/errors/run-stopped-error.js';
import { UnknownModelPriceError } from '../../src/errors/unknown-model-price-error.js';
import { exitCodeFor, subtypeForStop } from '../../src/runtime/run-result.js';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..', '..');
const CODES = Object.keys(ERROR_CODES) as ErrorCode[];
const STOP_PREFIX = 'run_stopped_';

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const sources = sourceFiles(join(ROOT, 'src')).map((path) => ({
  path: relative(ROOT, path),
  text: readFileSync(path, 'utf8'),
}));

/**
 * Error classes that stay plain `Error`, each never leaving the function or layer that throws it: the raw failures of
 * one model request attempt, which toProviderError turns into a ProviderRequestError (as a MuxSwarmError it would be
 * passed through untranslated), and the lexer's signal for a line it cannot read, caught in the same function.
 */
const INTERNAL_SIGNALS = new Set(['AttemptTimeoutError', 'MalformedResponseError', 'UnreadableLine']);

describe('the closed list of error codes', () => {
  it('every code is raised somewhere in src/ (a run_stopped_ code through a stop reason)', () => {
    const others = sources.filter((source) => source.path !== join('src', 'errors', 'error-codes.ts'));
    const stopReasons = others.find((source) => source.path === join('src', 'errors', 'run-stopped-error.ts'))!.text;
    for (const code of CODES) {
      if (code.startsWith(STOP_PREFIX)) {
        const reason = code.slice(STOP_PREFIX.length);
        assert.match(
          stopReasons,
          new RegExp(`export type StopReason = [^;]*'${reason}'`),
          `${code}: no stop reason "${reason}"`,
        );
        assert.equal(new RunStoppedError(reason as StopReason).code, code);
        continue;
      }
      assert.ok(
        others.some((source) => source.text.includes(`'${code}'`)),
        `${code} is listed but nothing raises it`,
      );
    }
  });

  it('docs/errors.md lists exactly these codes, each with the exit code it ends a command with', () => {
    const page = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
    const rows = [...page.matchAll(/^\| `([^`]+)` \| (\d+) \|/gm)].map((match) => [match[1]!, Number(match[2])]);
    assert.deepEqual(
      rows,
      CODES.map((code) => [code, exitCodeForError(new MuxSwarmError(code, ''))]),
    );
  });

  it('the exit codes of docs/cli.md are those of EXIT_CODES', () => {
    const page = readFileSync(join(ROOT, 'docs', 'cli.md'), 'utf8');
    const table = page.slice(page.indexOf('## Exit codes'), page.indexOf('## Start-up'));
    const documented = [...table.matchAll(/^\| (\d+) \|/gm)].map((match) => Number(match[1]));
    assert.deepEqual(
      documented,
      [...new Set(Object.values(EXIT_CODES))].sort((a, b) => a - b),
    );
  });
});

describe('exitCodeForError', () => {
  it('2 for bad input, 1 for a failure, 70 for anything that is not a MuxSwarmError', () => {
    const usage = [
      new ConfigError('swarm.json', [{ path: 'agents[0].model', message: 'required' }]),
      new NoModelEndpointError('give the swarm a model'),
      new UnknownModelPriceError({
        models: [{ agent: 'a', provider: 'p', model: 'm' }],
        budgetUsd: 1,
        budgetSource: '--max-budget-usd',
        configFile: 'config.json',
      }),
      new McpServerStartError('fs', 'exited'),
      new McpCallUsageError('name a tool'),
      new RunLockedError('r1', { hostname: 'h', pid: 1, heartbeat_at: 'now' }),
      new MuxSwarmError('run_not_found', 'no run "x"'),
      new MuxSwarmError('run_ambiguous', '"a" matches 2 runs'),
      new MuxSwarmError('no_state', 'no runs recorded'),
      new HubUsageError('no hub given'),
    ];
    for (const error of usage) assert.equal(exitCodeForError(error), EXIT_CODES.usage, error.code);
    const failures = [
      new ModelChainError('worker', []),
      new MuxSwarmError('nothing_to_resume', 'every run reached a result'),
      new PgHubError('hub_unreachable', 'down'),
    ];
    for (const error of failures) assert.equal(exitCodeForError(error), EXIT_CODES.goalFailed, error.code);
    for (const thrown of [new Error('bug'), new TypeError('x is undefined'), 'a string'])
      assert.equal(exitCodeForError(thrown), EXIT_CODES.internal);
  });

  it('in the memory and hub subcommands a failure is bad input, but an unreachable hub is not', () => {
    assert.equal(exitCodeForError(new PgHubError('key_invalid', 'not a PEM key'), 'input'), EXIT_CODES.usage);
    assert.equal(exitCodeForError(new MuxSwarmError('memory_not_found', 'no fix'), 'input'), EXIT_CODES.usage);
    assert.equal(exitCodeForError(new PgHubError('hub_unreachable', 'down'), 'input'), EXIT_CODES.goalFailed);
    assert.equal(exitCodeForError(new Error('bug'), 'input'), EXIT_CODES.internal);
  });

  it("a stopped run's code gives the exit code of the result subtype the run driver reports for it", () => {
    const reasons: StopReason[] = [
      'max_turns',
      'max_budget_usd',
      'max_tokens',
      'timeout',
      'interrupted',
      'provider_outage',
    ];
    for (const reason of reasons)
      assert.equal(exitCodeForError(new RunStoppedError(reason)), exitCodeFor(subtypeForStop(reason)), reason);
    assert.equal(exitCodeForError(new RunStoppedError('provider_outage')), EXIT_CODES.providerOutage);
    assert.equal(exitCodeForError(new RunStoppedError('interrupted')), EXIT_CODES.interrupted);
  });
});

describe('the error classes', () => {
  it('live in src/errors/, one a file, and extend MuxSwarmError (but for the internal signals)', () => {
    for (const source of sources) {
      const classes = [...source.text.matchAll(/class (\w+) extends (\w*Error)\b/g)]
        .map((match) => ({ name: match[1]!, base: match[2]! }))
        .filter(({ name }) => !INTERNAL_SIGNALS.has(name));
      for (const { name, base } of classes) {
        assert.equal(
          relative(join('src', 'errors'), source.path).startsWith('..'),
          false,
          `${name} (${source.path}) is outside src/errors/`,
        );
        if (name !== 'MuxSwarmError') assert.notEqual(base, 'Error', `${name} extends Error, not MuxSwarmError`);
      }
      assert.ok(classes.length <= 1, `${source.path} holds ${classes.length} error classes`);
    }
  });
});
