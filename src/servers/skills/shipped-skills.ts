import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../config/package-root.js';

/** The skills that ship with mux-swarm: `skills/` at the package root, so a project made with `init` reaches them with no setting. */
export const SHIPPED_SKILLS_DIRECTORY = join(PACKAGE_ROOT, 'skills');
