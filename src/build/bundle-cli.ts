/**
 * Bundles the compiled CLI (dist/cli/main.js) into dist/bundle/: a few large files instead of ~700 modules, which
 * Node reads and links far faster (a run's first model request comes ~380 ms sooner on a 2-core machine). The
 * commands' lazy `import()`s stay separate chunks, so `--version` still loads only the command tree. Native and
 * optional packages stay outside: better-sqlite3 (an addon), pg and pg-boss (loaded only for a hub), and the price
 * catalogue's data package. The chunks sit two
 * folders below the package root, like dist/cli/, so PACKAGE_ROOT (src/config/package-root.ts) holds in both.
 * bin/mux-swarm runs the bundle when it is there.
 *
 *   node dist/build/bundle-cli.js      (part of `npm run build`)
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { PACKAGE_ROOT } from '../config/package-root.js';

/** Where bin/mux-swarm looks for the bundle's entry (`main.js`). */
const outdir = join(PACKAGE_ROOT, 'dist', 'bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { main: join(PACKAGE_ROOT, 'dist', 'cli', 'main.js') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // The price catalogue (a large data package, loaded only when a price or a context window is needed) stays
  // outside too: loading it stays a visible, separate step (test/cli/catalogue-loading.test.ts).
  external: ['better-sqlite3', 'pg', 'pg-boss', '@pydantic/genai-prices'],
  // CommonJS packages inside an ES module bundle still call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __muxSwarmRequire } from 'node:module'; const require = __muxSwarmRequire(import.meta.url);",
  },
  chunkNames: 'chunk-[hash]',
  logLevel: 'warning',
  legalComments: 'none',
});
process.stdout.write(`bundled the CLI into ${outdir}\n`);
