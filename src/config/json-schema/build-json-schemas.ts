/** Entry point of `npm run build`'s second step: `node dist/config/json-schema/build-json-schemas.js`. */
import { relative } from 'node:path';
import { writeJsonSchemas } from './write-json-schemas.js';

for (const path of writeJsonSchemas()) process.stdout.write(`wrote ${relative(process.cwd(), path)}\n`);
