import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { linearScale, niceTicks, renderLineChart } from '../../src/cli/report/svg-line-chart.js';

/** The numbers of the tick labels of one axis ("x-tick" or "y-tick"), in document order. */
function tickLabels(svg: string, axis: 'x-tick' | 'y-tick'): number[] {
  return [...svg.matchAll(new RegExp(`<text class="${axis}"[^>]*>([^<]*)</text>`, 'g'))].map((match) =>
    Number(match[1]),
  );
}

/** The coordinates of a path's points, as [x, y] pairs, and how many M (segment starts) it has. */
function pathPoints(d: string): { points: Array<[number, number]>; moves: number } {
  const commands = [...d.matchAll(/([ML])(-?[\d.]+) (-?[\d.]+)/g)];
  return {
    points: commands.map((match) => [Number(match[2]), Number(match[3])]),
    moves: commands.filter((match) => match[1] === 'M').length,
  };
}

describe('niceTicks', () => {
  it('covers the range with steps of 1, 2 or 5 × 10ⁿ', () => {
    assert.deepEqual(niceTicks(10, 100), { values: [0, 20, 40, 60, 80, 100], step: 20, decimals: 0 });
    assert.deepEqual(niceTicks(1.13, 2.31).values, [1, 1.5, 2, 2.5]);
    assert.equal(niceTicks(1.13, 2.31).decimals, 1);
    assert.deepEqual(niceTicks(0.012, 0.047).values, [0.01, 0.02, 0.03, 0.04, 0.05]);
    assert.deepEqual(niceTicks(-3, 7).values, [-4, -2, 0, 2, 4, 6, 8]);
  });

  it('prints clean values, not float noise', () => {
    for (const value of niceTicks(0.1, 0.7).values) assert.equal(String(value).length <= 3, true, String(value));
  });

  it('widens a single value into a range around it', () => {
    const around = niceTicks(5, 5);
    assert.ok(around.values[0]! < 5 && around.values.at(-1)! > 5, around.values.join(','));
    const zero = niceTicks(0, 0);
    assert.ok(zero.values[0]! <= -1 && zero.values.at(-1)! >= 1, zero.values.join(','));
  });

  it('accepts its bounds in either order', () => {
    assert.deepEqual(niceTicks(100, 10), niceTicks(10, 100));
  });

  it('puts no tick between two whole things when told its axis counts them (iterations, steps)', () => {
    assert.deepEqual(niceTicks(0, 2).values, [0, 0.5, 1, 1.5, 2]);
    assert.deepEqual(niceTicks(0, 2, 6, 1).values, [0, 1, 2]);
    const svg = renderLineChart({
      title: 't',
      xLabel: 'iteration',
      yLabel: 'loss',
      wholeX: true,
      series: [{ name: 'best', points: [0, 1, 2].map((x) => ({ x, y: 1 / (x + 1) })) }],
    });
    assert.deepEqual(tickLabels(svg, 'x-tick'), [0, 1, 2]);
  });
});

describe('linearScale', () => {
  it('maps the domain onto the range, reversed when the range is', () => {
    const x = linearScale([0, 100], [50, 650]);
    assert.equal(x(0), 50);
    assert.equal(x(50), 350);
    assert.equal(x(100), 650);
    const y = linearScale([0, 2], [350, 50]);
    assert.equal(y(0), 350);
    assert.equal(y(2), 50);
    assert.equal(y(0.5), 275);
  });

  it('puts everything in the middle of the range for an empty domain', () => {
    assert.equal(linearScale([3, 3], [0, 10])(3), 5);
  });
});

