import type { FailureRecord, FixRecord } from '../../../state/failure-records.js';

/** A search result: the failure in a few lines, then its fixes best first. */
export function formatSearchResult(failure: FailureRecord, fixes: readonly FixRecord[]): string {
  const lines = [
    `${failure.fingerprint}  ${failure.type} (${failure.kind}), seen ${times(failure.occurrences)}, last ${shortDate(failure.lastSeenAt)}`,
    `  ${failure.message}`,
    ...(failure.frame ? [`  at ${failure.frame}`] : []),
  ];
  if (fixes.length === 0) lines.push('  no fix recorded yet');
  for (const fix of fixes)
    lines.push(
      `  fix ${fix.uid}  ${tally(fix)}  ${fix.description}${fix.files.length > 0 ? `  [${fix.files.join(', ')}]` : ''}`,
    );
  return lines.join('\n');
}

/** `memory show`: the signature, the example, and every fix in full. */
export function formatFailure(failure: FailureRecord, fixes: readonly FixRecord[]): string {
  const lines = [
    `failure ${failure.fingerprint}`,
    `kind:     ${failure.kind}`,
    `type:     ${failure.type}`,
    `message:  ${failure.message}`,
    `frame:    ${failure.frame ?? '—'}`,
    `seen:     ${times(failure.occurrences)}, first ${shortDate(failure.firstSeenAt)}, last ${shortDate(failure.lastSeenAt)}`,
    '',
    'Example',
    indent(failure.example || '(none)'),
    '',
    fixes.length === 0 ? 'No fix recorded yet.' : `Fixes (${fixes.length}, best first)`,
  ];
  for (const fix of fixes) {
    lines.push(
      '',
      `fix ${fix.uid}: ${tally(fix)} — ${fix.description}`,
      `  from ${fix.source}${fix.runId ? ` (run ${fix.runId})` : ''}, recorded ${shortDate(fix.createdAt)}, last used ${shortDate(fix.updatedAt)}`,
    );
    if (fix.files.length > 0) lines.push(`  files: ${fix.files.join(', ')}`);
    if (fix.explanation) lines.push('  explanation:', indent(fix.explanation, 4));
    if (fix.diff) lines.push('  diff:', indent(fix.diff, 4));
  }
  return lines.join('\n');
}

function tally(fix: FixRecord): string {
  return `worked ${fix.worked}, failed ${fix.failed}`;
}

function times(count: number): string {
  return count === 1 ? 'once' : `${count} times`;
}

function shortDate(timestamp: string): string {
  return timestamp.replace('T', ' ').slice(0, 19);
}

function indent(text: string, spaces = 2): string {
  const pad = ' '.repeat(spaces);
  return text
    .replace(/\n+$/u, '')
    .split('\n')
    .map((line) => (line === '' ? '' : pad + line))
    .join('\n');
}
