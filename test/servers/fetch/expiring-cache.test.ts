import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExpiringCache } from '../../../src/servers/fetch/expiring-cache.js';

function cacheAt(
  clock: { now: number },
  limits: { maxEntries?: number; maxSize?: number } = {},
): ExpiringCache<string> {
  return new ExpiringCache<string>({
    ttlMs: 1000,
    maxEntries: limits.maxEntries ?? 10,
    maxSize: limits.maxSize ?? 1000,
    sizeOf: (value) => value.length,
    now: () => clock.now,
  });
}

describe('ExpiringCache', () => {
  it('serves an entry until its time is up, then forgets it', () => {
    const clock = { now: 0 };
    const cache = cacheAt(clock);
    cache.set('page', 'content');
    clock.now = 999;
    assert.equal(cache.get('page'), 'content');
    clock.now = 1000;
    assert.equal(cache.get('page'), undefined);
    assert.equal(cache.size, 0);
  });

  it('drops the oldest entries beyond maxEntries', () => {
    const cache = cacheAt({ now: 0 }, { maxEntries: 2 });
    cache.set('a', '1');
    cache.set('b', '2');
    cache.set('c', '3');
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.get('b'), '2');
    assert.equal(cache.get('c'), '3');
  });

  it('drops the oldest entries beyond maxSize and does not keep an entry larger than it', () => {
    const cache = cacheAt({ now: 0 }, { maxSize: 10 });
    cache.set('a', '12345');
    cache.set('b', '12345');
    cache.set('c', '123');
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.get('b'), '12345');
    cache.set('huge', '12345678901');
    assert.equal(cache.get('huge'), undefined);
    assert.equal(cache.get('c'), '123');
  });

  it('restarts the time of an entry stored again', () => {
    const clock = { now: 0 };
    const cache = cacheAt(clock);
    cache.set('page', 'old');
    clock.now = 800;
    cache.set('page', 'new');
    clock.now = 1500;
    assert.equal(cache.get('page'), 'new');
  });
});
