// Reads the layer table of docs/architecture.md (folder | owns | must not import) into the rules that
// eslint.config.js enforces, so the table and the lint rule cannot drift: a row edited is a rule changed, and a
// "must not import" cell this reader does not understand stops the lint with the row named, rather than
// being skipped.
import { readFileSync } from 'node:fs';

export const LAYER_TABLE_PAGE = 'docs/architecture.md';

/** @typedef {import('./layer-table.js').Layer} Layer (declared in layer-table.d.ts) */

/**
 * The layers of the table in `markdown`, in table order.
 * @param {string} markdown
 * @returns {Layer[]}
 */
export function parseLayerTable(markdown) {
  const rows = tableRows(markdown);
  const folders = rows.map((row) => row.folder);
  return rows.map((row, index) => {
    const fail = (why) => new Error(`${LAYER_TABLE_PAGE}, row src/${row.folder}/: "${row.cell}" ${why}`);
    const cell = row.cell.replaceAll('`', '').trim();
    const others = folders.filter((folder) => folder !== row.folder);
    if (/^(—|-|nothing|none)$/i.test(cell)) return { folder: row.folder, cell: row.cell, forbidden: [], allowed: [] };
    if (/^everything above it$/i.test(cell))
      return { folder: row.folder, cell: row.cell, forbidden: folders.slice(0, index), allowed: [] };
    const but = /^everything but (.+)$/i.exec(cell);
    if (but) {
      const allowed = names(but[1]).map((path) => path.replace(/\.(js|ts)$/, ''));
      for (const path of allowed)
        if (!folders.includes(path.split('/')[0])) throw fail(`allows ${path}, which is in no folder of the table`);
      return { folder: row.folder, cell: row.cell, forbidden: others, allowed };
    }
    const forbidden = names(cell);
    for (const folder of forbidden)
      if (!folders.includes(folder)) throw fail(`names ${folder}, which has no row in the table`);
    return { folder: row.folder, cell: row.cell, forbidden, allowed: [] };
  });
}

/**
 * The layers of the table in the repository's docs/architecture.md.
 * @param {string | URL} page
 * @returns {Layer[]}
 */
export function readLayerTable(page = new URL(`../${LAYER_TABLE_PAGE}`, import.meta.url)) {
  return parseLayerTable(readFileSync(page, 'utf8'));
}

/** @param {string} list "a, b and c" or "a, b, c" */
function names(list) {
  return list
    .split(/,|\band\b/)
    .map((name) =>
      name
        .trim()
        .replace(/^src\//, '')
        .replace(/\/$/, ''),
    )
    .filter((name) => name !== '');
}

/**
 * The rows under the `| folder | owns | must not import |` header: the first cell names `src/<folder>/`.
 * @param {string} markdown
 * @returns {{ folder: string, cell: string }[]}
 */
function tableRows(markdown) {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => /^\|\s*folder\s*\|\s*owns\s*\|\s*must not import\s*\|\s*$/.test(line));
  if (header === -1) throw new Error(`${LAYER_TABLE_PAGE} has no "| folder | owns | must not import |" table`);
  const rows = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cells = splitRow(line);
    const folder = /^`src\/([^/`]+)\//.exec(cells[0] ?? '');
    if (!folder || cells.length !== 3) throw new Error(`${LAYER_TABLE_PAGE}: cannot read the layer table row ${line}`);
    rows.push({ folder: folder[1], cell: cells[2] });
  }
  if (rows.length === 0) throw new Error(`${LAYER_TABLE_PAGE}: the layer table has no rows`);
  return rows;
}

/**
 * The cells of a table row; `\|` inside a cell is a literal bar.
 * @param {string} line
 */
function splitRow(line) {
  return line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim());
}
