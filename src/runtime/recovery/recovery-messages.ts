import type { RecoveryReport } from './recovery-report.js';

/**
 * How the recovery report reaches the agent that works the goal: at the head of its task when its delegation
 * starts, or as a message from the runtime when its delegation resumes from a transcript after a restart.
 */

/** The task of a new root delegation: the report (when it says anything) before the task itself. */
export function taskWithRecoveryReport(report: RecoveryReport, task: string): string {
  return report.informative ? `${report.text.trimEnd()}\n\n---\n\n${task}` : task;
}

/** How every restart message begins: tools that compare transcripts across restarts can recognise it. */
export const RESTART_MESSAGE_PREFIX = 'mux-swarm stopped and was started again';

/** The message added to a resumed root delegation's transcript before its next model call. */
export function restartMessage(report: RecoveryReport, session: number): string {
  return (
    `${RESTART_MESSAGE_PREFIX} (session ${session} of this run). Your conversation above is intact; ` +
    `below is what mux-swarm found when it started again. Continue from it: do not redo what it shows as done.\n\n${report.text.trimEnd()}`
  );
}
