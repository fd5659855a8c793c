/**
 * How long parsePythonTraceback takes on the outputs that would hurt a careless parser: 10 MB of progress bars
 * before a crash, and each adversarial input of the unit tests at the full tail size (256 Ki characters).
 *
 *   node --import tsx bench/traceback-parse.ts
 */
import {
  PYTHON_TRACEBACK_TAIL_CHARACTERS,
  parsePythonTraceback,
} from '../src/failures/python-traceback/python-traceback.js';
import { adversarialOutputs, progressBars } from '../test/failures/adversarial-output.js';

const crash = [
  'Traceback (most recent call last):',
  '  File "/srv/train.py", line 5, in run',
  '    raise ValueError("x")',
  'ValueError: x',
].join('\n');

function timeIt(text: string, repeats = 5): number {
  const durations: number[] = [];
  for (let index = 0; index < repeats; index += 1) {
    const started = performance.now();
    parsePythonTraceback(text);
    durations.push(performance.now() - started);
  }
  return durations.sort((a, b) => a - b)[Math.floor(repeats / 2)]!;
}

const bars = `${progressBars(200_000)}\n${crash}\n`;
const rows: Array<[string, number, number]> = [[`progress bars then a crash`, bars.length, timeIt(bars)]];
for (const [name, text] of Object.entries(adversarialOutputs(PYTHON_TRACEBACK_TAIL_CHARACTERS)))
  rows.push([name, text.length, timeIt(text)]);
process.stdout.write(`parsePythonTraceback, median of 5 runs (node ${process.version})\n`);
for (const [name, size, milliseconds] of rows) {
  process.stdout.write(
    `${name.padEnd(36)} ${(size / 1024).toFixed(0).padStart(6)} KiB  ${milliseconds.toFixed(1).padStart(7)} ms\n`,
  );
}
