import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { FilesystemRootError } from '../../../src/errors/filesystem-root-error.js';
import {
  createFilesystemServer,
  type FilesystemServerOptions,
} from '../../../src/servers/filesystem/filesystem-server.js';
import { makeTemporaryDirectory } from './filesystem-harness.js';

const readTools = [
  'directory_tree',
  'get_file_info',
  'list_allowed_directories',
  'list_directory',
  'list_directory_with_sizes',
  'read_file',
  'read_media_file',
  'read_multiple_files',
  'read_text_file',
  'search_files',
];
const writeTools = ['create_directory', 'edit_file', 'move_file', 'write_file'];

async function connect(options: FilesystemServerOptions): Promise<Client> {
  const server = await createFilesystemServer(options);
  const client = new Client({ name: 'filesystem-test', version: '0.0.0' });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverTransport), client.connect(clientTransport)]);
  return client;
}

async function callText(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<{ text: string; isError: boolean }> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const first = result.content[0];
  return { text: first?.type === 'text' ? first.text : '', isError: result.isError === true };
}

describe('createFilesystemServer', () => {
  let base: string;
  const clients: Client[] = [];

  beforeEach(async () => {
    base = await makeTemporaryDirectory();
    await fs.mkdir(path.join(base, 'one'));
    await fs.mkdir(path.join(base, 'two'));
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await fs.rm(base, { recursive: true, force: true });
  });

  async function connected(options: FilesystemServerOptions): Promise<Client> {
    const client = await connect(options);
    clients.push(client);
    return client;
  }

  it('is named "filesystem" and offers every tool of the reference server with annotations', async () => {
    const client = await connected({ roots: [path.join(base, 'one')] });
    assert.equal(client.getServerVersion()?.name, 'filesystem');
    assert.match(
      client.getInstructions() ?? '',
      new RegExp(`confined to these directories: ${path.join(base, 'one')}`),
    );
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), [...readTools, ...writeTools].sort());
    for (const tool of tools) {
      assert.ok((tool.description ?? '').length > 40, `${tool.name} has a description`);
      const readOnly = readTools.includes(tool.name);
      assert.equal(tool.annotations?.readOnlyHint, readOnly, `${tool.name} readOnlyHint`);
      assert.equal(typeof tool.annotations?.destructiveHint, 'boolean', `${tool.name} destructiveHint`);
      assert.equal(typeof tool.annotations?.idempotentHint, 'boolean', `${tool.name} idempotentHint`);
    }
    const annotationsOf = (name: string) => tools.find((tool) => tool.name === name)?.annotations;
    assert.deepEqual(
      [
        annotationsOf('write_file')?.destructiveHint,
        annotationsOf('edit_file')?.idempotentHint,
        annotationsOf('create_directory')?.destructiveHint,
      ],
      [true, false, false],
    );
    const editFile = tools.find((tool) => tool.name === 'edit_file');
    assert.deepEqual(Object.keys(editFile?.inputSchema.properties ?? {}).sort(), ['dryRun', 'edits', 'path']);
    const search = tools.find((tool) => tool.name === 'search_files');
    assert.deepEqual(search?.inputSchema.required, ['path', 'pattern']);
  });

  it('registers only the read tools when read-only', async () => {
    const client = await connected({ roots: [path.join(base, 'one')], readOnly: true });
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), readTools);
    const write = await callText(client, 'write_file', { path: 'x.txt', content: 'x' });
    assert.equal(write.isError, true);
    assert.match(write.text, /Tool write_file not found/);
    await assert.rejects(fs.stat(path.join(base, 'one', 'x.txt')), { code: 'ENOENT' });
  });

  it('resolves relative paths against the first root and accepts absolute paths in any root', async () => {
    await fs.writeFile(path.join(base, 'one', 'a.txt'), 'in one');
    await fs.writeFile(path.join(base, 'two', 'b.txt'), 'in two');
    const client = await connected({ roots: [path.join(base, 'one'), path.join(base, 'two')] });
    assert.equal((await callText(client, 'read_text_file', { path: 'a.txt' })).text, 'in one');
    assert.equal((await callText(client, 'read_text_file', { path: path.join(base, 'two', 'b.txt') })).text, 'in two');
    assert.equal((await callText(client, 'read_text_file', { path: '../two/b.txt' })).text, 'in two');
    assert.equal(
      (await callText(client, 'list_allowed_directories', {})).text,
      `Allowed directories:\n${path.join(base, 'one')}\n${path.join(base, 'two')}`,
    );
    const moved = await callText(client, 'move_file', {
      source: 'a.txt',
      destination: path.join(base, 'two', 'a.txt'),
    });
    assert.equal(moved.isError, false);
    assert.equal(await fs.readFile(path.join(base, 'two', 'a.txt'), 'utf8'), 'in one');
  });

  it('refuses to move a directory that holds another root', async () => {
    const inner = path.join(base, 'one', 'a', 'inner');
    await fs.mkdir(inner, { recursive: true });
    const client = await connected({ roots: [path.join(base, 'one'), inner] });
    const outcome = await callText(client, 'move_file', { source: 'a', destination: 'b' });
    assert.equal(outcome.isError, true);
    assert.equal(outcome.text, 'Cannot move "a": it is, or contains, an allowed root directory.');
    assert.equal((await fs.stat(inner)).isDirectory(), true);
  });

  it('resolves roots relative to the working directory and through symbolic links', async () => {
    await fs.symlink(path.join(base, 'two'), path.join(base, 'alias'));
    await fs.writeFile(path.join(base, 'two', 'b.txt'), 'via alias');
    const relativeRoot = path.relative(process.cwd(), path.join(base, 'one'));
    const client = await connected({ roots: [relativeRoot, path.join(base, 'alias')] });
    assert.equal(
      (await callText(client, 'list_allowed_directories', {})).text,
      `Allowed directories:\n${path.join(base, 'one')}\n${path.join(base, 'two')}`,
    );
    assert.equal(
      (await callText(client, 'read_text_file', { path: path.join(base, 'alias', 'b.txt') })).text,
      'via alias',
    );
    assert.equal(
      (await callText(client, 'read_text_file', { path: path.join(base, 'two', 'b.txt') })).text,
      'via alias',
    );
  });

  it('fails with FilesystemRootError for a missing root, a file root, or no roots', async () => {
    const missing = path.join(base, 'missing');
    await assert.rejects(createFilesystemServer({ roots: [missing] }), (error: unknown) => {
      assert.ok(error instanceof FilesystemRootError);
      assert.equal(error.code, 'filesystem_root_invalid');
      assert.equal(error.root, missing);
      assert.match(error.message, new RegExp(`^Filesystem server root "${missing}" does not exist`));
      assert.match(error.message, /allowedRoots/);
      return true;
    });
    const file = path.join(base, 'file.txt');
    await fs.writeFile(file, 'not a directory');
    await assert.rejects(createFilesystemServer({ roots: [path.join(base, 'one'), file] }), {
      name: 'FilesystemRootError',
      message: new RegExp(`^Filesystem server root "${file}" is not a directory`),
    });
    await assert.rejects(createFilesystemServer({ roots: [] }), {
      code: 'filesystem_root_invalid',
      message: /needs at least one root/,
    });
  });
});
