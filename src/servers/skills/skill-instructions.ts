import { describeMissingRequirements } from './missing-requirements.js';
import type { Skill } from './skill-catalog.js';
import type { SkillFolderFiles } from './skill-folder-files.js';

/** Placeholders a SKILL.md may use for its own folder (OpenClaw's `{baseDir}`, and two common spellings). */
export const SKILL_DIRECTORY_PLACEHOLDERS = ['${SKILL_DIR}', '{baseDir}', '{skillDir}'] as const;

/** The body with every skill-folder placeholder replaced by `directory`. */
export function fillSkillPlaceholders(body: string, directory: string): string {
  let filled = body;
  for (const placeholder of SKILL_DIRECTORY_PLACEHOLDERS) filled = filled.split(placeholder).join(directory);
  return filled;
}

/**
 * What read_skill returns to the model: a warning first when requirements are missing, then the skill's folder,
 * the other files in it, and the body with placeholders filled in.
 */
export function renderSkillInstructions(skill: Skill, folder: SkillFolderFiles): string {
  const lines: string[] = [];
  if (skill.missing !== undefined) {
    lines.push(
      `WARNING: skill "${skill.name}" is unavailable here: ${describeMissingRequirements(skill.missing)}. ` +
        'Steps that need what is missing will fail; say so in your report rather than working around it blindly.',
    );
  }
  lines.push(`Skill "${skill.name}" — folder: ${skill.directory} (relative paths below are relative to this folder).`);
  if (folder.files.length === 0) {
    lines.push('Other files in the folder: none.');
  } else {
    lines.push('Other files in the folder:');
    for (const file of folder.files) lines.push(`- ${file}`);
    if (folder.omitted > 0) lines.push(`- … and ${folder.omitted} more`);
  }
  lines.push('', fillSkillPlaceholders(skill.body, skill.directory));
  return lines.join('\n');
}
