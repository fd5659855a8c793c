import { markerShape, placedMarker, type MarkerFill, type MarkerShape } from './svg-markers.js';

export type { MarkerShape } from './svg-markers.js';

/** A point of a series; `y: null` (or a non-finite y) is a missing value: the line breaks there. */
export interface ChartPoint {
  x: number;
  y: number | null;
}

export interface ChartSeries {
  name: string;
  points: readonly ChartPoint[];
  /** A CSS colour; by default the next one of a ten-colour palette. */
  color?: string;
  dashed?: boolean;
  /**
   * How the points are joined: `straight` lines (the default), `step`s (each value holds until the next point's x,
   * as a running best does), or `none` (markers only).
   */
  line?: 'straight' | 'step' | 'none';
  /** A marker on every point with a value, drawn above every line and band; the legend shows the same marker. */
  marker?: MarkerShape;
}

/** A filled area from `low` to `high` by x (a noise margin, say), drawn under the lines. */
export interface ChartBand {
  name: string;
  points: ReadonlyArray<{ x: number; low: number; high: number }>;
  /** An opaque CSS colour, light enough for the grid and lines to read on it. */
  color: string;
  /** Each edge holds its value until the next point's x, as `line: 'step'` does. */
  step?: boolean;
}

/** Positions on x that have no value (an iteration that measured nothing): a dotted rule across the plot and a hollow marker on the x axis. */
export interface ChartGaps {
  name: string;
  xs: readonly number[];
  color?: string;
  marker?: MarkerShape;
}

export interface LineChartOptions {
  title: string;
  /** What the chart shows, in a sentence or two, for screen readers (`<desc>`); by default its series are listed. */
  description?: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  bands?: readonly ChartBand[];
  gaps?: readonly ChartGaps[];
  /** Names in the order the legend lists them; by default (and after these) series, then bands, then gaps. */
  legendOrder?: readonly string[];
  /** x counts whole things (iterations, steps): no tick between two of them. */
  wholeX?: boolean;
  width?: number;
  height?: number;
}

/** Axis ticks: evenly spaced round values (steps of 1, 2 or 5 × 10ⁿ) from `values[0] ≤ min` to `values.at(-1) ≥ max`. */
export interface Ticks {
  values: number[];
  step: number;
  /** Decimals that tell the ticks apart: the step's. */
  decimals: number;
}

const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];
const LEGEND_NAME_CHARS = 32;
const CHARACTER_WIDTH = 7;

/** Ticks covering [min, max] in about `targetCount` steps; a single value is widened to a range around it. */
export function niceTicks(min: number, max: number, targetCount = 6, minStep = 0): Ticks {
  let low = Math.min(min, max);
  let high = Math.max(min, max);
  if (low === high) {
    const pad = low === 0 ? 1 : Math.abs(low) * 0.1;
    low -= pad;
    high += pad;
  }
  const step = Math.max(minStep, niceStep((high - low) / Math.max(1, targetCount - 1)));
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  const first = Math.floor(low / step) * step;
  const count = Math.round((Math.ceil(high / step) * step - first) / step);
  const values = Array.from({ length: count + 1 }, (_, index) => Number((first + index * step).toFixed(decimals)) || 0);
  return { values, step, decimals };
}

/** 1, 2 or 5 times a power of ten: the smallest such step not below `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power;
}

/** Maps `domain` linearly onto `range` (a reversed range flips the axis, as SVG's y needs). */
export function linearScale(
  domain: readonly [number, number],
  range: readonly [number, number],
): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  return (value) => (span === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / span) * (r1 - r0));
}

const BACKGROUND = '#ffffff';
const GAP_COLOR = '#7f7f7f';
const LEGEND_ROW = 18;

/**
 * A self-contained SVG chart (no fonts or files fetched; an opaque white background, so it reads the same in a
 * light or a dark viewer): bands under the lines; one `<path>` per series, straight or stepped, broken where a
 * value is missing (an isolated point of a line without markers is drawn as a dot); dotted rules at the gaps;
 * every marker above every line; x and y axes with round tick values, axis labels, a title, a `<title>` and
 * `<desc>` for screen readers, and a legend on the right that shows each entry as it is drawn.
 */
