import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPOSITORY_ROOT } from './run-cli.js';

/** What `npm pack --json` says of the tarball it wrote. */
export interface PackedTarball {
  /** Absolute path of the .tgz. */
  path: string;
  /** Every path in it, relative to the package root. */
  files: string[];
}

/** The environment for a child npm: the caller's, less the npm_* variables an enclosing `npm test` sets (its prefix, its scripts). */
function npmEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
}

/** Runs npm and returns its stdout; throws with its stderr when it fails. */
function npm(args: string[], cwd: string, timeoutMs: number): string {
  const result = spawnSync('npm', args, {
    cwd,
    env: npmEnvironment(),
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(
      `npm ${args.join(' ')} exited ${result.status ?? result.signal ?? result.error?.message}:\n${result.stderr}`,
    );
  return result.stdout;
}

/**
 * `npm pack` of the package in `directory` into `destination`. With `ignoreScripts` the `prepack` build does not run:
 * the suite packs the repository's dist/ as `npm test` just built it, without rewriting it under the other tests.
 */
export function pack(directory: string, destination: string, options: { ignoreScripts: boolean }): PackedTarball {
  const output = npm(
    ['pack', '--json', '--pack-destination', destination, ...(options.ignoreScripts ? ['--ignore-scripts'] : [])],
    directory,
    300_000,
  );
  // prepack's own output (the build) comes before the JSON on stdout.
  const [entry] = JSON.parse(output.slice(output.indexOf('[\n'))) as Array<{
    filename: string;
    files: Array<{ path: string }>;
  }>;
  if (!entry) throw new Error(`npm pack wrote no tarball:\n${output}`);
  return { path: join(destination, entry.filename), files: entry.files.map((file) => file.path) };
}

/**
 * `npm install -g --prefix <prefix> <tarball>`: the package and its dependencies into an empty prefix, from npm's
 * cache where it has them (`--prefer-offline`) and the registry otherwise. With `ignoreScripts`, dependencies'
 * install scripts do not run (better-sqlite3 then has no compiled addon: fine for commands that open no database).
 * Returns the installed command, `<prefix>/bin/mux-swarm`.
 */
export function installGlobally(
  tarball: string,
  prefix: string,
  options: { ignoreScripts: boolean; timeoutMs: number },
): string {
  npm(
    [
      'install',
      '--global',
      '--prefix',
      prefix,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      ...(options.ignoreScripts ? ['--ignore-scripts'] : []),
      tarball,
    ],
    dirname(tarball),
    options.timeoutMs,
  );
  return join(prefix, 'bin', 'mux-swarm');
}

/** What a clean checkout holds that packing needs: the sources the prepack build compiles, and every shipped file. */
const PACKAGE_SOURCES = [
  'package.json',
  'package-lock.json',
  '.npmrc',
  'tsconfig.json',
  'src',
  'bin',
  'schemas',
  'skills',
  'goals',
  'docs',
  'config.json',
  'swarm.json',
  'README.md',
  'LICENSE',
];

/** Copies the repository's package sources to `directory` (node_modules linked, no dist/), for a pack that builds. */
export function copyPackageSources(directory: string): void {
  for (const entry of PACKAGE_SOURCES) {
    if (existsSync(join(REPOSITORY_ROOT, entry)))
      cpSync(join(REPOSITORY_ROOT, entry), join(directory, entry), { recursive: true });
  }
  symlinkSync(join(REPOSITORY_ROOT, 'node_modules'), join(directory, 'node_modules'));
}

/** The paths a package must ship for `mux-swarm` to run from it (what it reads at run time), and a few it must not. */
export const REQUIRED_IN_PACKAGE = [
  'LICENSE',
  'README.md',
  'package.json',
  'bin/mux-swarm',
  'dist/cli/main.js',
  'schemas/config.schema.json',
  'schemas/swarm.schema.json',
  'config.json',
  'swarm.json',
  'goals/example.md',
  'skills/README.md',
  'skills/.shared/skill_io.py',
  'skills/qlora-training/SKILL.md',
];
/** Tests, fixtures, sources, benches and source maps stay out of the package. */
export const FORBIDDEN_IN_PACKAGE = /^(test|src|bench|node_modules)\/|\.map$|\.ts$|^tsconfig/;
