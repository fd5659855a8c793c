import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EvaluationSpec } from '../../src/pg-hub/evaluation.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'pg-hub', 'tiny-repo');

/** How every node evaluates the tiny repository: `sh eval.sh <seed>`, loss on stdout, lower is better. */
export const EVALUATION: EvaluationSpec = {
  command: ['sh', 'eval.sh', '{seed}'],
  script: 'eval.sh',
  metric: { name: 'loss', direction: 'lower' },
  timeoutMs: 20_000,
};
export const SEEDS = [1, 2, 3];
/** What a breakthrough may touch: the parameters and src/. README.md and eval.sh are off limits. */
export const ALLOWED_PATHS = ['params.json', 'src/**'];

export function gitSync(repo: string, args: string[]): string {
  const result = spawnSync('git', ['-C', repo, ...args], {
    encoding: 'utf8',
    env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
  });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} in ${repo} failed: ${result.stderr}`);
  return result.stdout.trim();
}

/** A bare "origin" holding the fixture as one commit on main; returns its path and that commit. */
export function createOrigin(directory: string): { origin: string; initial: string } {
  const seed = join(directory, 'seed');
  cpSync(FIXTURE, seed, { recursive: true });
  gitSync(seed, ['init', '--quiet', '--initial-branch=main']);
  configureIdentity(seed, 'seed');
  gitSync(seed, ['add', '-A']);
  gitSync(seed, ['commit', '--quiet', '-m', 'tiny repository']);
  const origin = join(directory, 'origin.git');
  spawnSync('git', ['clone', '--quiet', '--bare', seed, origin]);
  return { origin, initial: gitSync(seed, ['rev-parse', 'HEAD']) };
}

/** A node's own clone of origin, with its own git identity. */
export function cloneFor(origin: string, directory: string, node: string): string {
  const repo = join(directory, node);
  const result = spawnSync('git', ['clone', '--quiet', origin, repo], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git clone failed: ${result.stderr}`);
  configureIdentity(repo, node);
  return repo;
}

/** Writes files (relative paths) and commits them; returns the new commit. */
export function commitFiles(repo: string, files: Record<string, string>, message: string): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), content);
  }
  gitSync(repo, ['add', '-A']);
  gitSync(repo, ['commit', '--quiet', '-m', message]);
  return gitSync(repo, ['rev-parse', 'HEAD']);
}

function configureIdentity(repo: string, node: string): void {
  gitSync(repo, ['config', 'user.name', node]);
  gitSync(repo, ['config', 'user.email', `${node}@example.invalid`]);
}
