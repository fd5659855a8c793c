import { isAbsolute, normalize, relative } from 'node:path';
import type { ToolCallRow } from '../../state/run-queries.js';
import { diffStat, lineCounts } from './diff-stat.js';
import { parseArguments } from './launch-view.js';
import { briefText, code, escapeMarkdown, markdownTable, none } from './markdown-format.js';
import type { ReportData } from './report-data.js';
import { recordedChange } from './report-failures.js';

/** The filesystem server's tools that change files, by the name after the server's prefix (`fs__edit_file` → `edit_file`). */
const WRITE_TOOLS = ['write_file', 'edit_file', 'move_file', 'create_directory'] as const;
type WriteTool = (typeof WRITE_TOOLS)[number];

/** One change to a file: a filesystem tool call that wrote it, or a change failure memory saw before a relaunch. */
export interface FileChange {
  at: string;
  agent: string | null;
  /** A filesystem tool (`edit_file`, `write_file`, `move_file`, `create_directory`), or `relaunch`: seen by failure memory in the workdir before a failed step was launched again. */
  how: WriteTool | 'relaunch';
  /** The tool call's journal id: the write, or the call that relaunched the step. */
  callId: string | null;
  /** Lines added and removed, where the recorded diff tells them (edit_file's result, the relaunch's change). */
  added: number | null;
  removed: number | null;
  /** write_file: the lines written. */
  linesWritten: number | null;
  /** move_file: the other path (the source, for the destination's row; the destination, for the source's). */
  movedFrom?: string;
  movedTo?: string;
  /** relaunch: the step launched again. */
  step?: string;
}

/** A file the agents changed during the run, with its changes in order. */
export interface ChangedFile {
  /** Relative to the run's workdir where it lies inside it. */
  path: string;
  agents: string[];
  /** Filesystem tool calls that changed it. */
  edits: number;
  /** Relaunches whose change (as failure memory saw it) included it. */
  relaunches: number;
  /** Lines added and removed by the edits whose diff is known (else by the relaunches' changes); null when none is. */
  added: number | null;
  removed: number | null;
  firstAt: string;
  lastAt: string;
  changes: FileChange[];
}

/** A delegation that ended, and what its agent said it did. */
export interface DelegationSummary {
  delegationId: string;
  agent: string;
  status: string | null;
  endedAt: string;
  summary: string;
}

export interface ChangesSection {
  /** By when each file was first changed. */
  files: ChangedFile[];
  /** The delegations that ended, in the order they ended: the agents' own words on what they did. */
  delegations: DelegationSummary[];
}

/** The files the agents changed: their filesystem tool calls that wrote, and the changes failure memory recorded before relaunches. */
export function changesSection(data: ReportData): ChangesSection {
  const changes: Array<{ path: string; change: FileChange }> = [
    ...data.toolCalls.flatMap((call) => toolCallChanges(call, data.workdir)),
    ...data.failureSteps.flatMap((step) => {
      const stored = recordedChange(step.change_json);
      if (stored === null || step.relaunched_at === null) return [];
      const stats = stored.diff === null ? [] : diffStat(stored.diff);
      const relauncher = data.toolCalls.find((call) => call.id === step.relaunch_call);
      return stored.files.map((file) => {
        const stat = stats.filter((entry) => entry.file === file);
        const known = stat.length > 0;
        return {
          path: file,
          change: {
            at: step.relaunched_at!,
            agent: relauncher?.agent ?? step.agent,
            how: 'relaunch' as const,
            callId: step.relaunch_call,
            added: known ? stat.reduce((sum, entry) => sum + entry.added, 0) : null,
            removed: known ? stat.reduce((sum, entry) => sum + entry.removed, 0) : null,
            linesWritten: null,
            step: step.step_key,
          },
        };
      });
    }),
  ];
  const byPath = new Map<string, FileChange[]>();
  for (const { path, change } of changes) byPath.set(path, [...(byPath.get(path) ?? []), change]);
  const files = [...byPath].map(([path, fileChanges]) =>
    changedFile(
      path,
      fileChanges.sort((left, right) => left.at.localeCompare(right.at)),
    ),
  );
  const delegations = data.delegations
    .flatMap((delegation) =>
      delegation.ended_at === null
        ? []
        : [
            {
              delegationId: delegation.id,
              agent: delegation.agent,
              status: delegation.status,
              endedAt: delegation.ended_at,
              summary: delegation.summary ?? '',
            },
          ],
    )
    .sort((left, right) => left.endedAt.localeCompare(right.endedAt));
  return {
    files: files.sort(
      (left, right) => left.firstAt.localeCompare(right.firstAt) || left.path.localeCompare(right.path),
    ),
    delegations,
  };
}

function changedFile(path: string, changes: FileChange[]): ChangedFile {
  const edits = changes.filter((change) => change.how !== 'relaunch');
  // The edits' own diffs where they are known; else what failure memory saw before the relaunches.
  const counted = edits.some((change) => change.added !== null)
    ? edits
    : changes.filter((change) => change.how === 'relaunch');
  const known = counted.filter((change) => change.added !== null);
  return {
    path,
    agents: [...new Set(changes.flatMap((change) => (change.agent === null ? [] : [change.agent])))],
    edits: edits.length,
    relaunches: changes.length - edits.length,
    added: known.length === 0 ? null : known.reduce((sum, change) => sum + (change.added ?? 0), 0),
    removed: known.length === 0 ? null : known.reduce((sum, change) => sum + (change.removed ?? 0), 0),
    firstAt: changes[0]!.at,
    lastAt: changes.at(-1)!.at,
    changes,
  };
}

