import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { decodePng, type DecodedPng } from './png-decode.js';

/** Where the chart tests leave their PNGs (and the SVGs they came from) for a person to look at; git-ignored. */
export const CHART_OUTPUT = join(import.meta.dirname, '..', '..', 'test-output', 'charts');

/** Pixels per SVG unit in the PNGs: twice, so they stay sharp on a high-density screen. */
export const SCALE = 2;

/** A rasterised chart: the decoded PNG, where it was written, and pixel look-ups in the SVG's own coordinates. */
export interface RasterChart extends DecodedPng {
  pngFile: string;
  /** The pixel under SVG point (x, y) as [r, g, b]. */
  at(x: number, y: number): [number, number, number];
  /** How many pixels within `tolerance` (per channel) of `color` lie in the SVG-unit box (all of the image by default). */
  count(color: string, box?: Box, tolerance?: number): number;
}

export interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/**
 * Renders `svg` with resvg (system fonts only, nothing fetched), writes `<name>.svg` and `<name>.png` under
 * CHART_OUTPUT, and decodes the PNG: an SVG that is not well-formed XML throws here, before anything is written.
 */
export function rasterise(svg: string, name: string): RasterChart {
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: SCALE },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
  mkdirSync(CHART_OUTPUT, { recursive: true });
  const pngFile = join(CHART_OUTPUT, `${name}.png`);
  writeFileSync(join(CHART_OUTPUT, `${name}.svg`), svg);
  writeFileSync(pngFile, png);
  const image = decodePng(png);
  const pixel = (px: number, py: number): [number, number, number] => {
    const offset = (py * image.width + px) * 4;
    return [image.rgba[offset]!, image.rgba[offset + 1]!, image.rgba[offset + 2]!];
  };
  return {
    ...image,
    pngFile,
    at: (x, y) => pixel(Math.floor(x * SCALE), Math.floor(y * SCALE)),
    count(color, box = { left: 0, top: 0, right: image.width / SCALE, bottom: image.height / SCALE }, tolerance = 24) {
      const target = rgb(color);
      let found = 0;
      for (
        let py = Math.max(0, Math.floor(box.top * SCALE));
        py < Math.min(image.height, Math.ceil(box.bottom * SCALE));
        py += 1
      ) {
        for (
          let px = Math.max(0, Math.floor(box.left * SCALE));
          px < Math.min(image.width, Math.ceil(box.right * SCALE));
          px += 1
        ) {
          if (near(pixel(px, py), target, tolerance)) found += 1;
        }
      }
      return found;
    },
  };
}

/** `#rrggbb` as [r, g, b]. */
export function rgb(color: string): [number, number, number] {
  const match = /^#([\da-f]{2})([\da-f]{2})([\da-f]{2})$/i.exec(color);
  if (!match) throw new Error(`not a #rrggbb colour: ${color}`);
  return [parseInt(match[1]!, 16), parseInt(match[2]!, 16), parseInt(match[3]!, 16)];
}

/** Whether every channel of `pixel` is within `tolerance` of `color`'s. */
export function near(pixel: readonly number[], color: string | readonly number[], tolerance = 24): boolean {
  const target = typeof color === 'string' ? rgb(color) : color;
  return pixel.every((channel, index) => Math.abs(channel - target[index]!) <= tolerance);
}

/** The centres (SVG units) of the markers of one series, or of one legend entry's marker. */
export function markerCentres(svg: string, series: string): Array<[number, number]> {
  const group = new RegExp(`<g class="markers" data-series="${escapeRegExp(series)}">\\n([\\s\\S]*?)\\n</g>\\n`).exec(
    svg,
  );
  if (!group) return [];
  return [...group[1]!.matchAll(/<g transform="translate\((-?[\d.]+) (-?[\d.]+)\)">/g)].map((match) => [
    Number(match[1]),
    Number(match[2]),
  ]);
}

/** The centre (SVG units) of the marker in the legend entry named `name`, if it has one. */
export function legendMarkerCentre(svg: string, name: string): [number, number] | undefined {
  for (const entry of svg.matchAll(
    /<g class="legend-entry" transform="translate\(([\d.]+) ([\d.]+)\)">\n([\s\S]*?)<text x="28" y="10">([^<]*)<\/text>\n<\/g>/g,
  )) {
    if (entry[4] !== name) continue;
    const inner = /<g transform="translate\(([\d.]+) ([\d.]+)\)">/.exec(entry[3]!);
    if (inner) return [Number(entry[1]) + Number(inner[1]), Number(entry[2]) + Number(inner[2])];
  }
  return undefined;
}

/** The data-to-SVG mapping of a chart, read off its tick labels: x(value), y(value), and the plot box. */
export function chartScales(svg: string): { x: (value: number) => number; y: (value: number) => number; plot: Box } {
  const ticks = (axis: 'x-tick' | 'y-tick', attribute: 'x' | 'y') =>
    [...svg.matchAll(new RegExp(`<text class="${axis}" x="([\\d.]+)" y="([\\d.]+)">([^<]*)</text>`, 'g'))].map(
      (match) => ({
        at: Number(match[attribute === 'x' ? 1 : 2]) - (attribute === 'y' ? 4 : 0),
        value: Number(match[3]),
      }),
    );
  const scale = (marks: Array<{ at: number; value: number }>) => {
    const [first, last] = [marks[0]!, marks.at(-1)!];
    return (value: number) => first.at + ((value - first.value) / (last.value - first.value)) * (last.at - first.at);
  };
  const xMarks = ticks('x-tick', 'x');
  const yMarks = ticks('y-tick', 'y');
  return {
    x: scale(xMarks),
    y: scale(yMarks),
    plot: { left: xMarks[0]!.at, right: xMarks.at(-1)!.at, top: yMarks.at(-1)!.at, bottom: yMarks[0]!.at },
  };
}

/**
 * Which of the filled shapes the pixels of `color` around (x, y) make, probed at the centre, on the axis 3.5 units
 * right, and on the diagonal 3.5 units right and down (a marker is 10 units wide): circle, square or cross; or
 * undefined when the probes match none of them.
 */
export function filledShapeAt(
  chart: RasterChart,
  x: number,
  y: number,
  color: string,
): 'circle' | 'square' | 'cross' | undefined {
  const probe = (dx: number, dy: number) => near(chart.at(x + dx, y + dy), color, 40);
  const signature = [probe(0, 0), probe(3.5, 0), probe(3.5, 3.5)].map(Number).join('');
  return ({ '110': 'circle', '111': 'square', '101': 'cross' } as const)[signature as '110' | '111' | '101'];
}

export function relativeToRepository(file: string): string {
  return relative(join(import.meta.dirname, '..', '..'), file);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
