/** A count with its noun agreeing in number: `1 turn`, `2 turns`, `0 turns`; `pluralForm` for irregular nouns. */
export function countText(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : pluralForm}`;
}
