import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMemoryServer } from '../../../src/servers/memory/memory-server.js';
import { FailureMemory } from '../../../src/failures/failure-memory.js';
import { connectTestClient, type McpTestClient } from '../../support/mcp-test-client.js';
import { makeTemporaryDirectory, removeDirectory } from './memory-harness.js';

const ERROR_AT_HOME = [
  'Traceback (most recent call last):',
  '  File "/home/ana/project/train.py", line 88, in <module>',
  '    trainer = SFTTrainer(model, args, max_seq_length=2048)',
  "TypeError: SFTTrainer.__init__() got an unexpected keyword argument 'max_seq_length'",
].join('\n');
const SAME_ERROR_ELSEWHERE = ERROR_AT_HOME.replace('/home/ana/project', '/workspace/run-7').replace(
  'line 88',
  'line 141',
);

describe('memory server: the failure memory tools', () => {
  let directory: string;
  let memory: McpTestClient;

  before(async () => {
    directory = await makeTemporaryDirectory();
    memory = await connectTestClient(
      createMemoryServer({
        databasePath: path.join(directory, 'state.db'),
        userStoreDirectory: path.join(directory, 'user'),
        secrets: ['hf_secret_value_123456'],
        fixes: true,
      }),
    );
  });
  after(async () => {
    await memory.close();
    await removeDirectory(directory);
  });

  it('has the reference tools plus search_fixes, record_fix and rate_fix', async () => {
    const names = await memory.toolNames();
    for (const name of ['search_fixes', 'record_fix', 'rate_fix', 'search_nodes', 'create_entities'])
      assert.ok(names.includes(name), name);
  });

  it('records a fix an agent reports, finds it for the same error at another path and line, and counts its ratings', async () => {
    const recorded = await memory.call('record_fix', {
      error: ERROR_AT_HOME,
      description:
        'SFTConfig(max_length=2048) instead of SFTTrainer(max_seq_length=2048); token hf_secret_value_123456',
      files: ['train.py'],
      worked: true,
    });
    assert.equal(recorded.isError, false, recorded.text);
    const fix = (recorded.structured as { fix: { id: string; description: string } }).fix;
    assert.doesNotMatch(fix.description, /hf_secret_value_123456/, 'a known secret is not stored');

    const found = await memory.call('search_fixes', { error: SAME_ERROR_ELSEWHERE });
    const results = (
      found.structured as { results: Array<{ fixes: Array<{ id: string; worked: number; failed: number }> }> }
    ).results;
    assert.equal(results.length, 1);
    assert.deepEqual(
      results[0]!.fixes.map((known) => [known.id, known.worked, known.failed]),
      [[fix.id, 1, 0]],
    );

    const rated = await memory.call('rate_fix', { fix: `fix ${fix.id}`, worked: false });
    assert.equal(rated.isError, false, rated.text);
    const ratedFix = (rated.structured as { fix: { id: string; worked: number; failed: number } }).fix;
    assert.deepEqual([ratedFix.id, ratedFix.worked, ratedFix.failed], [fix.id, 1, 1]);

    // Written through to the user store.
    const user = FailureMemory.openUserStore(path.join(directory, 'user'));
    try {
      assert.deepEqual(
        user.listFixes().map((known) => [known.uid, known.source, known.worked, known.failed]),
        [[fix.id, 'agent', 1, 1]],
      );
    } finally {
      user.database.close();
    }
  });

  it('answers errors it cannot use with an error result that says what to pass', async () => {
    const unknown = await memory.call('rate_fix', { fix: 'ffffffffffffffff', worked: true });
    assert.equal(unknown.isError, true);
    assert.match(unknown.text, /no fix "ffffffffffffffff"/);
    const nothing = await memory.call('record_fix', { error: '   ', description: 'x', worked: true });
    assert.equal(nothing.isError, true);
  });
});