describe('renderLineChart', () => {
  const chart = renderLineChart({
    title: 'Loss & <friends>',
    xLabel: 'step',
    yLabel: 'loss',
    series: [
      {
        name: 'job-a loss',
        points: [
          { x: 30, y: 1.5 },
          { x: 10, y: 2.31 },
          { x: 20, y: 1.9 },
        ],
      },
      {
        name: 'job-a eval_loss',
        points: [
          { x: 20, y: 1.7 },
          { x: 40, y: null },
          { x: 60, y: 1.2 },
          { x: 80, y: 1.13 },
        ],
        dashed: true,
      },
      { name: 'job-b loss', points: [{ x: 100, y: 1.4 }] },
    ],
  });

  it('is one SVG document with a path per series and escaped text', () => {
    assert.match(chart, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="720" height="400"/);
    assert.ok(chart.trimEnd().endsWith('</svg>'));
    assert.equal(chart.split('<path').length - 1, 3);
    assert.match(chart, />Loss &amp; &lt;friends&gt;</);
    assert.doesNotMatch(chart, /<friends>/);
    for (const name of ['job-a loss', 'job-a eval_loss', 'job-b loss'])
      assert.ok(chart.includes(`>${name}</text>`), `legend names ${name}`);
    assert.equal(chart.split('stroke-dasharray').length - 1, 2, 'the dashed series: its path and its legend line');
  });

  it('labels ticks that cover the data range on both axes', () => {
    const x = tickLabels(chart, 'x-tick');
    const y = tickLabels(chart, 'y-tick');
    assert.ok(x[0]! <= 10 && x.at(-1)! >= 100, x.join(','));
    assert.ok(y[0]! <= 1.13 && y.at(-1)! >= 2.31, y.join(','));
    assert.deepEqual(x, niceTicks(10, 100).values);
    assert.deepEqual(y, niceTicks(1.13, 2.31).values);
  });

  it('draws points in x order, inside the axes, higher values higher up, and breaks the line at a missing value', () => {
    const paths = [...chart.matchAll(/<path d="([^"]*)"/g)].map((match) => pathPoints(match[1]!));
    const first = paths[0]!;
    assert.equal(first.moves, 1);
    const xs = first.points.map(([px]) => px);
    assert.deepEqual(
      xs,
      [...xs].sort((a, b) => a - b),
      'sorted by x',
    );
    assert.ok(first.points[0]![1] < first.points[2]![1], 'loss 2.31 at step 10 is drawn above 1.5 at step 30');
    assert.equal(paths[1]!.moves, 2, 'the eval series is two segments around the missing value');
    assert.equal(paths[1]!.points.length, 3);
    const axis = /<g class="axes"[^>]*>\n<line x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)"/.exec(chart)!;
    const [left, bottom, right] = [Number(axis[1]), Number(axis[2]), Number(axis[3])];
    for (const [px, py] of paths.flatMap((path) => path.points))
      assert.ok(px >= left && px <= right && py <= bottom, `${px},${py} inside`);
    assert.equal(paths[2]!.points.length, 1);
    assert.match(chart, /<circle cx="[\d.]+" cy="[\d.]+" r="2.5"/, 'a lone point is a dot');
  });

  it('says "no data" with default axes when no series has a value', () => {
    const empty = renderLineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [{ name: 'nothing', points: [{ x: 1, y: null }] }],
      width: 300,
      height: 200,
    });
    assert.match(empty, /^<svg[^>]* width="300" height="200"/);
    assert.match(empty, />no data</);
    assert.deepEqual(tickLabels(empty, 'x-tick'), niceTicks(0, 1).values);
    assert.match(empty, /<path d="" /);
  });
});

