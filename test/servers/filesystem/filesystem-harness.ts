import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createFilesystemServer } from '../../../src/servers/filesystem/filesystem-server.js';

export interface ToolOutcome {
  /** The text blocks of the result, joined by newlines. */
  text: string;
  isError: boolean;
  content: CallToolResult['content'];
}

export interface FilesystemHarness {
  client: Client;
  /** Real path of a temporary directory holding `root` and `outside`. */
  base: string;
  /** The server's only allowed root. */
  root: string;
  /** A sibling of the root the server must never touch. */
  outside: string;
  call(name: string, args?: Record<string, unknown>): Promise<ToolOutcome>;
  close(): Promise<void>;
}

/** Makes a temporary directory (real path) for a test; remove it with fs.rm when done. */
export async function makeTemporaryDirectory(): Promise<string> {
  return await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'mux-swarm-filesystem-')));
}

/**
 * Starts the filesystem server on a fresh temporary root and connects a real MCP client to it over an
 * in-memory transport pair.
 */
export async function startFilesystemHarness(options: { readOnly?: boolean } = {}): Promise<FilesystemHarness> {
  const base = await makeTemporaryDirectory();
  const root = path.join(base, 'root');
  const outside = path.join(base, 'outside');
  await fs.mkdir(root);
  await fs.mkdir(outside);
  const server = await createFilesystemServer({ roots: [root], readOnly: options.readOnly ?? false });
  const client = new Client({ name: 'filesystem-test', version: '0.0.0' });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  return {
    client,
    base,
    root,
    outside,
    async call(name, args = {}) {
      const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
      const text = result.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n');
      return { text, isError: result.isError === true, content: result.content };
    },
    async close() {
      await client.close();
      await server.close();
      await fs.rm(base, { recursive: true, force: true });
    },
  };
}

export async function readText(filePath: string): Promise<string> {
  return await fs.readFile(filePath, 'utf8');
}

export async function exists(filePath: string): Promise<boolean> {
  try {
    await fs.lstat(filePath);
    return true;
  } catch {
    return false;
  }
}
