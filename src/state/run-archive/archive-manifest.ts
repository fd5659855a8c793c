import { z } from 'zod';

export const ARCHIVE_FORMAT = 'mux-swarm-run-export';
export const ARCHIVE_SCHEMA_VERSION = 1;
/** Entries at the top of an export archive; the workdir's files are under WORKDIR_PREFIX. */
export const MANIFEST_ENTRY = 'manifest.json';
export const DATABASE_ENTRY = 'state.db';
export const WORKDIR_PREFIX = 'workdir';

/** What an export archive says about itself, read back through zod on import. */
export const archiveManifestSchema = z.object({
  format: z.literal(ARCHIVE_FORMAT),
  schemaVersion: z.number().int().positive(),
  runId: z.string().min(1),
  goalName: z.string(),
  runStatus: z.string(),
  exportedAt: z.string(),
  muxSwarmVersion: z.string(),
  sourceHostname: z.string(),
  /** Where the source workdir was (for the record only: every stored path is relative to the workdir). */
  sourceWorkdir: z.string(),
  /** The state directory, relative to the workdir. */
  stateDirectory: z.string(),
  /** The state database's user_version at export. */
  databaseSchemaVersion: z.number().int().min(0),
  files: z.number().int().min(0),
});
export type ArchiveManifest = z.infer<typeof archiveManifestSchema>;