/** What a successful filesystem tool call changed: one file, or both ends of a move; nothing for other calls or a dry run. */
function toolCallChanges(call: ToolCallRow, workdir: string | undefined): Array<{ path: string; change: FileChange }> {
  const tool = WRITE_TOOLS.find((name) => call.name.endsWith(`__${name}`));
  if (tool === undefined || call.is_error !== 0) return [];
  const args = parseArguments(call.arguments_json);
  const base = {
    at: call.started_at,
    agent: call.agent,
    how: tool,
    callId: call.id,
    added: null,
    removed: null,
    linesWritten: null,
  };
  const path = (value: unknown) =>
    typeof value === 'string' && value !== '' ? workdirRelative(value, workdir) : undefined;
  switch (tool) {
    case 'edit_file': {
      const target = path(args.path);
      if (target === undefined || args.dryRun === true) return [];
      const stats = diffStat(call.result_text ?? '');
      const known = stats.length > 0;
      return [
        {
          path: target,
          change: {
            ...base,
            added: known ? stats.reduce((sum, stat) => sum + stat.added, 0) : null,
            removed: known ? stats.reduce((sum, stat) => sum + stat.removed, 0) : null,
          },
        },
      ];
    }
    case 'write_file': {
      const target = path(args.path);
      if (target === undefined) return [];
      return [
        {
          path: target,
          change: { ...base, linesWritten: typeof args.content === 'string' ? lineCount(args.content) : null },
        },
      ];
    }
    case 'create_directory': {
      const target = path(args.path);
      return target === undefined ? [] : [{ path: `${target}/`, change: base }];
    }
    case 'move_file': {
      const source = path(args.source);
      const destination = path(args.destination);
      if (source === undefined || destination === undefined) return [];
      return [
        { path: source, change: { ...base, movedTo: destination } },
        { path: destination, change: { ...base, movedFrom: source } },
      ];
    }
  }
}

/** A path as the agents gave it, relative to the workdir where it lies inside it. */
function workdirRelative(path: string, workdir: string | undefined): string {
  if (workdir !== undefined && isAbsolute(path)) {
    const inside = relative(workdir, path);
    if (inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)) return normalize(inside);
  }
  return normalize(path).replace(/\/+$/, '');
}

function lineCount(text: string): number {
  if (text === '') return 0;
  return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
}

export function renderChanges(section: ChangesSection, offsetOf: (iso: string) => string): string[] {
  if (section.files.length === 0 && section.delegations.length === 0)
    return none('no agent changed a file, and no delegation ended');
  return [
    '### Files',
    '',
    ...(section.files.length === 0
      ? none('no agent changed a file through the filesystem tools, and failure memory saw no change before a relaunch')
      : renderFiles(section.files, offsetOf)),
    '',
    '### Delegations',
    '',
    ...(section.delegations.length === 0
      ? none('no delegation ended')
      : section.delegations.map(
          (delegation) =>
            `- ${escapeMarkdown(delegation.agent)} (${delegation.delegationId}, ${escapeMarkdown(delegation.status ?? 'unfinished')}, ${offsetOf(delegation.endedAt)}): ${briefText(delegation.summary, 400)}`,
        )),
  ];
}

function renderFiles(files: readonly ChangedFile[], offsetOf: (iso: string) => string): string[] {
  return [
    'The filesystem tool calls that wrote, and what failure memory saw changed in the workdir before it launched a failed step again:',
    '',
    ...markdownTable(
      ['File', 'Agents', 'Edits', 'Lines', 'When', 'How'],
      files.map((file) => [
        code(file.path),
        file.agents.length === 0 ? '—' : file.agents.map(escapeMarkdown).join(', '),
        String(file.edits),
        file.added === null || file.removed === null ? '—' : lineCounts(file.added, file.removed),
        file.firstAt === file.lastAt ? offsetOf(file.firstAt) : `${offsetOf(file.firstAt)} – ${offsetOf(file.lastAt)}`,
        how(file),
      ]),
      ['left', 'left', 'right', 'right', 'right', 'left'],
    ),
  ];
}

/** `edit_file ×2, write_file (12 lines); changed before 2 relaunches`. */
function how(file: ChangedFile): string {
  const counts = new Map<string, number>();
  for (const change of file.changes)
    if (change.how !== 'relaunch') counts.set(change.how, (counts.get(change.how) ?? 0) + 1);
  const tools = [...counts].map(([tool, count]) => `${tool}${count > 1 ? ` ×${count}` : ''}`);
  const written = file.changes.filter((change) => change.linesWritten !== null).at(-1)?.linesWritten;
  const moves = file.changes.flatMap((change) =>
    change.movedFrom !== undefined
      ? [`moved from ${code(change.movedFrom)}`]
      : change.movedTo !== undefined
        ? [`moved to ${code(change.movedTo)}`]
        : [],
  );
  const parts = [
    ...tools.map((tool) => escapeMarkdown(tool)),
    ...(written === undefined || written === null ? [] : [`last write ${written} ${written === 1 ? 'line' : 'lines'}`]),
    ...moves,
    ...(file.relaunches === 0
      ? []
      : [`in the change before ${file.relaunches} ${file.relaunches === 1 ? 'relaunch' : 'relaunches'}`]),
  ];
  return parts.join('; ');
}
