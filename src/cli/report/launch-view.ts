import type { ToolCallRow } from '../../state/run-queries.js';
import { code, escapeMarkdown, brief } from './markdown-format.js';
import type { ReportData } from './report-data.js';
import { endingText, jobEnding, type JobEnding } from './job-ending.js';
import { jobLabel } from './report-training.js';

/**
 * A launch of a step as failure memory names it — a tool call's journal id (`d1.3.0`), a training job
 * (`training:<job id>`), or a shell or python background job (`<server>:<job id>`) — with what the run recorded of it.
 */
export type LaunchView =
  | {
      kind: 'training-job';
      ref: string;
      jobId: string;
      /** Null when the job has no name, or is not among the run's training jobs. */
      name: string | null;
      /** How it ended; null when the run recorded no such job. */
      ending: JobEnding | null;
    }
  | { kind: 'job'; ref: string; server: string; jobId: string }
  | {
      kind: 'tool-call';
      ref: string;
      /** Null when the run recorded no such call. */
      tool: string | null;
      /** The command or script it ran, if it ran one. */
      command: string | null;
      agent: string | null;
      at: string | null;
      /** Whether it returned an error; null while it had not returned. */
      failed: boolean | null;
      /** The first line of its error, when it returned one. */
      error: string | null;
    };

const TRAINING_PREFIX = 'training:';

/** The launch `ref` names, looked up in the run's training jobs and tool calls. */
export function launchView(ref: string, data: ReportData): LaunchView {
  if (ref.startsWith(TRAINING_PREFIX)) {
    const jobId = ref.slice(TRAINING_PREFIX.length);
    const job = data.trainingJobs.find((candidate) => candidate.job_id === jobId);
    return {
      kind: 'training-job',
      ref,
      jobId,
      name: job?.name ?? null,
      ending: job === undefined ? null : jobEnding(job, data.events),
    };
  }
  const call = data.toolCalls.find((candidate) => candidate.id === ref);
  const separator = ref.indexOf(':');
  if (call === undefined && separator > 0)
    return { kind: 'job', ref, server: ref.slice(0, separator), jobId: ref.slice(separator + 1) };
  return {
    kind: 'tool-call',
    ref,
    tool: call?.name ?? null,
    command: call === undefined ? null : commandOf(call),
    agent: call?.agent ?? null,
    at: call?.started_at ?? null,
    failed: call === undefined || call.is_error === null ? null : call.is_error === 1,
    error: call?.is_error === 1 ? brief(call.result_text ?? '(no error text recorded)', 200) : null,
  };
}

/** The command line or script (with its arguments) a call ran, from its recorded arguments; null if it ran none. */
export function commandOf(call: ToolCallRow): string | null {
  const args = parseArguments(call.arguments_json);
  if (typeof args.command === 'string') return args.command.trim();
  if (typeof args.script !== 'string') return null;
  return [args.script, ...(Array.isArray(args.args) ? args.args.map(String) : [])].join(' ');
}

/** A tool call's recorded arguments as an object ({} when they are not one). */
export function parseArguments(argumentsJson: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(argumentsJson) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/**
 * The launch in markdown: `training job **seed (job-1)**, which ended python_exception: TypeError: …`; `call
 * `d1.3.0` (`shell__run_command` `python3 app.py`), which failed: …`; `shell job `job-3``.
 */
export function renderLaunch(launch: LaunchView, offsetOf: (iso: string) => string): string {
  switch (launch.kind) {
    case 'training-job': {
      const label = `training job **${escapeMarkdown(jobLabel(launch.jobId, launch.name))}**`;
      if (launch.ending === null) return `${label} (not among the run's training jobs)`;
      if (launch.ending.endedAt === null) return `${label}, still running`;
      return `${label}, which ended ${escapeMarkdown(brief(endingText(launch.ending), 300))} at ${offsetOf(launch.ending.endedAt)}`;
    }
    case 'job':
      return `${escapeMarkdown(launch.server)} job ${code(launch.jobId)}`;
    case 'tool-call': {
      const call = `call ${code(launch.ref)}`;
      if (launch.tool === null) return `${call} (not among the run's tool calls)`;
      const what = `${code(launch.tool)}${launch.command === null ? '' : ` ${code(brief(launch.command, 120))}`}`;
      const when = launch.at === null ? '' : ` at ${offsetOf(launch.at)}`;
      return `${call} (${what}${launch.agent === null ? '' : `, ${escapeMarkdown(launch.agent)}`}${when})${launch.failed === true ? `, which failed: ${escapeMarkdown(launch.error ?? '')}` : launch.failed === false ? ', which succeeded' : ''}`;
    }
  }
}
