import type { FailureRecord, FixRecord } from '../../state/failure-store.js';

/** Fixes shown to an agent for one failure, best first. */
const SHOWN_FIXES = 3;
const MAX_DIFF_CHARS = 1_500;
const MAX_EXPLANATION_CHARS = 400;

/**
 * The known fixes of a failure as the agent reads them under the tool result: what was changed, in which files, the
 * diff, and how often it worked — or, when none is known, nothing (an empty string).
 */
export function knownFixesText(
  fingerprint: string,
  failure: FailureRecord | undefined,
  fixes: readonly FixRecord[],
): string {
  const useful = fixes
    .filter((fix) => fix.fingerprint === fingerprint && (fix.worked > 0 || fix.failed > 0))
    .slice(0, SHOWN_FIXES);
  const transient = failure !== undefined && failure.retryWorked > 0 && failure.retryFailed === 0;
  if (useful.length === 0 && !transient) return '';
  const seen =
    failure === undefined || failure.occurrences <= 1 ? '' : `, met ${failure.occurrences} times in this workdir`;
  const retried = transient
    ? `Seen to pass when simply run again with no change ${times(failure.retryWorked)} (and never to fail again unchanged): possibly transient.`
    : '';
  if (useful.length === 0)
    return `[mux-swarm memory] This error has no known fix (fingerprint ${fingerprint}${seen}). ${retried}`;
  const lines = [`[mux-swarm memory] This error has known fixes (fingerprint ${fingerprint}${seen}):`];
  useful.forEach((fix, index) => {
    const tally =
      fix.failed === 0 ? `worked ${times(fix.worked)}` : `worked ${fix.worked} of ${fix.worked + fix.failed} times`;
    lines.push(
      `${index + 1}. ${fix.description} — ${tally}${fix.worked === 0 ? ': it did NOT fix it, do not repeat it' : ''} (fix ${fix.uid}).`,
    );
    if (fix.explanation) lines.push(`   Why: ${clip(fix.explanation.replace(/\s+/g, ' '), MAX_EXPLANATION_CHARS)}`);
    if (fix.files.length > 0) lines.push(`   Files: ${fix.files.join(', ')}`);
    if (fix.diff) lines.push(indent(clip(fix.diff, MAX_DIFF_CHARS)));
  });
  if (transient) lines.push(`Also: ${retried[0]!.toLowerCase()}${retried.slice(1)}`);
  lines.push(
    'Check whether one applies here before trying something new; `mux-swarm memory show <fingerprint>` has the whole record.',
  );
  return lines.join('\n');
}

function times(count: number): string {
  return `${count} time${count === 1 ? '' : 's'}`;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

function indent(text: string): string {
  return text
    .replace(/\n$/, '')
    .split('\n')
    .map((line) => `   ${line}`)
    .join('\n');
}
