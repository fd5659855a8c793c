import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A throwaway project directory with config.json, swarm.json and goal files written from objects. */
export interface ProjectFixture {
  directory: string;
  write(relativePath: string, content: string | object): string;
  remove(): void;
}

export function createProjectFixture(prefix = 'mux-swarm-test-'): ProjectFixture {
  const directory = mkdtempSync(join(tmpdir(), prefix));
  return {
    directory,
    write(relativePath, content) {
      const path = join(directory, relativePath);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, typeof content === 'string' ? content : `${JSON.stringify(content, null, 2)}\n`);
      return path;
    },
    remove() {
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** A config.json pointing one keyless provider ("fake") at a fake server, with the built-in fs and shell. */
export function fakeConfig(baseURL: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    providers: { fake: { baseURL, maxRetries: 1, timeoutMs: 20_000 } },
    mcpServers: { fs: { builtin: 'filesystem' }, shell: { builtin: 'shell', options: { timeoutMs: 20_000 } } },
    ...extra,
  };
}

/** An agent entry for swarm.json on the fake provider; the model name doubles as the routing key. */
export function fakeAgent(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    description: `the ${name} agent`,
    provider: 'fake',
    model: `${name}-model`,
    systemPrompt: `You are ${name}.`,
    ...overrides,
  };
}
