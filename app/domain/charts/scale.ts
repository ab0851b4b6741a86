/**
 * What every server-rendered SVG chart shares (the credits line, the dashboard's bars): the
 * plot's padding inside the viewBox, round tick steps and the horizontal grid lines.
 */
export interface ChartBox {
  width: number;
  height: number;
}

export interface YTick {
  y: number;
  value: number;
}

/** Room for the value labels on the left and the date labels below. */
export const CHART_PAD = { left: 48, right: 12, top: 12, bottom: 28 } as const;

/** A step of 1, 2 or 5 × 10ⁿ that cuts 0..max into about four bands. */
export function niceStep(max: number): number {
  const rough = max / 4;
  const magnitude = 10 ** Math.floor(Math.log10(Math.max(1, rough)));
  const normalized = rough / magnitude;
  const nice = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10;
  return Math.max(1, nice * magnitude);
}

/** The grid lines from 0 to `max`, placed by the chart's own value → y mapping. */
export function yTicks(max: number, y: (value: number) => number): YTick[] {
  const step = niceStep(max);
  const ticks: YTick[] = [];
  for (let value = 0; value <= max; value += step)
    ticks.push({ y: roundCoordinate(y(value)), value });
  return ticks;
}

/** One decimal is plenty for SVG coordinates and keeps the markup short. */
export const roundCoordinate = (value: number) => Math.round(value * 10) / 10;
