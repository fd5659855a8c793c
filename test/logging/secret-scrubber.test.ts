import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isScrubbableSecret, MIN_SECRET_LENGTH, SecretScrubber } from '../../src/logging/secret-scrubber.js';
import { createSeededRandom } from '../support/seeded-random.js';

describe('SecretScrubber', () => {
  it('replaces every occurrence of every secret, a secret containing another whole', () => {
    const scrubber = new SecretScrubber(['abcdefgh12', 'abcdefgh12345', 'zz-token-99']);
    assert.equal(
      scrubber.text('x abcdefgh12345 y abcdefgh12 z zz-token-99zz-token-99'),
      'x [REDACTED] y [REDACTED] z [REDACTED][REDACTED]',
    );
    assert.equal(scrubber.text('nothing secret here'), 'nothing secret here');
  });

  it('passes a long text it scrubbed a moment ago on as it is, and still scrubs every new one', () => {
    const scrubber = new SecretScrubber(['long-secret-value-1', 'long-secret']);
    const text = `${'log line\n'.repeat(40)}key=long-secret-value-1 and long-secret-value-2`;
    const once = scrubber.text(text);
    assert.equal(once, `${'log line\n'.repeat(40)}key=[REDACTED] and [REDACTED]-value-2`);
    assert.equal(scrubber.text(once), once);
    for (let index = 0; index < 40; index += 1) scrubber.text(`${text} ${index}`);
    assert.equal(scrubber.text(`${text}!`), `${once}!`);
  });

  it('treats secrets as literal text, not as patterns', () => {
    const scrubber = new SecretScrubber(['p4ss.w*rd(1)+$']);
    assert.equal(scrubber.text('pass p4ss.w*rd(1)+$ p4ssXw*rd(1)+$'), 'pass [REDACTED] p4ssXw*rd(1)+$');
  });

  it('finds a secret with characters JSON escapes inside serialized JSON too', () => {
    const secret = 'quote"and\\slash-9';
    const scrubber = new SecretScrubber([secret]);
    const json = JSON.stringify({ output: `value=${secret}` });
    const scrubbed = scrubber.text(json);
    assert.equal(JSON.parse(scrubbed).output, 'value=[REDACTED]');
  });

  it('ignores values too short or too common to be secrets', () => {
    for (const value of [
      '',
      '1',
      'true',
      'abc',
      'seven77',
      'password',
      'DISABLED',
      'localhost',
      '12345678',
      '127.0.0.1',
      '/home/user/.ssh/id_rsa',
      '${OPENAI_API_KEY}',
      '<your key>',
      '********',
    ]) {
      assert.equal(isScrubbableSecret(value), false, value);
    }
    for (const value of ['sk-live-0123456789', 'hunter2hunter2', 'eight888'])
      assert.equal(isScrubbableSecret(value), true, value);
    assert.equal(MIN_SECRET_LENGTH, 8);
    const scrubber = new SecretScrubber(['true', '1', 'abc', 'password', 'real-secret-42']);
    assert.equal(scrubber.size, 1);
    assert.equal(scrubber.text('true 1 abc password real-secret-42'), 'true 1 abc password [REDACTED]');
  });

  it('returns a deep copy of a value with every string scrubbed, the value itself when there is no secret', () => {
    const scrubber = new SecretScrubber(['my-secret-value-1']);
    const value = { a: ['x my-secret-value-1', 3], b: { c: 'my-secret-value-1' }, d: null };
    assert.deepEqual(scrubber.value(value), { a: ['x [REDACTED]', 3], b: { c: '[REDACTED]' }, d: null });
    assert.equal(value.b.c, 'my-secret-value-1');
    const none = new SecretScrubber([]);
    assert.equal(none.value(value), value);
  });

  it('says whether a text holds a secret, also when asked twice in a row', () => {
    const scrubber = new SecretScrubber(['my-secret-value-1']);
    assert.equal(scrubber.contains('a my-secret-value-1'), true);
    assert.equal(scrubber.contains('a my-secret-value-1'), true);
    assert.equal(scrubber.contains('my-secret-value-2'), false);
    assert.equal(new SecretScrubber([]).contains('anything'), false);
  });

  it('scrubs a stream whose pieces split secrets anywhere, holding back only what may start one', () => {
    const secrets = ['sk-live-ABCDEFGHIJ0123456789', 'hunter2hunter2', 'hunter2hunter2-longer', 'sk-live-ABC-other-9'];
    const scrubber = new SecretScrubber(secrets);
    const text = `env: sk-live-ABCDEFGHIJ0123456789\nDATABASE_URL=postgres://u:hunter2hunter2@h/db hunter2hunter2-longer!\nsk-live-ABC-other-9 and sk-live-ABx\nend hunter2hunt`;
    const expected = scrubber.text(text);
    const random = createSeededRandom(7);
    for (let round = 0; round < 200; round += 1) {
      const stream = scrubber.stream();
      let output = '';
      let position = 0;
      while (position < text.length) {
        const size = random.integer(1, 12);
        output += stream.push(text.slice(position, position + size));
        position += size;
      }
      output += stream.end();
      assert.equal(output, expected, `round ${round}`);
      for (const secret of secrets) assert.ok(!output.includes(secret));
      assert.ok(!output.includes('-longer'), 'the longer secret is replaced whole');
    }
    // A shorter secret inside a longer one is not cut from it, nor a complete secret from its start, by the hold.
    const nested = new SecretScrubber(['abcdefgh12', 'abcdefgh12345', 'h12zzzzzzz']);
    const pieces = nested.stream();
    assert.equal(
      pieces.push('x abcdefgh12') + pieces.push('345 y abcdefgh12') + pieces.push(' z') + pieces.end(),
      'x [REDACTED] y [REDACTED] z',
    );
    // A piece that cannot start a secret is passed on whole, at once.
    const stream = scrubber.stream();
    assert.equal(stream.push('plain text\n'), 'plain text\n');
    assert.equal(stream.push('then sk-li'), 'then ');
    assert.equal(stream.push('ve-ABCDEFGHIJ0123456789 done'), '[REDACTED] done');
    assert.equal(stream.end(), '');
  });

  it('scrubs bytes seen as latin1, non-ASCII secrets included', () => {
    const secret = 'pässwörd-1234';
    const bytes = new SecretScrubber([secret]).forBytes();
    const data = Buffer.concat([Buffer.from([0, 255, 1]), Buffer.from(`key=${secret};`, 'utf8')]);
    const scrubbed = Buffer.from(bytes.text(data.toString('latin1')), 'latin1');
    assert.deepEqual(scrubbed, Buffer.concat([Buffer.from([0, 255, 1]), Buffer.from('key=[REDACTED];', 'utf8')]));
  });
});
