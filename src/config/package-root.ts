import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root (where package.json, bin/, skills/, schemas/, the shipped config.json, swarm.json and goals/ live).
 * This module is two folders below it wherever it runs: `src/config/`, `dist/config/`, or a chunk of the bundle in
 * `dist/bundle/`. Every path into the installation is taken from here, so the bundle finds them too.
 */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
