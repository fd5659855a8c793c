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
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
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

const PALETTE = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];
const LEGEND_NAME_CHARS = 32;
const CHARACTER_WIDTH = 7;

/** Ticks covering [min, max] in about `targetCount` steps; a single value is widened to a range around it. */
export function niceTicks(min: number, max: number, targetCount = 6): Ticks {
  let low = Math.min(min, max);
  let high = Math.max(min, max);
  if (low === high) {
    const pad = low === 0 ? 1 : Math.abs(low) * 0.1;
    low -= pad;
    high += pad;
  }
  const step = niceStep((high - low) / Math.max(1, targetCount - 1));
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
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  return (value) => (span === 0 ? (r0 + r1) / 2 : r0 + ((value - d0) / span) * (r1 - r0));
}

/**
 * A self-contained SVG line chart: one `<path>` per series (broken where a value is missing; an isolated point
 * is drawn as a dot), x and y axes with round tick values, axis labels, a title and a legend on the right.
 */
export function renderLineChart(options: LineChartOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 400;
  const series = options.series.map((entry, index) => ({
    name: entry.name,
    color: entry.color ?? PALETTE[index % PALETTE.length]!,
    dashed: entry.dashed === true,
    segments: segmentsOf(entry.points),
  }));
  const drawn = series.flatMap((entry) => entry.segments.flat());
  const xTicks = niceTicks(...extent(drawn.map((point) => point.x)));
  const yTicks = niceTicks(...extent(drawn.map((point) => point.y)));

  const legendWidth = series.length === 0 ? 0 : 36 + CHARACTER_WIDTH * Math.max(...series.map((entry) => clip(entry.name).length));
  const yLabelWidth = CHARACTER_WIDTH * Math.max(...yTicks.values.map((value) => value.toFixed(yTicks.decimals).length));
  const plot = { left: 36 + yLabelWidth, right: width - 16 - legendWidth, top: 40, bottom: height - 48 };
  const x = linearScale([xTicks.values[0]!, xTicks.values.at(-1)!], [plot.left, plot.right]);
  const y = linearScale([yTicks.values[0]!, yTicks.values.at(-1)!], [plot.bottom, plot.top]);

  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(options.title)}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text class="title" x="${width / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(options.title)}</text>`,
    `<g class="grid" stroke="#e6e6e6">`,
    ...yTicks.values.map((value) => `<line x1="${plot.left}" y1="${coordinate(y(value))}" x2="${plot.right}" y2="${coordinate(y(value))}"/>`),
    `</g>`,
    `<g class="axes" stroke="#333333">`,
    `<line x1="${plot.left}" y1="${plot.bottom}" x2="${plot.right}" y2="${plot.bottom}"/>`,
    `<line x1="${plot.left}" y1="${plot.top}" x2="${plot.left}" y2="${plot.bottom}"/>`,
    ...xTicks.values.map((value) => `<line x1="${coordinate(x(value))}" y1="${plot.bottom}" x2="${coordinate(x(value))}" y2="${plot.bottom + 5}"/>`),
    ...yTicks.values.map((value) => `<line x1="${plot.left - 5}" y1="${coordinate(y(value))}" x2="${plot.left}" y2="${coordinate(y(value))}"/>`),
    `</g>`,
    `<g class="x-ticks" text-anchor="middle" fill="#333333">`,
    ...xTicks.values.map((value) => `<text class="x-tick" x="${coordinate(x(value))}" y="${plot.bottom + 19}">${value.toFixed(xTicks.decimals)}</text>`),
    `</g>`,
    `<g class="y-ticks" text-anchor="end" fill="#333333">`,
    ...yTicks.values.map((value) => `<text class="y-tick" x="${plot.left - 8}" y="${coordinate(y(value) + 4)}">${value.toFixed(yTicks.decimals)}</text>`),
    `</g>`,
    `<text class="x-label" x="${coordinate((plot.left + plot.right) / 2)}" y="${height - 10}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text class="y-label" x="16" y="${coordinate((plot.top + plot.bottom) / 2)}" text-anchor="middle" transform="rotate(-90 16 ${coordinate((plot.top + plot.bottom) / 2)})">${escapeXml(options.yLabel)}</text>`,
    ...(drawn.length === 0 ? [`<text class="no-data" x="${coordinate((plot.left + plot.right) / 2)}" y="${coordinate((plot.top + plot.bottom) / 2)}" text-anchor="middle" fill="#888888">no data</text>`] : []),
    `<g class="series" fill="none" stroke-width="2" stroke-linejoin="round">`,
    ...series.flatMap((entry) => {
      const path = entry.segments.map((segment) => segment.map((point, index) => `${index === 0 ? 'M' : 'L'}${coordinate(x(point.x))} ${coordinate(y(point.y))}`).join(' ')).join(' ');
      const dots = entry.segments.filter((segment) => segment.length === 1).map(([point]) => `<circle cx="${coordinate(x(point!.x))}" cy="${coordinate(y(point!.y))}" r="2.5" fill="${entry.color}" stroke="none"/>`);
      return [`<path d="${path}" stroke="${entry.color}"${entry.dashed ? ' stroke-dasharray="6 4"' : ''}><title>${escapeXml(entry.name)}</title></path>`, ...dots];
    }),
    `</g>`,
    `<g class="legend">`,
    ...series.flatMap((entry, index) => {
      const top = plot.top + index * 18;
      const left = plot.right + 16;
      return [
        `<line x1="${left}" y1="${top + 6}" x2="${left + 22}" y2="${top + 6}" stroke="${entry.color}" stroke-width="2"${entry.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
        `<text x="${left + 28}" y="${top + 10}">${escapeXml(clip(entry.name))}</text>`,
      ];
    }),
    `</g>`,
    `</svg>`,
  ];
  return `${parts.join('\n')}\n`;
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
  return values.reduce<[number, number]>(([low, high], value) => [Math.min(low, value), Math.max(high, value)], [values[0]!, values[0]!]);
}

function coordinate(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function clip(name: string): string {
  return name.length > LEGEND_NAME_CHARS ? `${name.slice(0, LEGEND_NAME_CHARS - 1)}…` : name;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[character]!);
}
