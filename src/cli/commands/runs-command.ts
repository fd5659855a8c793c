import { hostname } from 'node:os';
import type { Command } from 'commander';
import { costCell, costText } from '../../events/cost-text.js';
import { countText } from '../../events/count-text.js';
import type { CommandOutcome } from '../command-outcome.js';
import { addProjectOptions, positiveInteger } from '../common-options.js';
import type { ProjectOptions } from '../project.js';
import { formatTable } from '../table.js';
import { formatPhaseStanding, phaseFraction } from '../../events/phase-standing-text.js';
import type { PhaseStanding } from '../../events/event-schema.js';

interface ListOptions extends ProjectOptions {
  json?: boolean;
  limit: number;
}

interface ShowOptions extends ProjectOptions {
  json?: boolean;
  transcript?: boolean;
}

export function registerRunsCommand(program: Command, outcome: CommandOutcome): void {
  const command = program
    .command('runs')
    .description('the runs recorded in this workdir, newest first')
    .option('--json', 'machine-readable output')
    .option('-n, --limit <n>', 'how many', positiveInteger, 20);
  addProjectOptions(command).action(async (options: ListOptions) => {
    // Loaded when the command runs: the state readers (zod, SQLite) are nothing --version or --help needs.
    const [
      { withStateDatabase: withDatabase },
      { formatDuration },
      { listRuns },
      { isRunDriven },
      { isSameProcessAlive },
    ] = await Promise.all([
      import('../state-access.js'),
      import('../../text/duration.js'),
      import('../../state/run-queries.js'),
      import('../../state/run-sessions.js'),
      import('../../supervisor/process-identity.js'),
    ]);
    withDatabase(options, (database) => {
      // A run left `running` by a process that is gone has crashed: say so, it can be resumed.
      const now = new Date();
      const runs = listRuns(database, options.limit).map((run) =>
        run.status === 'running' && !isRunDriven(database, run.id, hostname(), now, isSameProcessAlive)
          ? { ...run, status: 'crashed' }
          : run,
      );
      if (options.json) process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
      else if (runs.length === 0) process.stdout.write('No runs recorded yet.\n');
      else {
        process.stdout.write(
          `${formatTable(
            ['run', 'started', 'status', 'outcome', 'phases', 'turns', 'cost', 'duration', 'goal'],
            runs.map((run) => [
              run.id,
              run.started_at.replace('T', ' ').slice(0, 19),
              run.status,
              run.subtype ?? '—',
              phasesCell(run.phases),
              String(run.num_turns),
              costText(run.cost_usd, run.cost_unknown_models),
              run.ended_at ? formatDuration(Date.parse(run.ended_at) - Date.parse(run.started_at)) : '—',
              run.goal_name,
            ]),
          )}\n`,
        );
      }
    });
    outcome.exitCode = 0;
  });
}

export function registerShowCommand(program: Command, outcome: CommandOutcome): void {
  const command = program
    .command('show')
    .description('one run: outcome, delegations, tool calls and usage')
    .argument('[run]', 'run id, a unique prefix of one, or "last"; default: the newest', 'last')
    .option('--json', 'machine-readable output')
    .option('--transcript', 'also print every agent message');
  addProjectOptions(command).action(async (runArgument: string, options: ShowOptions) => {
    const [{ resolveRunId, withStateDatabase: withDatabase }, { formatDuration }, { getRunDetails, getTranscript }] =
      await Promise.all([
        import('../state-access.js'),
        import('../../text/duration.js'),
        import('../../state/run-queries.js'),
      ]);
    withDatabase(options, (database, { scrubber }) => {
      const runId = resolveRunId(database, runArgument);
      const details = getRunDetails(database, runId)!;
      const transcript = options.transcript ? getTranscript(database, runId) : undefined;
      // Stored text was scrubbed when it was written; scrubbed again as it is printed, for runs recorded before that.
      if (options.json) {
        process.stdout.write(
          scrubber.text(`${JSON.stringify({ ...details, ...(transcript ? { transcript } : {}) }, null, 2)}\n`),
        );
        return;
      }
      const { run } = details;
      const lines = [
        `run ${run.id}: ${run.status}${run.subtype ? ` (${run.subtype}, exit ${run.exit_code})` : ''}`,
        `goal: ${run.goal_name} (${run.goal_source}), ${run.mode} mode, on ${run.hostname}`,
        `started ${run.started_at}${run.ended_at ? `, took ${formatDuration(Date.parse(run.ended_at) - Date.parse(run.started_at))}` : ''} · ${countText(run.num_turns, 'turn')} · ${countText(run.input_tokens + run.output_tokens, 'token')} · ${costText(run.cost_usd, run.cost_unknown_models)}`,
        ...(run.phases ? [`phases at the end: ${formatPhaseStanding(run.phases)}`] : []),
        '',
        'Delegations',
        ...details.delegations.map(
          (delegation) =>
            `${'  '.repeat(delegation.depth + 1)}${delegation.id} ${delegation.from_agent ?? '?'} → ${delegation.agent}: ${delegation.status ?? 'unfinished'} (${countText(delegation.turns, 'turn')}, $${delegation.cost_usd.toFixed(4)}) ${firstLine(delegation.summary ?? delegation.task)}`,
        ),
        ...stuckLine(details.delegations),
        '',
        `Tool calls: ${details.toolCalls.length} (${details.toolCalls.filter((call) => call.is_error === 1).length} failed)`,
        ...details.toolCalls.map(
          (call) =>
            `  ${call.delegation_id} ${call.agent} turn ${call.turn}: ${call.name}${call.is_error === 1 ? ' ✗' : ''}${call.spilled_to ? ` → ${call.spilled_to}` : ''}`,
        ),
        '',
        'Usage by agent',
        formatTable(
          ['agent', 'calls', 'tokens', 'cost'],
          details.usageByAgent.map((row) => [
            row.key,
            String(row.calls),
            String(row.input_tokens + row.output_tokens),
            costCell(row.cost_usd, row.unknown_cost_calls),
          ]),
        ),
        '',
        'Usage by model',
        formatTable(
          ['model', 'calls', 'tokens', 'cost'],
          details.usageByModel.map((row) => [
            row.key,
            String(row.calls),
            String(row.input_tokens + row.output_tokens),
            costCell(row.cost_usd, row.unknown_cost_calls),
          ]),
        ),
        '',
        'Result',
        run.result ?? '(none yet)',
      ];
      if (transcript) {
        lines.push('', 'Transcript');
        for (const message of transcript) {
          lines.push(
            `--- ${message.delegation_id} #${message.seq} ${message.role}${message.tool_call_id ? ` (${message.tool_call_id})` : ''}`,
          );
          if (message.content) lines.push(message.content);
          if (message.tool_calls_json) lines.push(`tool calls: ${message.tool_calls_json}`);
        }
      }
      process.stdout.write(scrubber.text(`${lines.join('\n')}\n`));
    });
    outcome.exitCode = 0;
  });
}

/** `2/3` (phases done of all), with `✗` when a checked phase is not done; `—` for a goal without checks or a run without a recorded end. */
function phasesCell(phases: PhaseStanding | null): string {
  const fraction = phases && phaseFraction(phases);
  return fraction ? `${fraction}${phases.first_unmet ? ' ✗' : ''}` : '—';
}

function stuckLine(delegations: ReadonlyArray<{ status: string | null }>): string[] {
  const stuck = delegations.filter((delegation) => delegation.status === 'stuck').length;
  return stuck === 0 ? [] : [`${stuck} delegation${stuck === 1 ? '' : 's'} ended stuck (no progress after a warning)`];
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}
