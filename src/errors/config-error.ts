import { MuxSwarmError } from './mux-swarm-error.js';

export interface ConfigIssue {
  /** JSON path in the file, e.g. `agents[2].model`; empty for the whole file. */
  path: string;
  message: string;
}

/**
 * A configuration file (config.json, swarm.json, a goal) that cannot be used. The message has one line per
 * problem: `swarm.json: agents[2].model: required`.
 */
export class ConfigError extends MuxSwarmError {
  readonly file: string;
  readonly issues: ConfigIssue[];

  constructor(file: string, issues: ConfigIssue[], hint?: string) {
    const lines = issues.map((issue) => `${file}: ${issue.path ? `${issue.path}: ` : ''}${issue.message}`);
    super('config_invalid', hint ? `${lines.join('\n')}\n${hint}` : lines.join('\n'));
    this.file = file;
    this.issues = issues;
  }
}