export function renderLineChart(options: LineChartOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 400;
  const series = options.series.map((entry, index) => ({
    name: entry.name,
    color: entry.color ?? PALETTE[index % PALETTE.length]!,
    dashed: entry.dashed === true,
    line: entry.line ?? 'straight',
    marker: entry.marker,
    segments: segmentsOf(entry.points),
  }));
  const bands = (options.bands ?? []).map((band) => ({
    ...band,
    points: band.points
      .filter((point) => [point.x, point.low, point.high].every(Number.isFinite))
      .sort((a, b) => a.x - b.x),
  }));
  const gaps = (options.gaps ?? []).map((gap) => ({
    name: gap.name,
    color: gap.color ?? GAP_COLOR,
    marker: gap.marker ?? 'diamond',
    xs: gap.xs.filter(Number.isFinite),
  }));
  const drawn = series.flatMap((entry) => entry.segments.flat());
  const xs = [
    ...drawn.map((point) => point.x),
    ...bands.flatMap((band) => band.points.map((point) => point.x)),
    ...gaps.flatMap((gap) => gap.xs),
  ];
  const ys = [
    ...drawn.map((point) => point.y),
    ...bands.flatMap((band) => band.points.flatMap((point) => [point.low, point.high])),
  ];
  const xTicks = niceTicks(...extent(xs), 6, options.wholeX ? 1 : 0);
  const yTicks = niceTicks(...extent(ys));

  const legendNames = [...series, ...bands, ...gaps].map((entry) => clip(entry.name));
  const legendWidth =
    legendNames.length === 0 ? 0 : 36 + CHARACTER_WIDTH * Math.max(...legendNames.map((name) => name.length));
  const legendRank = (name: string) =>
    options.legendOrder?.includes(name) ? options.legendOrder.indexOf(name) : Number.MAX_SAFE_INTEGER;
  const yLabelWidth =
    CHARACTER_WIDTH * Math.max(...yTicks.values.map((value) => value.toFixed(yTicks.decimals).length));
  const plot = { left: 36 + yLabelWidth, right: width - 16 - legendWidth, top: 40, bottom: height - 48 };
  const x = linearScale([xTicks.values[0]!, xTicks.values.at(-1)!], [plot.left, plot.right]);
  const y = linearScale([yTicks.values[0]!, yTicks.values.at(-1)!], [plot.bottom, plot.top]);
  const at = (point: { x: number; y: number }) => `${coordinate(x(point.x))} ${coordinate(y(point.y))}`;
  const dash = (dashed: boolean) => (dashed ? ' stroke-dasharray="6 4"' : '');
  const value = (number: number) => String(Number(number.toPrecision(6)));
  const marker = (shape: MarkerShape, color: string, fill: MarkerFill = 'filled') =>
    markerShape(shape, color, fill, BACKGROUND);

  const legendSamples = [
    ...series.map((entry) => [
      ...(entry.line === 'none'
        ? []
        : [`<line x1="0" y1="6" x2="22" y2="6" stroke="${entry.color}" stroke-width="2"${dash(entry.dashed)}/>`]),
      ...(entry.marker ? [`<g transform="translate(11 6)">${marker(entry.marker, entry.color)}</g>`] : []),
    ]),
    ...bands.map((band) => [`<rect x="0" y="1" width="22" height="10" fill="${band.color}"/>`]),
    ...gaps.map((gap) => [
      `<line x1="11" y1="-2" x2="11" y2="14" stroke="${gap.color}" stroke-width="1.5" stroke-dasharray="2 3"/>`,
      `<g transform="translate(11 6)">${marker(gap.marker, gap.color, 'hollow')}</g>`,
    ]),
  ];
  const legendEntries = [...series, ...bands, ...gaps]
    .map((entry, index) => ({
      name: legendNames[index]!,
      sample: legendSamples[index]!,
      rank: legendRank(entry.name),
      index,
    }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index);
  const title = escapeXml(options.title);
  const description = escapeXml(options.description ?? defaultDescription(options));

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="chart-title chart-desc" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">`,
    `<title id="chart-title">${title}</title>`,
    `<desc id="chart-desc">${description}</desc>`,
    `<rect width="${width}" height="${height}" fill="${BACKGROUND}"/>`,
    `<text class="title" x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold" fill="#222222">${title}</text>`,
    `<g class="bands" stroke="none">`,
    ...bands.map(
      (band) =>
        `<path class="band" d="${bandPath(band.points, band.step === true, x, y)}" fill="${band.color}"><title>${escapeXml(band.name)}</title></path>`,
    ),
    `</g>`,
    `<g class="grid" stroke="#e6e6e6">`,
    ...yTicks.values.map(
      (tick) => `<line x1="${plot.left}" y1="${coordinate(y(tick))}" x2="${plot.right}" y2="${coordinate(y(tick))}"/>`,
    ),
    `</g>`,
    `<g class="axes" stroke="#333333">`,
    `<line x1="${plot.left}" y1="${plot.bottom}" x2="${plot.right}" y2="${plot.bottom}"/>`,
    `<line x1="${plot.left}" y1="${plot.top}" x2="${plot.left}" y2="${plot.bottom}"/>`,
    ...xTicks.values.map(
      (tick) =>
        `<line x1="${coordinate(x(tick))}" y1="${plot.bottom}" x2="${coordinate(x(tick))}" y2="${plot.bottom + 5}"/>`,
    ),
    ...yTicks.values.map(
      (tick) =>
        `<line x1="${plot.left - 5}" y1="${coordinate(y(tick))}" x2="${plot.left}" y2="${coordinate(y(tick))}"/>`,
    ),
    `</g>`,
    `<g class="x-ticks" text-anchor="middle" fill="#333333">`,
    ...xTicks.values.map(
      (tick) =>
        `<text class="x-tick" x="${coordinate(x(tick))}" y="${plot.bottom + 19}">${tick.toFixed(xTicks.decimals)}</text>`,
    ),
    `</g>`,
    `<g class="y-ticks" text-anchor="end" fill="#333333">`,
    ...yTicks.values.map(
      (tick) =>
        `<text class="y-tick" x="${plot.left - 8}" y="${coordinate(y(tick) + 4)}">${tick.toFixed(yTicks.decimals)}</text>`,
    ),
    `</g>`,
    `<text class="x-label" x="${coordinate((plot.left + plot.right) / 2)}" y="${height - 10}" text-anchor="middle" fill="#222222">${escapeXml(options.xLabel)}</text>`,
    `<text class="y-label" x="16" y="${coordinate((plot.top + plot.bottom) / 2)}" text-anchor="middle" fill="#222222" transform="rotate(-90 16 ${coordinate((plot.top + plot.bottom) / 2)})">${escapeXml(options.yLabel)}</text>`,
    ...(drawn.length === 0
      ? [
          `<text class="no-data" x="${coordinate((plot.left + plot.right) / 2)}" y="${coordinate((plot.top + plot.bottom) / 2)}" text-anchor="middle" fill="#888888">no data</text>`,
        ]
      : []),
    `<g class="gaps" fill="none" stroke-width="1.5">`,
    ...gaps.flatMap((gap) =>
      gap.xs.map(
        (gapX) =>
          `<line x1="${coordinate(x(gapX))}" y1="${plot.top}" x2="${coordinate(x(gapX))}" y2="${plot.bottom}" stroke="${gap.color}" stroke-dasharray="2 3"><title>${escapeXml(`${gap.name}: ${value(gapX)}`)}</title></line>`,
      ),
    ),
    `</g>`,
    `<g class="series" fill="none" stroke-width="2" stroke-linejoin="round">`,
    ...series
      .filter((entry) => entry.line !== 'none')
      .flatMap((entry) => {
        const path = entry.segments
          .map((segment) => linePath(entry.line === 'step' ? stepped(segment) : segment, at))
          .join(' ');
        const dots = entry.marker
          ? []
          : entry.segments
              .filter((segment) => segment.length === 1)
              .map(
                ([point]) =>
                  `<circle cx="${coordinate(x(point!.x))}" cy="${coordinate(y(point!.y))}" r="2.5" fill="${entry.color}" stroke="none"/>`,
              );
        return [
          `<path d="${path}" stroke="${entry.color}"${dash(entry.dashed)}><title>${escapeXml(entry.name)}</title></path>`,
          ...dots,
        ];
      }),
    `</g>`,
    ...gaps.flatMap((gap) => [
      `<g class="markers" data-series="${escapeXml(gap.name)}">`,
      ...gap.xs.map((gapX) =>
        placedMarker(
          coordinate(x(gapX)),
          String(plot.bottom),
          marker(gap.marker, gap.color, 'hollow'),
          escapeXml(`${gap.name}: ${value(gapX)}`),
        ),
      ),
      `</g>`,
    ]),
    ...series.flatMap((entry) => {
      const shape = entry.marker;
      if (!shape) return [];
      const points = entry.segments.flat();
      return [
        `<g class="markers" data-series="${escapeXml(entry.name)}">`,
        ...points.map((point) =>
          placedMarker(
            coordinate(x(point.x)),
            coordinate(y(point.y)),
            marker(shape, entry.color),
            escapeXml(`${entry.name}: ${value(point.x)}, ${value(point.y)}`),
          ),
        ),
        `</g>`,
      ];
    }),
    `<g class="legend" fill="#222222">`,
    ...legendEntries.flatMap(({ name, sample }, index) => {
      const top = plot.top + index * LEGEND_ROW;
      const left = plot.right + 16;
      return [
        `<g class="legend-entry" transform="translate(${left} ${top})">`,
        ...sample,
        `<text x="28" y="10">${escapeXml(name)}</text>`,
        `</g>`,
      ];
    }),
    `</g>`,
    `</svg>`,
  ];
  return `${parts.join('\n')}\n`;
}

