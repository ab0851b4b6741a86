import { CHART_PAD, roundCoordinate, yTicks, type ChartBox, type YTick } from "../charts/scale";
import type { DailyPoint } from "./daily-series";

/** A daily series as bars, computed here and drawn as plain SVG by the page. */
export interface BarChart extends ChartBox {
  bars: Array<{ x: number; y: number; width: number; height: number; at: number; value: number }>;
  yTicks: YTick[];
  /** The first and last day, under their bars. */
  xLabels: Array<{ x: number; at: number }>;
  max: number;
}

export const DASHBOARD_CHART_BOX: ChartBox = { width: 400, height: 180 };

export function buildBarChart(
  series: readonly DailyPoint[],
  box: ChartBox = DASHBOARD_CHART_BOX,
): BarChart {
  const { width, height } = box;
  const max = Math.max(1, ...series.map((point) => point.value));
  const innerW = width - CHART_PAD.left - CHART_PAD.right;
  const innerH = height - CHART_PAD.top - CHART_PAD.bottom;
  const slot = innerW / Math.max(1, series.length);
  // A quarter of each slot stays empty so neighbouring bars don't merge.
  const barWidth = roundCoordinate(slot * 0.75);
  const y = (value: number) => CHART_PAD.top + innerH * (1 - value / max);
  const bars = series.map((point, index) => {
    const top = roundCoordinate(y(point.value));
    return {
      x: roundCoordinate(CHART_PAD.left + slot * index + (slot - barWidth) / 2),
      y: top,
      width: barWidth,
      height: roundCoordinate(CHART_PAD.top + innerH - top),
      at: point.at,
      value: point.value,
    };
  });
  const first = bars[0];
  const last = bars.at(-1);
  const xLabels =
    first && last
      ? [
          { x: first.x, at: first.at },
          ...(last === first ? [] : [{ x: roundCoordinate(last.x + last.width), at: last.at }]),
        ]
      : [];
  return { width, height, bars, yTicks: yTicks(max, y), xLabels, max };
}
