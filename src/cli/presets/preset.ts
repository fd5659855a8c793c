/** A ready team `init --preset <name>` writes: its files, and what to do next. */
export interface Preset {
  name: string;
  /** One line for the list of presets. */
  description: string;
  /** Files to write, by path relative to the target directory. */
  files: Record<string, string>;
  /** The "Next:" lines printed after writing, for a project in `where` (a path relative to the current directory). */
  nextSteps(where: string): string[];
}
