import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OutageWait, PROVIDER_OUTAGE_EXIT_CODE } from '../../src/supervisor/watchdog-outage-wait.js';

const noJitter = (): number => 0.5;

describe('OutageWait (--retry-outage)', () => {
  it('waits only after an outage exit (75), never after another outcome', () => {
    const wait = new OutageWait(60 * 60_000, undefined, noJitter);
    for (const code of [0, 1, 2, 3, 130, null]) assert.equal(wait.next(code, 0, 1_000), undefined);
    assert.notEqual(wait.next(PROVIDER_OUTAGE_EXIT_CODE, 0, 1_000), undefined);
  });

  it('starts at a tenth of the patience (at most 30 s) and doubles up to 10 minutes', () => {
    const wait = new OutageWait(2 * 60 * 60_000, () => false, noJitter);
    const delays: number[] = [];
    let now = 0;
    for (let index = 0; index < 8; index += 1) {
      const next = wait.next(PROVIDER_OUTAGE_EXIT_CODE, now, now + 1_000)!;
      delays.push(next.delayMs);
      now += 1_000 + next.delayMs;
    }
    assert.deepEqual(delays, [30_000, 60_000, 120_000, 240_000, 480_000, 600_000, 600_000, 600_000]);
    assert.equal(new OutageWait(5_000, () => false, noJitter).next(PROVIDER_OUTAGE_EXIT_CODE, 0, 0)!.delayMs, 500);
  });

  it('gives up once the outage has lasted the patience, and never waits past it', () => {
    const wait = new OutageWait(10_000, () => false, noJitter);
    assert.equal(wait.next(PROVIDER_OUTAGE_EXIT_CODE, 0, 0)!.delayMs, 1_000);
    const late = wait.next(PROVIDER_OUTAGE_EXIT_CODE, 1_000, 9_500)!;
    assert.equal(late.outageMs, 9_500);
    assert.equal(late.delayMs, 500, 'the last try comes when the patience runs out');
    assert.equal(wait.next(PROVIDER_OUTAGE_EXIT_CODE, 10_000, 10_000), undefined);
  });

  it('a try that got a model answer ends the streak: a later outage has the whole patience again', () => {
    let answered = false;
    const wait = new OutageWait(10_000, () => answered, noJitter);
    wait.next(PROVIDER_OUTAGE_EXIT_CODE, 0, 0);
    assert.equal(wait.next(PROVIDER_OUTAGE_EXIT_CODE, 1_000, 9_000)!.outageMs, 9_000);
    answered = true; // the resumed worker worked for a while before the next outage
    const fresh = wait.next(PROVIDER_OUTAGE_EXIT_CODE, 9_000, 60_000)!;
    assert.equal(fresh.outageMs, 0);
    assert.equal(fresh.delayMs, 1_000, 'backoff starts again too');
  });
});
