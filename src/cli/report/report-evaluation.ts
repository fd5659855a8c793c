import type { Evaluation, EvaluationSection } from './evaluation-files.js';
import { code, escapeMarkdown, markdownTable, none, signed, timestamp } from './markdown-format.js';

/** Each evaluation as the seed-story table (base vs specialist per prompt, numbered, with an aggregate row), then the files skipped. */
export function renderEvaluation(section: EvaluationSection): string[] {
  if (section.evaluations.length === 0 && section.skipped.length === 0)
    return none('no evaluation.json was found (give one with --eval)');
  return [
    ...(section.evaluations.length === 0
      ? none('no readable evaluation file')
      : section.evaluations.flatMap(({ path, evaluation }, index) => [
          ...(index === 0 ? [] : ['']),
          ...renderOne(path, evaluation),
        ])),
    ...(section.skipped.length === 0
      ? []
      : ['', 'Skipped:', ...section.skipped.map((file) => `- ${code(file.path)}: ${escapeMarkdown(file.reason)}`)]),
  ];
}

/** A score with two decimals; n/a where there was none. */
function fixed(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(2);
}

function delta(value: number | null): string {
  return value === null ? 'n/a' : signed(value);
}

function renderOne(path: string, evaluation: Evaluation): string[] {
  const { aggregate } = evaluation;
  const judges =
    evaluation.judges.length === 0 ? 'no judges named' : `judged by ${evaluation.judges.map(code).join(', ')}`;
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
  const unscored = evaluation.prompts.length - aggregate.prompts;
  return [
    `### ${escapeMarkdown(path)}`,
    '',
    `Base ${code(evaluation.base.model)} vs specialist ${code(evaluation.specialist.model)}, ${judges}; created ${timestamp(evaluation.created_at)}.`,
    '',
    ...markdownTable(
      ['#', 'Prompt Topic', 'Base', 'Specialist', 'Delta'],
      [
        ...evaluation.prompts.map((prompt, index) => [
          String(index + 1),
          escapeMarkdown(prompt.topic),
          fixed(prompt.base_score),
          fixed(prompt.specialist_score),
          delta(prompt.delta),
        ]),
        [
          'Aggregate',
          `${plural(aggregate.prompts, 'prompt')} scored${unscored > 0 ? ` (${unscored} unscored)` : ''}: ${plural(aggregate.specialist_wins, 'specialist win')}, ${plural(aggregate.base_wins, 'base win')}, ${plural(aggregate.ties, 'tie')}`,
          fixed(aggregate.base),
          fixed(aggregate.specialist),
          `${delta(aggregate.delta)} (${aggregate.relative_delta === null ? 'n/a' : `${signed(aggregate.relative_delta * 100, 1)}%`})`,
        ],
      ],
      ['right', 'left', 'right', 'right', 'right'],
    ),
    ...(aggregate.missing_judgements > 0
      ? ['', `${plural(aggregate.missing_judgements, 'judgement')} missing: those scores average fewer judges.`]
      : []),
  ];
}
