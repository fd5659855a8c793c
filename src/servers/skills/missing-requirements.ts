import { findExecutable } from '../../supervisor/executable-lookup.js';
import type { MissingRequirements, SkillRequirements } from './skill-catalog.js';

/**
 * What `requirements` lack in `environment`: variables unset or empty there, programs not found on its PATH.
 * Undefined when nothing is missing.
 */
export function findMissingRequirements(
  requirements: SkillRequirements,
  environment: NodeJS.ProcessEnv,
): MissingRequirements | undefined {
  const searchPath = environment.PATH;
  const missing: MissingRequirements = {
    env: requirements.env.filter((variable) => (environment[variable] ?? '') === ''),
    bins: requirements.bins.filter((program) => findExecutable(program, searchPath) === undefined),
    anyBins:
      requirements.anyBins.length > 0 &&
      requirements.anyBins.every((program) => findExecutable(program, searchPath) === undefined)
        ? [...requirements.anyBins]
        : [],
  };
  return missing.env.length + missing.bins.length + missing.anyBins.length === 0 ? undefined : missing;
}

/** The missing requirements in words, e.g. `environment variable HF_TOKEN is not set; program "nvidia-smi" is not on the PATH`. */
export function describeMissingRequirements(missing: MissingRequirements): string {
  const parts: string[] = [];
  if (missing.env.length > 0) {
    parts.push(
      missing.env.length === 1
        ? `environment variable ${missing.env[0]} is not set`
        : `environment variables ${missing.env.join(', ')} are not set`,
    );
  }
  if (missing.bins.length > 0) {
    const programs = missing.bins.map((program) => `"${program}"`).join(', ');
    parts.push(
      missing.bins.length === 1
        ? `program ${programs} is not on the PATH (or not executable)`
        : `programs ${programs} are not on the PATH (or not executable)`,
    );
  }
  if (missing.anyBins.length > 0) {
    parts.push(
      `none of the programs ${missing.anyBins.map((program) => `"${program}"`).join(', ')} is on the PATH (one is needed)`,
    );
  }
  return parts.join('; ');
}
