import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isToolGranted, matchesToolPattern, type ToolGrant } from '../../src/tools/tool-grant.js';

const grant = (partial: Partial<ToolGrant>): ToolGrant => ({ mcpServers: [], tools: [], deniedTools: [], ...partial });

describe('matchesToolPattern', () => {
  it('matches the whole name, * as any run and ? as one character', () => {
    assert.ok(matchesToolPattern('fs__read_file', 'fs__read_*'));
    assert.ok(matchesToolPattern('fs__read_', 'fs__read_*'));
    assert.ok(!matchesToolPattern('xfs__read_file', 'fs__read_*'), 'anchored at the start');
    assert.ok(!matchesToolPattern('fs__read_file', 'fs__read'), 'anchored at the end');
    assert.ok(matchesToolPattern('fs__read_file', '*__read_file'));
    assert.ok(matchesToolPattern('sh__run_command', 'sh__run_comman?'));
    assert.ok(!matchesToolPattern('sh__run_comman', 'sh__run_comman?'));
    assert.ok(matchesToolPattern('anything', '*'));
  });

  it('treats regular-expression characters in patterns literally', () => {
    assert.ok(!matchesToolPattern('fsXread', 'fs.read'));
    assert.ok(matchesToolPattern('a+b', 'a+b'));
    assert.ok(!matchesToolPattern('aab', 'a+b'));
    assert.ok(!matchesToolPattern('a', '[a]'));
    assert.ok(matchesToolPattern('(x)', '(x)'));
  });
});

describe('isToolGranted', () => {
  it('grants nothing when nothing is granted', () => {
    assert.equal(isToolGranted(grant({}), 'fs', 'fs__read_file'), false);
    assert.equal(isToolGranted(grant({ deniedTools: ['nothing'] }), 'fs', 'fs__read_file'), false);
  });

  it('grants every tool of a granted server, and single tools by pattern', () => {
    assert.equal(isToolGranted(grant({ mcpServers: ['fs'] }), 'fs', 'fs__write_file'), true);
    assert.equal(isToolGranted(grant({ mcpServers: ['fs'] }), 'sh', 'sh__run_command'), false);
    assert.equal(isToolGranted(grant({ tools: ['fs__read_*'] }), 'fs', 'fs__read_file'), true);
    assert.equal(isToolGranted(grant({ tools: ['fs__read_*'] }), 'fs', 'fs__write_file'), false);
  });

  it('withholds denied tools even from a granted server or a matching pattern', () => {
    const scoped = grant({ mcpServers: ['fs'], tools: ['sh__*'], deniedTools: ['fs__write_*', 'sh__run_command'] });
    assert.equal(isToolGranted(scoped, 'fs', 'fs__read_file'), true);
    assert.equal(isToolGranted(scoped, 'fs', 'fs__write_file'), false);
    assert.equal(isToolGranted(scoped, 'sh', 'sh__run_command'), false);
    assert.equal(isToolGranted(scoped, 'sh', 'sh__other'), true);
  });
});
