import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { formatDuration } from '../text/duration.js';
import { describeError } from '../errors/mux-swarm-error.js';
import type { CrashRecord } from './watchdog-crash-history.js';
import type { JournalPositionReader } from './watchdog-journal-position.js';

/** Lines of each crash's stderr repeated in the summary on stderr; the JSON file keeps them all. */
const SUMMARY_STDERR_LINES = 5;

const crashSchema = z.object({
  attempt: z.number().int(),
  pid: z.number().int(),
  startedAt: z.string(),
  endedAt: z.string(),
  reason: z.enum(['crashed', 'hung']),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  description: z.string(),
  stderrTail: z.array(z.string()),
});

/** The crash report file, `crash-report-<time>.json`, written when the watchdog gives up on a crash loop. */
export const crashReportSchema = z.object({
  schemaVersion: z.literal(1),
  createdAt: z.string(),
  reason: z.literal('crash-loop'),
  command: z.string(),
  args: z.array(z.string()),
  maxCrashes: z.number().int(),
  crashWindowMs: z.number(),
  attempts: z.number().int(),
  crashes: z.array(crashSchema),
  journalPosition: z
    .object({ runId: z.string(), status: z.string(), lastEventSeq: z.number().int().nullable(), database: z.string() })
    .nullable(),
  /** Why the journal position could not be read, when it could not. */
  journalPositionError: z.string().nullable(),
});
export type CrashReport = z.infer<typeof crashReportSchema>;

export interface CrashReportInput {
  command: string;
  args: readonly string[];
  maxCrashes: number;
  crashWindowMs: number;
  attempts: number;
  crashes: readonly CrashRecord[];
  journalPosition?: JournalPositionReader;
  nowMs: number;
}

export function buildCrashReport(input: CrashReportInput): CrashReport {
  let journalPosition: CrashReport['journalPosition'] = null;
  let journalPositionError: string | null = null;
  try {
    journalPosition = input.journalPosition?.() ?? null;
  } catch (error) {
    journalPositionError = describeError(error);
  }
  return {
    schemaVersion: 1,
    createdAt: new Date(input.nowMs).toISOString(),
    reason: 'crash-loop',
    command: input.command,
    args: [...input.args],
    maxCrashes: input.maxCrashes,
    crashWindowMs: input.crashWindowMs,
    attempts: input.attempts,
    crashes: input.crashes.map((crash) => ({
      attempt: crash.attempt,
      pid: crash.pid,
      startedAt: new Date(crash.startedAtMs).toISOString(),
      endedAt: new Date(crash.endedAtMs).toISOString(),
      reason: crash.reason,
      exitCode: crash.exitCode,
      signal: crash.signal,
      description: crash.description,
      stderrTail: [...crash.stderrTail],
    })),
    journalPosition,
    journalPositionError,
  };
}

/** Writes the report atomically into `directory`; returns its path. */
export function writeCrashReport(directory: string, report: CrashReport): string {
  mkdirSync(directory, { recursive: true });
  const path = join(directory, `crash-report-${report.createdAt.replace(/[:.]/g, '-')}.json`);
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(report, null, 2)}\n`);
  renameSync(temporary, path);
  return path;
}

/** The report for a person, for stderr: every crash, its last stderr lines, the journal position, what to do. */
export function formatCrashReport(report: CrashReport, path: string | undefined): string {
  const lines = [
    `mux-swarm watch: the worker crashed ${report.crashes.length} times, more than ${report.maxCrashes} within ${formatDuration(report.crashWindowMs)}: a crash loop, not restarting it.`,
  ];
  for (const crash of report.crashes) {
    const ranFor = formatDuration(Math.max(0, Date.parse(crash.endedAt) - Date.parse(crash.startedAt)));
    lines.push(
      `  attempt ${crash.attempt} (pid ${crash.pid}, ended ${crash.endedAt} after ${ranFor}): ${crash.description}`,
    );
    const tail = crash.stderrTail.slice(-SUMMARY_STDERR_LINES);
    if (tail.length === 0) lines.push('      (nothing on stderr)');
    for (const line of tail) lines.push(`      | ${line}`);
  }
  if (report.journalPosition !== null) {
    const position = report.journalPosition;
    lines.push(
      `  journal: run ${position.runId} (${position.status}), last event seq ${position.lastEventSeq ?? 'none'}, in ${position.database}`,
    );
  } else if (report.journalPositionError !== null) {
    lines.push(`  journal: could not be read: ${report.journalPositionError}`);
  } else {
    lines.push('  journal: no run recorded');
  }
  if (path !== undefined) lines.push(`  crash report: ${path}`);
  lines.push(
    'Find the cause in the stderr lines above (and the run log under .mux-swarm/runs/), fix it, then start the same command again: the run resumes from its journal.',
  );
  return `${lines.join('\n')}\n`;
}
