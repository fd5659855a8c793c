import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Recorded outputs of nvidia-smi, amd-smi and rocm-smi, in test/fixtures/gpu/. */
export const GPU_FIXTURES = join(fileURLToPath(import.meta.url), '..', '..', 'fixtures', 'gpu');

export function gpuFixture(name: string): string {
  return readFileSync(join(GPU_FIXTURES, name), 'utf8');
}
