import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { MuxSwarmError } from '../../errors/mux-swarm-error.js';
import type { CommandOutcome } from '../command-outcome.js';
import { createConfiguredDirectories } from '../configured-directories.js';
import { PACKAGE_ROOT } from '../package-info.js';
import { withPackageSchema } from '../schema-reference.js';
import { findPreset, PRESETS } from '../presets/presets.js';
import type { Preset } from '../presets/preset.js';

/** The shipped defaults a new project starts from (the same files the package itself runs with). */
const STARTER_FILES = ['config.json', 'swarm.json', 'goals/example.md'];
const DEFAULT_OLLAMA_MODEL = 'qwen2.5-coder:7b';

interface InitOptions {
  force?: boolean;
  ollama?: string | boolean;
  preset?: string;
}

export function registerInitCommand(program: Command, outcome: CommandOutcome): void {
  program
    .command('init')
    .description('write a working starter config.json, swarm.json and goals/example.md')
    .argument('[dir]', 'where to write them', '.')
    .option('--force', 'overwrite files that exist')
    .option('--ollama [model]', `put every agent on the local Ollama provider (model default: ${DEFAULT_OLLAMA_MODEL})`)
    .addOption(
      new Option(
        '--preset <name>',
        `write a ready team instead of the starter: ${PRESETS.map((preset) => preset.name).join(', ')}`,
      ).conflicts('ollama'),
    )
    .action((directory: string, options: InitOptions) => {
      const target = resolve(directory);
      if (options.preset !== undefined) {
        writePreset(findPreset(options.preset), target, options.force === true);
        outcome.exitCode = 0;
        return;
      }
      const existing = STARTER_FILES.filter((file) => existsSync(join(target, file)));
      if (existing.length > 0 && !options.force) {
        throw new MuxSwarmError(
          'init_would_overwrite',
          `${existing.map((file) => join(target, file)).join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written. Use --force to overwrite, or choose another directory.`,
        );
      }
      for (const file of STARTER_FILES) {
        mkdirSync(dirname(join(target, file)), { recursive: true });
        // config.json and swarm.json name their JSON Schema, so editors check and complete them (docs/configuration.md).
        writeFileSync(
          join(target, file),
          withPackageSchema(file, readFileSync(join(PACKAGE_ROOT, file), 'utf8'), dirname(join(target, file))),
        );
      }
      // With a key as well, every agent keeps its hosted model first and fails over to the local one (docs/failover.md).
      const keyToo =
        options.ollama !== undefined && options.ollama !== false && Boolean(process.env[STARTER_KEY_VARIABLE]?.trim());
      if (options.ollama) {
        const model = typeof options.ollama === 'string' ? options.ollama : DEFAULT_OLLAMA_MODEL;
        const swarmPath = join(target, 'swarm.json');
        const swarm = JSON.parse(readFileSync(swarmPath, 'utf8')) as {
          orchestrator: Record<string, unknown>;
          agents: Array<Record<string, unknown>>;
        };
        for (const agent of [swarm.orchestrator, ...swarm.agents]) {
          if (keyToo) {
            agent.model = [`${String(agent.provider)}/${String(agent.model)}`, `ollama/${model}`];
            delete agent.provider;
          } else Object.assign(agent, { provider: 'ollama', model });
        }
        writeFileSync(swarmPath, `${JSON.stringify(swarm, null, 2)}\n`);
      }
      createConfiguredDirectories(target);
      const where = relative(process.cwd(), target) || '.';
      process.stdout.write(
        [
          `Wrote ${STARTER_FILES.map((file) => join(where, file)).join(', ')}.`,
          'Next:',
          keyToo
            ? `  1. start Ollama (\`ollama serve\`) and pull the model: every agent asks OpenRouter first (${STARTER_KEY_VARIABLE} is set) and fails over to the local model (docs/failover.md)`
            : options.ollama
              ? '  1. start Ollama (`ollama serve`) and pull the model the agents use'
              : '  1. export OPENROUTER_API_KEY=<your key>   (or re-run with --ollama for a local model)',
          `  2. ${where === '.' ? '' : `cd ${where} && `}mux-swarm status`,
          `  3. mux-swarm run goals/example.md`,
          '',
        ].join('\n'),
      );
      outcome.exitCode = 0;
    });
}

/** The key the starter config's hosted provider reads. */
const STARTER_KEY_VARIABLE = 'OPENROUTER_API_KEY';

/** Writes a preset's files into `target` (refusing to overwrite without `force`) and prints what to do next. */
function writePreset(preset: Preset, target: string, force: boolean): void {
  const files = Object.keys(preset.files);
  const existing = files.filter((file) => existsSync(join(target, file)));
  if (existing.length > 0 && !force) {
    throw new MuxSwarmError(
      'init_would_overwrite',
      `${existing.map((file) => join(target, file)).join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing was written. Use --force to overwrite, or choose another directory.`,
    );
  }
  for (const [file, content] of Object.entries(preset.files)) {
    const path = join(target, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, withPackageSchema(file, content, dirname(path)));
    if (file.endsWith('.sh')) chmodSync(path, 0o755);
  }
  createConfiguredDirectories(target);
  const where = relative(process.cwd(), target) || '.';
  process.stdout.write(
    [
      `Wrote the ${preset.name} preset: ${files.map((file) => join(where, file)).join(', ')}.`,
      'Next:',
      ...preset.nextSteps(where),
      '',
    ].join('\n'),
  );
}
