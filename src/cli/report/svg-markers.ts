/**
 * Point markers for the SVG charts: each shape drawn around the origin, to be placed with `translate(x y)`, so a
 * chart's points and its legend use the very same markup. Filled shapes get a thin outline of the background
 * colour, which lifts them off the lines they sit on.
 */

export type MarkerShape = 'circle' | 'square' | 'triangle' | 'diamond' | 'cross';

/** How a marker is painted: `filled` in its colour, or `hollow` (background inside, outlined in its colour). */
export type MarkerFill = 'filled' | 'hollow';

/** Half the width of a marker, in pixels. */
export const MARKER_RADIUS = 5;

/** The markup of one marker of `shape` centred on the origin, in `color`, over a `background` of that colour. */
export function markerShape(shape: MarkerShape, color: string, fill: MarkerFill, background: string): string {
  const r = MARKER_RADIUS;
  if (shape === 'cross') {
    const d = `M${-r} ${-r} L${r} ${r} M${-r} ${r} L${r} ${-r}`;
    return `<path d="${d}" fill="none" stroke="${background}" stroke-width="5"/><path d="${d}" fill="none" stroke="${color}" stroke-width="2.5"/>`;
  }
  const paint =
    fill === 'filled'
      ? `fill="${color}" stroke="${background}" stroke-width="1"`
      : `fill="${background}" stroke="${color}" stroke-width="2"`;
  if (shape === 'circle') return `<circle r="${r}" ${paint}/>`;
  if (shape === 'square')
    return `<rect x="${-r + 0.5}" y="${-r + 0.5}" width="${2 * r - 1}" height="${2 * r - 1}" ${paint}/>`;
  if (shape === 'triangle')
    return `<path d="M0 ${-r - 0.5} L${r + 0.5} ${r - 0.5} L${-r - 0.5} ${r - 0.5} Z" ${paint}/>`;
  return `<path d="M0 ${-r - 0.5} L${r + 0.5} 0 L0 ${r + 0.5} L${-r - 0.5} 0 Z" ${paint}/>`;
}

/** One marker placed at (x, y), with a tooltip. */
export function placedMarker(x: string, y: string, shapeMarkup: string, tooltip: string): string {
  return `<g transform="translate(${x} ${y})"><title>${tooltip}</title>${shapeMarkup}</g>`;
}
