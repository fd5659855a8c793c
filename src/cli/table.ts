/**
 * A plain-text table: header, a rule, then rows; columns padded to their widest cell. A cell may hold several
 * lines (see wrapList): its row takes as many lines as its tallest cell.
 */
export function formatTable(header: string[], rows: string[][]): string {
  const lines = (cell: string | undefined): string[] => (cell ?? '').split('\n');
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.flatMap((row) => lines(row[column]).map((line) => line.length))),
  );
  const render = (cells: string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  const renderRow = (cells: string[]): string[] => {
    const height = Math.max(1, ...cells.map((cell) => lines(cell).length));
    return Array.from({ length: height }, (_, line) => render(cells.map((cell) => lines(cell)[line] ?? '')));
  };
  return [render(header), render(widths.map((width) => '-'.repeat(width))), ...rows.flatMap(renderRow)].join('\n');
}

/**
 * A comma-separated list broken into lines of at most `width` characters, between items (an item longer than the
 * width gets a line of its own); the lines are joined with "\n" for a multi-line cell of formatTable.
 */
export function wrapList(items: string[], width: number): string {
  const lines: string[] = [];
  let line = '';
  items.forEach((item, index) => {
    const piece = index < items.length - 1 ? `${item},` : item;
    if (line !== '' && line.length + 1 + piece.length > width) {
      lines.push(line);
      line = piece;
    } else line = line === '' ? piece : `${line} ${piece}`;
  });
  if (line !== '') lines.push(line);
  return lines.join('\n');
}
