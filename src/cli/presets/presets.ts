import { ConfigError } from '../../errors/config-error.js';
import { localDevTeam } from './local-dev-team.js';
import type { Preset } from './preset.js';

/** Every preset `init --preset` knows, by name. */
export const PRESETS: readonly Preset[] = [localDevTeam];

/** The preset of that name; a ConfigError (exit 2) listing the presets when there is none. */
export function findPreset(name: string): Preset {
  const preset = PRESETS.find((candidate) => candidate.name === name);
  if (preset) return preset;
  const list = PRESETS.map((candidate) => `  ${candidate.name}: ${candidate.description}`).join('\n');
  throw new ConfigError(
    'command line',
    [{ path: '--preset', message: `no preset "${name}"` }],
    `The presets are:\n${list}`,
  );
}
