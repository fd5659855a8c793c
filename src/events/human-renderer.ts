import { formatDuration } from '../text/duration.js';
import { costText } from './cost-text.js';
import { countText } from './count-text.js';
import type { RunEvent } from './event-schema.js';
import { phaseFraction } from './phase-standing-text.js';
import { waitingLine } from './in-flight-text.js';

export interface HumanRendererOptions {
  write: (text: string) => void;
  color: boolean;
  /** Full assistant text and tool results instead of one-line summaries. */
  verbose?: boolean;
  /** How a path relative to the run's workdir is shown (default: as it is); the CLI shows it from where the user stands. */
  workdirPath?: (path: string) => string;
}

const RUNTIME_TOOLS = new Set(['complete', 'delegate']);
/** Tool calls slower than this are reported when they finish, not only when they start. */
const SLOW_TOOL_MS = 5_000;

/**
 * Live progress a person can follow on stderr: who works on what, each tool call, failures, retries, budget
 * warnings, and the totals at the end. One line per thing that happened.
 */
export function createHumanRenderer(options: HumanRendererOptions): (event: RunEvent) => void {
  const paint = (code: number, text: string): string => (options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
  const dim = (text: string): string => paint(2, text);
  let width = 12;
  const line = (agent: string, text: string): void => options.write(`${paint(36, agent.padEnd(width))} ${text}\n`);

  return (event) => {
    switch (event.type) {
      case 'system':
        if (event.subtype === 'init') {
          width = Math.max(width, ...event.agents.map((agent) => agent.name.length));
          const servers = event.mcp_servers.filter((server) => server.status === 'connected');
          options.write(
            `${paint(1, `mux-swarm run ${event.run_id}`)} ${dim('·')} ${event.goal.name} ${dim(`· ${event.mode} · ${countText(event.agents.length, 'agent')} · ${countText(servers.length, 'MCP server')}, ${countText(event.tools.length, 'tool')}`)}\n`,
          );
          for (const agent of event.agents)
            line(
              agent.name,
              dim(
                `${agent.failover_chain ? agent.failover_chain.join(' ⇢ ') : `${agent.provider}/${agent.model}`}${agent.can_delegate_to.length ? ` → ${agent.can_delegate_to.join(', ')}` : ''}`,
              ),
            );
          for (const server of event.mcp_servers.filter((entry) => entry.status === 'failed'))
            options.write(`${paint(33, '⚠')} MCP server ${server.name} failed: ${firstLine(server.error ?? '')}\n`);
        } else {
          options.write(`${paint(33, '⚠')} ${event.message}\n`);
        }
        return;
      case 'delegation-start':
        line(event.from, `${paint(35, '→')} ${paint(1, event.agent)}: ${clip(firstLine(event.task), 120)}`);
        return;
      case 'delegation-end': {
        const mark =
          event.status === 'success' ? paint(32, '✔') : event.status === 'partial' ? paint(33, '◐') : paint(31, '✘');
        line(
          event.agent,
          `${mark} ${event.status} ${dim(`(${countText(event.turns, 'turn')}, ${formatDuration(event.duration_ms)}, $${event.cost_usd.toFixed(4)})`)} ${clip(firstLine(event.summary), options.verbose ? 2_000 : 140)}`,
        );
        return;
      }
      case 'assistant':
        for (const block of event.message.content) {
          if (block.type === 'text' && block.text.trim())
            line(event.agent, dim(options.verbose ? block.text.trim() : clip(firstLine(block.text), 140)));
          if (block.type === 'tool_use' && !RUNTIME_TOOLS.has(block.name))
            line(event.agent, `${paint(34, '⚙')} ${block.name} ${dim(clip(describeInput(block.input), 110))}`);
        }
        return;
      case 'user':
        for (const block of event.message.content) {
          if (RUNTIME_TOOLS.has(block.name)) continue;
          if (block.is_error)
            line(
              event.agent,
              `${paint(31, '✗')} ${block.name}: ${clip(firstLine(block.content), options.verbose ? 2_000 : 160)}`,
            );
          else if (options.verbose || block.duration_ms >= SLOW_TOOL_MS)
            line(
              event.agent,
              `${paint(32, '✓')} ${block.name} ${dim(formatDuration(block.duration_ms))}${options.verbose ? `\n${block.content}` : ''}`,
            );
        }
        return;
      case 'model-retry':
        line(
          event.agent,
          `${paint(33, '↻')} ${event.provider}/${event.model} attempt ${event.attempt} in ${formatDuration(event.delay_ms)}: ${clip(event.reason, 120)}`,
        );
        return;
      case 'model-failover':
        line(
          event.agent,
          `${paint(event.kind === 'auth' ? 31 : 33, '⇢')} ${event.from} ${event.to ? `→ ${event.to}` : '(no entry left)'} (${event.kind}${event.kind === 'auth' ? ', skipped for this session: fix the key' : ''}): ${clip(event.reason, 120)}`,
        );
        return;
      case 'budget-warning':
        options.write(
          `${paint(33, '⚠')} ${event.budget} budget: ${formatUsed(event.budget, event.used)} of ${formatUsed(event.budget, event.limit)} used\n`,
        );
        return;
      case 'phase-report': {
        const marks: Record<string, string> = { done: paint(32, '✓'), 'not-done': paint(31, '✗'), unchecked: dim('–') };
        const checked = event.phases.filter((phase) => phase.state !== 'unchecked');
        const phases =
          checked.length === 0
            ? 'no "Done when" checks'
            : `${event.phases.map((phase) => `${marks[phase.state]}${phase.number}`).join(' ')} ${dim(`(${checked.filter((phase) => phase.state === 'done').length} of ${event.phases.length} done)`)}`;
        options.write(`${paint(1, '▣ phase 0')} ${phases} ${dim(`· report ${(options.workdirPath ?? ((path: string) => path))(event.report_path)}`)}
`);
        const next = event.phases.find((phase) => phase.first_unmet !== undefined);
        if (event.goal_complete)
          options.write(`  ${paint(32, 'every phase is done: nothing to run')}
`);
        else if (next?.first_unmet)
          options.write(`  ${dim('next:')} phase ${next.number} ${clip(next.first_unmet.text, 100)} ${dim(`— ${clip(firstLine(next.first_unmet.detail), 100)}`)}
`);
        return;
      }
      case 'training-start':
        options.write(
          `${paint(36, '▶ training')} ${event.job_id}${event.name === undefined ? '' : ` (${event.name})`} ${event.reattached ? dim('re-attached after a restart') : clip(event.command, 100)}\n`,
        );
        return;
      case 'training-progress': {
        const step =
          event.step === null ? '' : ` step ${event.step}${event.total_steps === null ? '' : `/${event.total_steps}`}`;
        const shown = ['loss', 'eval_loss', 'learning_rate']
          .filter((key) => event.metrics[key] !== undefined)
          .map((key) => `${key} ${Number(event.metrics[key]!.toPrecision(4))}`);
        options.write(
          `  ${dim(`${event.job_id}${step} ${event.event}`)} ${shown.join(' · ')}${event.checkpoint === undefined ? '' : dim(` → ${event.checkpoint}`)}\n`,
        );
        return;
      }
      case 'training-end': {
        const mark =
          event.classification === 'success'
            ? paint(32, '■ training')
            : paint(31, `■ training ${event.classification}`);
        options.write(
          `${mark} ${event.job_id}: ${clip(event.summary, 160)}${event.gpu_cost_usd > 0 ? dim(` · GPU $${event.gpu_cost_usd.toFixed(2)}`) : ''}\n`,
        );
        return;
      }
      case 'stuck':
        // Its end is the delegation-end line that follows at once (status stuck, with the same words).
        if (event.action === 'warned')
          line(event.agent, `${paint(33, '⚠')} no progress, told: ${clip(event.detail, 160)}`);
        return;
      case 'heartbeat':
        options.write(`${dim(waitingLine(event.in_flight))}\n`);
        return;
      case 'result': {
        const mark = event.subtype === 'success' ? paint(32, '■ success') : paint(31, `■ ${event.subtype}`);
        const tokens = event.usage.input_tokens + event.usage.output_tokens;
        const fraction = event.phases && phaseFraction(event.phases);
        const phases = fraction ? ` · phases ${fraction}` : '';
        options.write(
          `${mark} ${dim(`in ${formatDuration(event.duration_ms)} · ${countText(event.num_turns, 'turn')} · ${countText(tokens, 'token')} · ${costText(event.total_cost_usd, event.cost_unknown_models ?? [])}${phases} · exit ${event.exit_code}`)}\n`,
        );
        const unmet = event.phases?.first_unmet;
        if (unmet)
          options.write(
            `  ${dim('first unmet:')} phase ${unmet.phase}, line ${unmet.line}: ${clip(unmet.text, 100)} ${dim(`— ${clip(unmet.detail, 100)}`)}\n`,
          );
        return;
      }
    }
  };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0] ?? '';
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function describeInput(input: unknown): string {
  if (input === null || typeof input !== 'object') return JSON.stringify(input) ?? '';
  return Object.entries(input as Record<string, unknown>)
    .map(
      ([key, value]) =>
        `${key}=${typeof value === 'string' ? JSON.stringify(firstLine(value)) : JSON.stringify(value)}`,
    )
    .join(' ');
}

function formatUsed(budget: string, value: number): string {
  if (budget === 'usd') return `$${value.toFixed(2)}`;
  if (budget === 'time') return formatDuration(value);
  return value.toLocaleString('en-US');
}
