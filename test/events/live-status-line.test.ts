import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiveStatusLine, type StatusLineOutput } from '../../src/events/live-status-line.js';

const CLEAR = '\r\u001b[2K';
const DIM = '\u001b[2m';
const RESET = '\u001b[0m';

/** A stand-in for process.stderr: records what reaches the terminal, write by write. */
function terminal(columns = 60): StatusLineOutput & { writes: string[] } {
  const writes: string[] = [];
  return {
    columns,
    writes,
    write(chunk: string | Uint8Array): boolean {
      writes.push(typeof chunk === 'string' ? chunk : `<bytes ${Buffer.from(chunk).toString('utf8')}>`);
      return true;
    },
  };
}

describe('the live status line', () => {
  it('is drawn, redrawn in place, erased before every other line and drawn again after it', () => {
    const output = terminal();
    let text: string | undefined = '⋯ code · fake/model · 1s';
    const line = new LiveStatusLine({ output, text: () => text, escapes: true, intervalMs: 60_000 });
    const ownWrite = output.write;
    line.start();
    line.refresh();
    text = '⋯ code · fake/model · 2s';
    line.refresh();
    output.write('code  ⚙ shell__run_command\n');
    text = undefined;
    output.write('code  ✔ success\n');
    line.refresh();
    assert.deepEqual(output.writes, [
      `${DIM}⋯ code · fake/model · 1s${RESET}`,
      `${CLEAR}${DIM}⋯ code · fake/model · 2s${RESET}`,
      `${CLEAR}code  ⚙ shell__run_command\n${DIM}⋯ code · fake/model · 2s${RESET}`,
      `${CLEAR}code  ✔ success\n`,
    ]);
    line.stop();
    assert.equal(output.write, ownWrite, 'the stream has its own write back');
  });

  it('draws nothing in the middle of a line, and passes bytes through', () => {
    const output = terminal();
    const line = new LiveStatusLine({ output, text: () => 'status', escapes: true, intervalMs: 60_000 });
    line.start();
    output.write('Continue? ');
    line.refresh();
    output.write(Buffer.from('yes\n'));
    assert.deepEqual(output.writes, ['Continue? ', '<bytes yes\n>', `${DIM}status${RESET}`]);
    line.stop();
    assert.deepEqual(output.writes.slice(3), [CLEAR], 'stop erases the line');
  });

  it('uses no escape code at all without colours: erased with spaces after a carriage return', () => {
    const output = terminal();
    const line = new LiveStatusLine({ output, text: () => 'waiting 3s', escapes: false, intervalMs: 60_000 });
    line.start();
    line.refresh();
    output.write('a line\n');
    line.stop();
    assert.deepEqual(output.writes, ['waiting 3s', '\r          \ra line\nwaiting 3s', '\r          \r']);
    assert.ok(!output.writes.join('').includes('\u001b'));
  });

  it('hands the terminal width to the text and redraws on its timer until stopped', async () => {
    const output = terminal(42);
    const widths: Array<number | undefined> = [];
    const line = new LiveStatusLine({
      output,
      text: (columns) => (widths.push(columns), 'tick'),
      escapes: true,
      intervalMs: 10,
    });
    line.start();
    for (let attempt = 0; attempt < 500 && output.writes.length < 2; attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 10));
    line.stop();
    assert.ok(output.writes.length >= 2, 'redrawn by the timer');
    assert.deepEqual([...new Set(widths)], [42]);
    const count = output.writes.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(output.writes.length, count, 'nothing drawn after stop');
  });
});
