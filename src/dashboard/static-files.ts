import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Responder } from './responses.js';

const TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};

/**
 * A file of the client (web/dashboard/ in the package): a plain name with a known extension, nothing else, so no
 * request reaches outside that folder. Read on each request: the files are small, and an edit shows on reload.
 */
export function serveStatic(response: ServerResponse, path: string, directory: string, responder: Responder): void {
  const match = /^\/static\/([a-z][a-z-]*)\.(js|css)$/u.exec(path);
  if (!match) return responder.error(response, 404, `nothing at ${path}`);
  let text: string;
  try {
    text = readFileSync(join(directory, `${match[1]}.${match[2]}`), 'utf8');
  } catch {
    return responder.error(response, 404, `nothing at ${path}`);
  }
  responder.send(response, 200, TYPES[match[2]!]!, text);
}

/** The HTML shell of a page (its script draws it from the JSON API), or undefined when `path` names no page. */
export function pageFor(path: string): string | undefined {
  if (path === '/') return shell('Runs', ['runs']);
  if (/^\/runs\/[A-Za-z0-9._-]+$/u.test(path))
    return shell('Run', ['run-summary', 'run-reports', 'run-loop', 'run-transcript', 'run']);
  if (path === '/memory') return shell('Memory', ['memory']);
  return undefined;
}

/** Classic scripts, in order: common.js first, the page's own after it (they share the page's global scope). */
function shell(title: string, scripts: string[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · mux-swarm</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/dashboard.css">
</head>
<body>
<header><a href="/" class="brand">mux-swarm</a> <nav><a href="/">runs</a> <a href="/memory">memory</a></nav></header>
<main id="main"><p class="muted">loading…</p></main>
<script src="/static/common.js"></script>
${scripts.map((script) => `<script src="/static/${script}.js"></script>`).join('\n')}
</body>
</html>
`;
}
