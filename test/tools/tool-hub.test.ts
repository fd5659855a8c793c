import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ToolHub } from '../../src/tools/tool-hub.js';
import { exposedToolName, isValidExposedName } from '../../src/tools/tool-names.js';
import {
  livingProcessesWithArgument,
  newMarker,
  servers,
  tempContext,
  tsxServer,
  type TempContext,
} from '../fixtures/hub-test-support.js';
import { livingMembersOfGroup, waitFor, waitUntilGroupGone } from '../fixtures/process-helpers.js';

/** The 70-character tool name of hub-paged-mcp-server.ts (not imported: importing the fixture would run it). */
const LONG_TOOL_NAME = `very_long_tool_name_${'x'.repeat(50)}`;

describe('ToolHub with built-in and stdio servers', () => {
  const marker = newMarker();
  const disabledMarker = newMarker();
  const stderr: Array<[string, string]> = [];
  const warnings: string[] = [];
  let temp: TempContext;
  let hub: ToolHub;
  let pagedPid: number;

  before(async () => {
    temp = await tempContext();
    hub = await ToolHub.start(
      servers({
        fs: { builtin: 'filesystem' },
        sh: { builtin: 'shell' },
        paged: tsxServer('hub-paged-mcp-server.ts', marker),
        off: tsxServer('hub-paged-mcp-server.ts', disabledMarker, { enabled: false }),
      }),
      {
        context: temp.context,
        startupTimeoutMs: 15_000,
        onStderrLine: (server, line) => stderr.push([server, line]),
        onWarning: (message) => warnings.push(message),
      },
    );
    pagedPid = Number((await hub.call('paged__pid', {})).text);
  });

  after(async () => {
    await hub?.close();
    await temp?.remove();
  });
  it("leaves no listener on the caller's signal after its calls, however many (a run shares one signal for hours)", async () => {
    const run = new AbortController();
    for (let call = 0; call < 30; call += 1) {
      const outcome = await hub.call('fs__list_allowed_directories', {}, { signal: run.signal });
      assert.equal(outcome.isError, false);
    }
    assert.equal(getEventListeners(run.signal, 'abort').length, 0);
  });

  it('reports each server: connected with its transport and tool count, or disabled and never started', () => {
    const byName = Object.fromEntries(hub.statuses.map((status) => [status.name, status]));
    assert.equal(byName.fs?.status, 'connected');
    assert.equal(byName.fs?.transport, 'in-process');
    assert.ok((byName.fs?.tools ?? 0) >= 10, `filesystem lists its tools (${byName.fs?.tools})`);
    assert.deepEqual(
      { ...byName.sh },
      { name: 'sh', status: 'connected', transport: 'in-process', tools: 7, optional: false, restarts: 0 },
    );
    assert.deepEqual(
      { ...byName.paged },
      { name: 'paged', status: 'connected', transport: 'stdio', tools: 9, optional: false, restarts: 0 },
    );
    assert.deepEqual({ ...byName.off }, { name: 'off', status: 'disabled', tools: 0, optional: false, restarts: 0 });
    assert.deepEqual(livingProcessesWithArgument(disabledMarker), [], 'the disabled server was never started');
    assert.ok(!stderr.some(([server]) => server === 'off'));
    assert.deepEqual(warnings, []);
  });

  it('follows nextCursor through all three pages of a stdio server', async () => {
    // stderr and stdout are separate pipes: the last log line may come after the answer it was written before.
    await waitFor(() => stderr.filter(([, line]) => line.startsWith('listed page')).length >= 3);
    const pagesListed = stderr
      .filter(([server, line]) => server === 'paged' && line.startsWith('listed page'))
      .map(([, line]) => line);
    assert.deepEqual(pagesListed, ['listed page 1', 'listed page 2', 'listed page 3']);
    const tools = hub
      .tools()
      .filter((tool) => tool.server === 'paged')
      .map((tool) => tool.tool);
    assert.deepEqual(tools, [
      'echo',
      'sleep',
      'pid',
      'picture',
      'structured',
      'broken',
      'dotted.name',
      'dotted_name',
      LONG_TOOL_NAME,
    ]);
  });

  it('exposes every tool as a valid, unique server__tool name that maps back to the server tool', () => {
    const names = hub.tools().map((tool) => tool.exposedName);
    assert.equal(new Set(names).size, names.length, 'no two tools share a name');
    for (const name of names) assert.ok(isValidExposedName(name), `${name} matches ^[a-zA-Z0-9_-]{1,64}$`);
    assert.equal(hub.tool('paged__dotted_name')?.tool, 'dotted_name');
    const dotted = hub.tools().find((tool) => tool.tool === 'dotted.name');
    assert.match(dotted?.exposedName ?? '', /^paged__dotted_name_[0-9a-f]{8}$/);
    const long = hub.tools().find((tool) => tool.tool === LONG_TOOL_NAME);
    assert.equal(long?.exposedName.length, 64);
    assert.equal(long?.exposedName, exposedToolName('paged', LONG_TOOL_NAME), 'the same name every run');
    assert.ok(hub.tool('fs__read_text_file'));
    assert.ok(hub.tool('sh__run_command'));
  });

  it('calls the built-in filesystem server in the temp workdir', async () => {
    await writeFile(join(temp.context.workdir, 'note.txt'), 'written by the test\n');
    const read = await hub.call('fs__read_text_file', { path: 'note.txt' });
    assert.equal(read.isError, false, read.text);
    assert.match(read.text, /written by the test/);

    const written = await hub.call('fs__write_file', { path: 'made-by-hub.txt', content: 'hello from the hub' });
    assert.equal(written.isError, false, written.text);
    const back = await hub.call('fs__read_text_file', { path: join(temp.context.workdir, 'made-by-hub.txt') });
    assert.match(back.text, /hello from the hub/);

    const outside = await hub.call('fs__read_text_file', { path: '/etc/hostname' });
    assert.equal(outside.isError, true, 'paths outside the allowed roots are refused');
  });

  it('calls the built-in shell server, which runs in the workdir', async () => {
    const outcome = await hub.call('sh__run_command', { command: 'echo shell-says-hi && pwd' });
    assert.equal(outcome.isError, false, outcome.text);
    assert.match(outcome.text, /shell-says-hi/);
    assert.ok(outcome.text.includes(temp.context.workdir), outcome.text);
    assert.equal((outcome.structuredContent as { exit_code: number }).exit_code, 0);

    const failed = await hub.call('sh__run_command', { command: 'exit 3' });
    assert.equal(failed.isError, true, 'a failing command is an error outcome');
    assert.match(failed.text, /exit code 3/);
  });

  it('turns stdio tool results into text: text joined, images described, structured content as JSON, isError kept', async () => {
    assert.deepEqual(await hub.call('paged__echo', { text: 'over stdio' }), {
      text: 'over stdio',
      isError: false,
      structuredContent: undefined,
    });
    const picture = await hub.call('paged__picture', {});
    assert.equal(picture.text, 'a red dot\n[image: image/png, 10 bytes]');
    const structured = await hub.call('paged__structured', {});
    assert.deepEqual(JSON.parse(structured.text), { answer: 42, unit: 'none' });
    assert.deepEqual(structured.structuredContent, { answer: 42, unit: 'none' });
    const broken = await hub.call('paged__broken', {});
    assert.deepEqual({ text: broken.text, isError: broken.isError }, { text: 'it broke on purpose', isError: true });
    const dotted = hub.tools().find((tool) => tool.tool === 'dotted.name')!;
    assert.equal(
      (await hub.call(dotted.exposedName, {})).text,
      'called dotted.name',
      'a rewritten name calls the original tool',
    );
  });

  it('answers an unknown tool with an error outcome', async () => {
    const outcome = await hub.call('paged__no_such_tool', {});
    assert.deepEqual(outcome, { text: 'unknown tool "paged__no_such_tool"', isError: true });
  });

  it('scopes tools per grant: whole servers, name patterns, minus denied patterns; nothing granted is nothing', () => {
    const names = (grant: { mcpServers?: string[]; tools?: string[]; deniedTools?: string[] }) =>
      hub
        .toolsFor({
          mcpServers: grant.mcpServers ?? [],
          tools: grant.tools ?? [],
          deniedTools: grant.deniedTools ?? [],
        })
        .map((tool) => tool.exposedName)
        .sort();
    assert.deepEqual(names({}), []);
    const shellTools = [
      'sh__job_status',
      'sh__kill_job',
      'sh__list_jobs',
      'sh__run_command',
      'sh__send_job_input',
      'sh__start_job',
      'sh__wait_job',
    ];
    assert.deepEqual(names({ mcpServers: ['sh'] }), shellTools);
    assert.deepEqual(names({ tools: ['fs__read_*'] }), [
      'fs__read_file',
      'fs__read_media_file',
      'fs__read_multiple_files',
      'fs__read_text_file',
    ]);
    assert.deepEqual(
      names({
        mcpServers: ['sh'],
        tools: ['fs__read_*', 'paged__echo'],
        deniedTools: ['fs__read_media_file', 'fs__read_multiple_*', 'sh__*job*'],
      }),
      ['fs__read_file', 'fs__read_text_file', 'paged__echo', 'sh__run_command'],
    );
    const allFs = names({ mcpServers: ['fs'] });
    assert.ok(allFs.includes('fs__write_file'));
    assert.deepEqual(
      names({
        mcpServers: ['fs'],
        deniedTools: ['fs__write_*', 'fs__edit_file', 'fs__move_file', 'fs__create_directory'],
      }),
      allFs.filter((name) => !/write_|edit_file|move_file|create_directory/.test(name)),
    );
    assert.deepEqual(names({ mcpServers: ['off', 'nonexistent'] }), [], 'a disabled or unknown server grants nothing');
  });

  it('close() ends every stdio server: no process of its group remains', async () => {
    assert.ok(Number.isInteger(pagedPid) && pagedPid > 1, 'the paged server told its pid');
    assert.ok(livingProcessesWithArgument(marker).includes(pagedPid), 'the pid is the process started with our marker');
    assert.ok(livingMembersOfGroup(pagedPid).includes(pagedPid), 'it runs as the leader of its own group');
    await hub.close();
    assert.deepEqual(livingMembersOfGroup(pagedPid), [], 'the group is gone when close() resolves');
    assert.deepEqual(await waitUntilGroupGone(pagedPid, 100), []);
    assert.deepEqual(livingProcessesWithArgument(marker), []);
    const outcome = await hub.call('paged__echo', { text: 'after close' });
    assert.equal(outcome.isError, true, 'calls after close are error outcomes, not hangs');
  });
});
