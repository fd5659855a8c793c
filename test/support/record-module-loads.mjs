// Preloaded with `node --import` (NODE_OPTIONS): every module of the price catalogue the process loads is appended to
// the file named by MUX_SWARM_TEST_LOAD_LOG, so a test can tell which commands load it.
import { register } from 'node:module';

register('./module-load-hooks.mjs', import.meta.url, { data: { log: process.env.MUX_SWARM_TEST_LOAD_LOG } });
