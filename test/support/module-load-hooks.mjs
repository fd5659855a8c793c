// Module hooks for record-module-loads.mjs: they run on the loader thread and see every module loaded.
import { appendFileSync } from 'node:fs';

let log;

export function initialize(data) {
  log = data?.log;
}

export async function load(url, context, nextLoad) {
  if (log && url.includes('/@pydantic/genai-prices/')) appendFileSync(log, `${url}\n`);
  return nextLoad(url, context);
}