/** "A chart of …": the title, the axes and each entry of the legend with how it is drawn. */
function defaultDescription(options: LineChartOptions): string {
  const entries = [
    ...options.series.map((entry) => {
      const count = entry.points.filter((point) => point.y !== null && Number.isFinite(point.y)).length;
      const drawnAs = [
        entry.line === 'none'
          ? undefined
          : `${entry.line === 'step' ? 'a step' : entry.dashed ? 'a dashed' : 'a'} line`,
        entry.marker ? `${entry.marker} markers` : undefined,
      ]
        .filter(Boolean)
        .join(' with ');
      return `${entry.name} (${drawnAs}, ${count} point${count === 1 ? '' : 's'})`;
    }),
    ...(options.bands ?? []).map((band) => `${band.name} (a shaded band)`),
    ...(options.gaps ?? [])
      .filter((gap) => gap.xs.length > 0)
      .map((gap) => `${gap.name} (dotted rules at ${gap.xs.join(', ')})`),
  ];
  return `${options.title}: ${options.yLabel} by ${options.xLabel}.${entries.length === 0 ? '' : ` Shows ${entries.join('; ')}.`}`;
}

/** The path of one run of points: a move to the first, lines to the others. */
function linePath(
  points: ReadonlyArray<{ x: number; y: number }>,
  at: (point: { x: number; y: number }) => string,
): string {
  return points.map((point, index) => `${index === 0 ? 'M' : 'L'}${at(point)}`).join(' ');
}

