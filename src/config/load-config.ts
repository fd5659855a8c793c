import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { ConfigError, type ConfigIssue } from '../errors/config-error.js';
import { environmentSecrets } from '../logging/environment-secrets.js';
import { isSecretEnvironmentName, secretHeaderValues } from '../logging/secret-names.js';
import { SecretScrubber } from '../logging/secret-scrubber.js';
import { configSchema, type Config } from './config-schema.js';
import { formatIssues } from './format-issues.js';
import { interpolateEnvironment } from './interpolate.js';
import { readJsonFile } from './json-file.js';

export interface LoadedConfig {
  /** Absolute path of the file. */
  file: string;
  /** How the file is named in messages: relative to the current directory when inside it. */
  label: string;
  config: Config;
  /** Absolute working directory of agents. */
  workdir: string;
  /** Absolute roots the filesystem tools may touch; the workdir's root first. */
  allowedRoots: string[];
  /** Absolute state directory (database, logs, spilled results). */
  stateDirectory: string;
  /**
   * Secret values to scrub from anything stored, printed or sent: every secret of the environment (environmentSecrets:
   * secret-named variables, key shapes, URL passwords), whether config.json refers to it or not, and the secrets
   * config.json names (provider keys, secret headers, secret-named `env` entries of servers). The scrubber ignores
   * values too short or too common to be secrets.
   */
  secrets: string[];
  /**
   * The process's one scrubber of `secrets`, built here once: the run's store, events, logs, tool results, servers'
   * files, reports and exports all use it.
   */
  scrubber: SecretScrubber;
}

export interface LoadConfigOptions {
  path: string;
  environment: NodeJS.ProcessEnv;
  /** Directory relative paths on the command line are resolved from. */
  currentDirectory: string;
  /** `--workdir`, relative to the current directory. */
  workdirOverride?: string;
}

export const CONFIG_MISSING_HINT =
  'Run `mux-swarm init` to write a starter config.json, swarm.json and goal, or pass --config <path>.';

export function displayPath(file: string, currentDirectory: string): string {
  const relativePath = relative(currentDirectory, file);
  return relativePath && !relativePath.startsWith('..') && !isAbsolute(relativePath) ? relativePath : file;
}

export function loadConfig(options: LoadConfigOptions): LoadedConfig {
  const file = resolve(options.currentDirectory, options.path);
  const label = displayPath(file, options.currentDirectory);
  const raw = readJsonFile(file, label, CONFIG_MISSING_HINT);

  const disabledServer = (path: PropertyKey[], value: unknown): boolean =>
    path.length === 2 &&
    path[0] === 'mcpServers' &&
    typeof value === 'object' &&
    value !== null &&
    (value as { enabled?: unknown }).enabled === false;
  const interpolated = interpolateEnvironment(raw, options.environment, disabledServer);
  if (interpolated.issues.length > 0) throw new ConfigError(label, interpolated.issues);

  const parsed = configSchema.safeParse(interpolated.value);
  if (!parsed.success)
    throw new ConfigError(label, formatIssues(parsed.error.issues, interpolated.value, configSchema));
  const config = parsed.data;

  const configDirectory = dirname(file);
  const workdir = options.workdirOverride
    ? resolve(options.currentDirectory, options.workdirOverride)
    : config.filesystem.workdir
      ? resolve(configDirectory, config.filesystem.workdir)
      : options.currentDirectory;

  const issues: ConfigIssue[] = [];
  if (existsSync(workdir) && !statSync(workdir).isDirectory()) {
    issues.push({ path: 'filesystem.workdir', message: `${workdir} exists and is not a directory` });
  }
  const allowedRoots = (config.filesystem.allowedRoots ?? ['.']).map((root) => resolve(workdir, root));
  const workdirRootIndex = allowedRoots.findIndex(
    (root) => workdir === root || workdir.startsWith(root.endsWith(sep) ? root : root + sep),
  );
  if (workdirRootIndex < 0) {
    issues.push({
      path: 'filesystem.allowedRoots',
      message: `none of the roots contains the workdir ${workdir}; add "." to allowedRoots (roots are relative to the workdir)`,
    });
  } else {
    allowedRoots.unshift(...allowedRoots.splice(workdirRootIndex, 1));
  }
  if (issues.length > 0) throw new ConfigError(label, issues);

  const secrets = collectSecrets(config, options.environment, interpolated.secrets);
  return {
    file,
    label,
    config,
    workdir,
    allowedRoots: [...new Set(allowedRoots)],
    stateDirectory: resolve(workdir, config.stateDir),
    secrets,
    scrubber: new SecretScrubber(secrets),
  };
}

function collectSecrets(config: Config, environment: NodeJS.ProcessEnv, substituted: string[]): string[] {
  const secrets = new Set([...substituted, ...environmentSecrets(environment)]);
  for (const provider of Object.values(config.providers)) {
    const key = provider.apiKeyEnv ? environment[provider.apiKeyEnv] : undefined;
    if (key) secrets.add(key);
    for (const value of secretHeaderValues(provider.headers)) secrets.add(value);
  }
  for (const value of secretHeaderValues(config.telemetry?.otlp.headers ?? {})) secrets.add(value);
  for (const server of Object.values(config.mcpServers)) {
    if (server.type === 'http' || server.type === 'streamable-http' || server.type === 'sse') {
      for (const value of secretHeaderValues(server.headers)) secrets.add(value);
    }
    // Literal values of secret-named variables a server is started with: `"env": {"API_TOKEN": "…"}`.
    const variables =
      server.type === 'stdio'
        ? server.env
        : server.type === 'builtin' && 'env' in server.options
          ? server.options.env
          : {};
    for (const [name, value] of Object.entries(variables))
      if (isSecretEnvironmentName(name) && value !== '') secrets.add(value);
  }
  return [...secrets];
}
