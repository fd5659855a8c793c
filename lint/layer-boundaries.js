// The ESLint rule behind the layer table: an import from one folder of src/ into a folder its row says it must not
// import is an error that names the two folders and the table. It resolves each relative specifier against the
// importing file, so it sees what a module really imports (`./hub/x.js` inside src/tools/ is tools' own hub, not
// src/hub/), and it checks `await import()` too, which the lazy-loading CLI uses for most of its commands.
import { dirname, relative, resolve } from 'node:path';
import { LAYER_TABLE_PAGE } from './layer-table.js';

/** @typedef {import('./layer-table.js').Layer} Layer */

/** @type {import('eslint').Rule.RuleModule} */
export const layerBoundaries = {
  meta: {
    type: 'problem',
    docs: { description: `imports follow the layer table of ${LAYER_TABLE_PAGE}` },
    schema: [
      {
        type: 'object',
        properties: { root: { type: 'string' }, layers: { type: 'array' } },
        required: ['root', 'layers'],
        additionalProperties: false,
      },
    ],
    messages: { forbidden: 'src/{{from}} must not import src/{{to}} ({{page}} layer table: "{{cell}}")' },
  },
  create(context) {
    const { root, layers } = /** @type {{ root: string, layers: Layer[] }} */ (context.options[0]);
    const source = modulePath(root, context.filename);
    const layer = source && layers.find((candidate) => candidate.folder === source.split('/')[0]);
    if (!layer || layer.forbidden.length === 0) return {};
    /** @param {import('estree').Node | null | undefined} node */
    const check = (node) => {
      if (node?.type !== 'Literal' || typeof node.value !== 'string' || !node.value.startsWith('.')) return;
      const target = modulePath(root, resolve(dirname(context.filename), node.value));
      if (!target) return;
      const folder = target.split('/')[0];
      if (!layer.forbidden.includes(folder) || layer.allowed.includes(target)) return;
      context.report({
        node,
        messageId: 'forbidden',
        data: { from: layer.folder, to: folder, page: LAYER_TABLE_PAGE, cell: layer.cell.replaceAll('`', '') },
      });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      /** `typeof import('../x.js')` in a type. */
      TSImportType: (/** @type {{ source: import('estree').Node }} */ node) => check(node.source),
    };
  },
};

/**
 * The path of `file` under `<root>/src/`, without its extension, or undefined outside src/.
 * @param {string} root
 * @param {string} file
 */
function modulePath(root, file) {
  const path = relative(resolve(root, 'src'), file).split('\\').join('/');
  if (path.startsWith('../') || path === '..' || path.startsWith('/')) return undefined;
  return path.replace(/\.(js|ts|mjs|mts|json)$/, '');
}
