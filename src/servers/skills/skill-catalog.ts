/** What a skill needs from the place it runs in, as its SKILL.md declares it. */
export interface SkillRequirements {
  /** Environment variables that must be set (and not empty). */
  env: string[];
  /** Programs that must all be found: bare names on the PATH, or absolute paths. */
  bins: string[];
  /** Programs of which at least one must be found (OpenClaw's `anyBins`). */
  anyBins: string[];
}

/** The requirements that are not met; every list empty means the skill is available. */
export interface MissingRequirements {
  env: string[];
  bins: string[];
  /** The whole `anyBins` list when none of it was found; otherwise empty. */
  anyBins: string[];
}

/** A usable skill: the one of its name found first in the search order. */
export interface Skill {
  name: string;
  /** One line: what the skill does and when to use it. */
  description: string;
  /** Agents the skill is meant for; undefined means every agent. */
  agents: string[] | undefined;
  requirements: SkillRequirements;
  /** What is missing here, or undefined when the skill is available. */
  missing: MissingRequirements | undefined;
  /** Absolute path of the skill's folder. */
  directory: string;
  /** Absolute path of its SKILL.md. */
  file: string;
  /** The searched directory the skill was found in. */
  searchDirectory: string;
  /** The markdown of SKILL.md after the front matter, placeholders not yet filled in. */
  body: string;
}

/** A skill hidden by one of the same name found earlier in the search order. */
export interface ShadowedSkill {
  name: string;
  agents: string[] | undefined;
  /** Absolute path of the hidden skill's folder. */
  directory: string;
  /** Folder of the skill that is used instead. */
  shadowedBy: string;
}

/** A SKILL.md (or a search directory) that could not be used, and why. */
export interface InvalidSkill {
  /** The SKILL.md, or the search directory when the directory itself could not be read. */
  path: string;
  /** What is wrong and, where it helps, what to write instead. */
  problem: string;
}

/** Everything one scan of the skill directories found. */
export interface SkillCatalog {
  /** The directories searched, in order of precedence (absolute). */
  directories: string[];
  /** Usable skills, sorted by name. */
  skills: Skill[];
  shadowed: ShadowedSkill[];
  invalid: InvalidSkill[];
}

/** Whether a skill declaring `agents` is meant for `agent`: a skill without the field is meant for everyone. */
export function isMeantForAgent(agents: string[] | undefined, agent: string): boolean {
  return agents === undefined || agents.includes(agent);
}

/** The catalog as `agent` sees it: skills and shadowed entries meant for others are left out; problems stay. */
export function catalogForAgent(catalog: SkillCatalog, agent: string | undefined): SkillCatalog {
  if (agent === undefined) return catalog;
  return {
    ...catalog,
    skills: catalog.skills.filter((skill) => isMeantForAgent(skill.agents, agent)),
    shadowed: catalog.shadowed.filter((entry) => isMeantForAgent(entry.agents, agent)),
  };
}
