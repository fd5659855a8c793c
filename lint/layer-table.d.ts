/** Types of layer-table.js for the TypeScript tests (test/lint/). */
export interface Layer {
  /** The folder under src/ (`servers` for the `src/servers/<name>/` row). */
  folder: string;
  /** The "must not import" cell as written, for messages. */
  cell: string;
  /** The folders under src/ this layer must not import. */
  forbidden: string[];
  /** Module paths under src/ (no extension) exempt from `forbidden`. */
  allowed: string[];
}
export const LAYER_TABLE_PAGE: string;
export function parseLayerTable(markdown: string): Layer[];
export function readLayerTable(page?: string | URL): Layer[];