describe('renderLineChart: steps, markers, bands and gaps', () => {
  const chart = renderLineChart({
    title: 'metric by iteration',
    xLabel: 'iteration',
    yLabel: 'metric',
    series: [
      {
        name: 'best',
        points: [
          { x: 0, y: 1 },
          { x: 1, y: 0.8 },
          { x: 2, y: 0.8 },
        ],
        line: 'step',
        color: '#4e79a7',
      },
      { name: 'kept', points: [{ x: 1, y: 0.8 }], line: 'none', marker: 'circle', color: '#59a14f' },
      {
        name: 'discarded',
        points: [
          { x: 2, y: 0.9 },
          { x: 3, y: null },
        ],
        line: 'none',
        marker: 'cross',
        color: '#e15759',
      },
    ],
    bands: [
      {
        name: 'margin',
        points: [
          { x: 0, low: 0.9, high: 1 },
          { x: 1, low: 0.7, high: 0.8 },
        ],
        color: '#dce6f0',
        step: true,
      },
    ],
    gaps: [{ name: 'unmeasured', xs: [5] }],
  });
  const markerGroup = (series: string) =>
    new RegExp(`<g class="markers" data-series="${series}">\\n([\\s\\S]*?)\\n</g>`).exec(chart)?.[1] ?? '';

  it('opens with a title and a description that list what is drawn, for screen readers', () => {
    assert.match(
      chart,
      /^<svg [^>]*role="img" aria-labelledby="chart-title chart-desc"[^>]*>\n<title id="chart-title">metric by iteration<\/title>\n<desc id="chart-desc">([^<]*)<\/desc>/,
    );
    const description = /<desc id="chart-desc">([^<]*)</.exec(chart)![1]!;
    assert.equal(
      description,
      'metric by iteration: metric by iteration. Shows best (a step line, 3 points); kept (circle markers, 1 point); discarded (cross markers, 1 point); margin (a shaded band); unmeasured (dotted rules at 5).',
    );
  });

  it('draws a step series as horizontal runs joined by vertical rises', () => {
    const path = /<path d="([^"]*)" stroke="#4e79a7"><title>best<\/title>/.exec(chart)![1]!;
    const { points } = pathPoints(path);
    assert.equal(points.length, 5, 'three points, two corners');
    for (let index = 1; index < points.length; index += 1) {
      const [previous, current] = [points[index - 1]!, points[index]!];
      assert.ok(previous[0] === current[0] || previous[1] === current[1], `segment ${index} is horizontal or vertical`);
    }
    assert.equal(points[1]![1], points[0]![1], 'the first value holds until the next x');
  });

  it('draws markers only for a markers-only series, each at a point with a value, after every line', () => {
    assert.doesNotMatch(chart, /<path d="[^"]*"[^>]*><title>(kept|discarded)<\/title>/);
    assert.equal(markerGroup('kept').split('<g transform').length - 1, 1);
    assert.equal(markerGroup('discarded').split('<g transform').length - 1, 1, 'the missing value has no marker');
    assert.match(markerGroup('kept'), /<title>kept: 1, 0\.8<\/title><circle r="5"/);
    assert.ok(
      chart.lastIndexOf('<g class="series"') < chart.indexOf('<g class="markers"'),
      'markers come after the lines',
    );
  });

  it('shows each series in the legend as it is drawn: the same marker shape, a line only where there is one', () => {
    const legend = (name: string) =>
      chart.split('<g class="legend-entry"').find((entry) => entry.includes(`<text x="28" y="10">${name}</text>`)) ??
      assert.fail(`no legend entry ${name}`);
    assert.match(legend('kept'), /<circle r="5" fill="#59a14f"/);
    assert.doesNotMatch(legend('kept'), /<line /);
    assert.match(legend('discarded'), /<path d="M-5 -5 L5 5 M-5 5 L5 -5" fill="none" stroke="#e15759"/);
    assert.match(legend('best'), /^[^\n]*\n<line [^>]*stroke="#4e79a7"/);
    assert.match(legend('margin'), /<rect [^>]*fill="#dce6f0"/);
    assert.match(legend('unmeasured'), /stroke-dasharray="2 3"/);
  });

  it('lists the legend as `legendOrder` says, the entries it does not name after those in their own order', () => {
    const ordered = renderLineChart({
      title: 't',
      xLabel: 'x',
      yLabel: 'y',
      series: [
        { name: 'line', points: [{ x: 0, y: 1 }] },
        { name: 'dots', points: [{ x: 1, y: 2 }], line: 'none', marker: 'square' },
        { name: 'more dots', points: [], line: 'none', marker: 'cross' },
      ],
      bands: [{ name: 'band', points: [{ x: 0, low: 0, high: 1 }], color: '#dddddd' }],
      legendOrder: ['line', 'band', 'dots'],
    });
    const names = [...ordered.matchAll(/<text x="28" y="10">([^<]*)<\/text>/g)].map((match) => match[1]);
    assert.deepEqual(names, ['line', 'band', 'dots', 'more dots']);
    assert.deepEqual(
      [...chart.matchAll(/<text x="28" y="10">([^<]*)<\/text>/g)].map((match) => match[1]),
      ['best', 'kept', 'discarded', 'margin', 'unmeasured'],
      'by default: series, bands, gaps',
    );
  });

  it('draws a band under the grid and the lines, as a closed outline from high to low', () => {
    const band = /<path class="band" d="([^"]*) Z" fill="#dce6f0">/.exec(chart)![1]!;
    assert.ok(chart.indexOf('class="band"') < chart.indexOf('<g class="grid"'));
    const { points, moves } = pathPoints(band);
    assert.equal(moves, 1);
    assert.equal(points.length, 6, 'a stepped upper edge (three points) and a stepped lower edge (three points)');
    const [top, bottom] = [Math.min(...points.map(([, py]) => py)), Math.max(...points.map(([, py]) => py))];
    assert.ok(bottom > top);
  });

  it('marks a gap with a dotted rule across the plot and a hollow marker on the x axis, and widens x to reach it', () => {
    assert.ok(tickLabels(chart, 'x-tick').at(-1)! >= 5, 'x reaches the gap at 5');
    assert.match(
      chart,
      /<line x1="([\d.]+)" y1="40" x2="\1" y2="352" stroke="#7f7f7f" stroke-dasharray="2 3"><title>unmeasured: 5<\/title><\/line>/,
    );
    assert.match(
      markerGroup('unmeasured'),
      /<g transform="translate\([\d.]+ 352\)"><title>unmeasured: 5<\/title><path d="[^"]*Z" fill="#ffffff" stroke="#7f7f7f"/,
    );
  });
});