/** A run of points as steps: each value holds until the next point's x, then the line rises or falls to it. */
function stepped<Point extends { x: number; y: number }>(points: readonly Point[]): Array<{ x: number; y: number }> {
  return points.flatMap((point, index) => (index === 0 ? [point] : [{ x: point.x, y: points[index - 1]!.y }, point]));
}

/** A band's outline: along `high` left to right, back along `low`, closed. */
function bandPath(
  points: ReadonlyArray<{ x: number; low: number; high: number }>,
  step: boolean,
  x: (value: number) => number,
  y: (value: number) => number,
): string {
  if (points.length === 0) return '';
  const edge = (which: 'low' | 'high') => {
    const line = points.map((point) => ({ x: point.x, y: point[which] }));
    return step ? stepped(line) : line;
  };
  const outline = [...edge('high'), ...edge('low').reverse()];
  return `${outline.map((point, index) => `${index === 0 ? 'M' : 'L'}${coordinate(x(point.x))} ${coordinate(y(point.y))}`).join(' ')} Z`;
}

/** The drawable runs of a series: sorted by x, split where y is missing. */
function segmentsOf(points: readonly ChartPoint[]): Array<Array<{ x: number; y: number }>> {
  const segments: Array<Array<{ x: number; y: number }>> = [];
  let current: Array<{ x: number; y: number }> = [];
  for (const point of points.filter((candidate) => Number.isFinite(candidate.x)).sort((a, b) => a.x - b.x)) {
    if (point.y === null || !Number.isFinite(point.y)) {
      if (current.length > 0) segments.push(current);
      current = [];
    } else current.push({ x: point.x, y: point.y });
  }
  if (current.length > 0) segments.push(current);
  return segments;
}

/** The smallest and largest value ([0, 1] for none), without spreading a long array into arguments. */
function extent(values: readonly number[]): [number, number] {
  if (values.length === 0) return [0, 1];
  return values.reduce<[number, number]>(
    ([low, high], value) => [Math.min(low, value), Math.max(high, value)],
    [values[0]!, values[0]!],
  );
}

function coordinate(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function clip(name: string): string {
  return name.length > LEGEND_NAME_CHARS ? `${name.slice(0, LEGEND_NAME_CHARS - 1)}…` : name;
}

function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[character]!,
  );
}
