import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Goal } from '../config/load-goal.js';
import { costText } from '../events/cost-text.js';
import type { ResultEvent } from '../events/event-schema.js';

/** `--output file.md`: the final result as markdown a person can read or attach to a ticket. */
export function writeRunReport(file: string, report: { goal: Goal; result: ResultEvent; runId: string }): void {
  const { goal, result, runId } = report;
  const tokens = result.usage.input_tokens + result.usage.output_tokens;
  const agents = Object.entries(result.usage_by_agent)
    .map(
      ([agent, usage]) =>
        `| ${agent} | ${usage.calls} | ${usage.input_tokens + usage.output_tokens} | $${usage.cost_usd.toFixed(4)} |`,
    )
    .join('\n');
  const text = [
    `# ${goal.name}`,
    '',
    `- Run: \`${runId}\``,
    `- Outcome: **${result.subtype}** (exit ${result.exit_code})`,
    `- Turns: ${result.num_turns} · Tokens: ${tokens} · Cost: ${costText(result.total_cost_usd, result.cost_unknown_models ?? [])} · Duration: ${(result.duration_ms / 1000).toFixed(1)}s`,
    '',
    '## Result',
    '',
    result.result,
    '',
    '## Artifacts',
    '',
    result.artifacts.length > 0 ? result.artifacts.map((artifact) => `- ${artifact}`).join('\n') : 'None.',
    '',
    '## Usage by agent',
    '',
    '| agent | model calls | tokens | cost |',
    '|---|---|---|---|',
    agents || '| — | 0 | 0 | $0.0000 |',
    '',
  ].join('\n');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}
