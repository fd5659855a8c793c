import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The skills that ship with mux-swarm: `skills/` at the package root (this file is `<root>/{src,dist}/servers/skills/`),
 * so a project made with `init` reaches them with no setting.
 */
export const SHIPPED_SKILLS_DIRECTORY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'skills');
