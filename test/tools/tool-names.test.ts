import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exposedToolName, isValidExposedName, uniqueExposedName } from '../../src/tools/tool-names.js';

describe('exposedToolName', () => {
  it('keeps server__tool as it is when providers accept it', () => {
    assert.equal(exposedToolName('fs', 'read_text_file'), 'fs__read_text_file');
    assert.equal(exposedToolName('my-server', 'get-Thing_2'), 'my-server__get-Thing_2');
  });

  it('replaces characters providers reject and adds a hash, so a.b and a_b stay apart', () => {
    const dotted = exposedToolName('gh', 'issues.create');
    assert.match(dotted, /^gh__issues_create_[0-9a-f]{8}$/);
    assert.equal(exposedToolName('gh', 'issues_create'), 'gh__issues_create');
    assert.notEqual(exposedToolName('gh', 'issues/create'), dotted, 'another rejected character gives another name');
    assert.ok(isValidExposedName(exposedToolName('gh', 'créer une issue')));
    assert.ok(isValidExposedName(exposedToolName('my.server', 'tool')), 'a server name is sanitised too');
  });

  it('shortens names past 64 characters with a stable hash that tells long names apart', () => {
    const first = exposedToolName('server', `${'a'.repeat(70)}_one`);
    const second = exposedToolName('server', `${'a'.repeat(70)}_two`);
    assert.equal(first.length, 64);
    assert.equal(second.length, 64);
    assert.notEqual(first, second);
    assert.ok(first.startsWith('server__aaaa'));
    assert.equal(exposedToolName('server', `${'a'.repeat(70)}_one`), first, 'the same name every time');
    assert.equal(exposedToolName('s', 'x'.repeat(61)).length, 64, 'exactly 64 characters is kept as is');
    assert.equal(exposedToolName('s', 'x'.repeat(61)), `s__${'x'.repeat(61)}`);
    assert.match(exposedToolName('s', 'x'.repeat(62)), /^s__x{52}_[0-9a-f]{8}$/);
  });

  it('every name it gives matches ^[a-zA-Z0-9_-]{1,64}$', () => {
    for (const tool of ['', 'a', 'ü'.repeat(100), 'tool with spaces', '$weird!name', 'x'.repeat(500)]) {
      const name = exposedToolName('srv', tool);
      assert.ok(isValidExposedName(name), `${JSON.stringify(tool)} → ${name}`);
    }
    assert.equal(isValidExposedName(''), false);
    assert.equal(isValidExposedName('a'.repeat(65)), false);
    assert.equal(isValidExposedName('a.b'), false);
  });
});

describe('uniqueExposedName', () => {
  it('gives the exposed name when free and another stable valid name when it is taken', () => {
    assert.equal(uniqueExposedName('srv', 'echo', new Set()), 'srv__echo');
    const dotted = exposedToolName('srv', 'a.b');
    const taken = new Set([dotted]);
    const other = uniqueExposedName('srv', 'a.b', taken);
    assert.notEqual(other, dotted);
    assert.ok(isValidExposedName(other));
    assert.equal(uniqueExposedName('srv', 'a.b', taken), other, 'stable');
    const both = new Set([dotted, other]);
    const third = uniqueExposedName('srv', 'a.b', both);
    assert.ok(!both.has(third) && isValidExposedName(third));
  });
});
