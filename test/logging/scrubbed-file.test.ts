import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileHoldsSecret, scrubFileInPlace } from '../../src/logging/scrubbed-file.js';
import { SecretScrubber } from '../../src/logging/secret-scrubber.js';

const SECRET = 'sk-live-Fq2Wd8Ls0Kj4Hg6Pa1Zx3Cv5Bn7Mm9Qq';
/** createReadStream's chunk size: the secret is written across the first boundary. */
const CHUNK = 64 * 1024;

describe('scrubbed files', () => {
  const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-scrubbed-file-'));
  after(() => rmSync(directory, { recursive: true, force: true }));
  const scrubber = new SecretScrubber([SECRET]);

  it('finds and replaces a secret split between two chunks of a large file, bytes around it kept', async () => {
    const file = join(directory, 'measure.log');
    const head = Buffer.concat([Buffer.from([0xff, 0x00]), Buffer.alloc(CHUNK - 12, 'a')]);
    writeFileSync(file, Buffer.concat([head, Buffer.from(`${SECRET}\nend é\n`)]));
    assert.equal(await fileHoldsSecret(file, scrubber), true);
    assert.equal(await scrubFileInPlace(file, scrubber), true);
    assert.deepEqual(readFileSync(file), Buffer.concat([head, Buffer.from('[REDACTED]\nend é\n')]));
    assert.equal(await fileHoldsSecret(file, scrubber), false);
  });

  it('leaves a file without a secret, and a missing one, as they are', async () => {
    const file = join(directory, 'clean.log');
    writeFileSync(file, 'sk-live- but no secret\n');
    const before = statSync(file).mtimeMs;
    assert.equal(await scrubFileInPlace(file, scrubber), false);
    assert.equal(statSync(file).mtimeMs, before);
    assert.equal(await scrubFileInPlace(join(directory, 'missing.log'), scrubber), false);
  });
});
