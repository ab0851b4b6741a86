import { CHART_PAD as PAD, roundCoordinate as round, yTicks, type YTick } from "../charts/scale";

/**
 * The member's "credits over time" chart, computed here and drawn as plain SVG by the page
 * (server-rendered, no client script). A step line: a balance holds until the next row.
 */
export interface BalancePoint {
  at: number;
  balance: number;
  type: string;
}

export interface BalanceChart {
  width: number;
  height: number;
  /** The SVG path of the step line; empty when there is nothing to draw. */
  path: string;
  dots: Array<{ x: number; y: number; balance: number; at: number; type: string }>;
  yTicks: YTick[];
  xLabels: Array<{ x: number; at: number }>;
  max: number;
}

export function buildBalanceChart(
  points: readonly BalancePoint[],
  size: { width: number; height: number } = { width: 640, height: 220 },
): BalanceChart {
  const { width, height } = size;
  const max = Math.max(1, ...points.map((point) => point.balance));
  const first = points[0]?.at ?? 0;
  const last = points.at(-1)?.at ?? first;
  const span = Math.max(1, last - first);
  const innerW = width - PAD.left - PAD.right;
  const innerH = height - PAD.top - PAD.bottom;
  // Rows often share a timestamp (a renewal writes three): spread by index as a tie-breaker.
  const x = (point: BalancePoint, index: number) =>
    points.length === 1
      ? PAD.left + innerW / 2
      : PAD.left +
        innerW * (0.85 * ((point.at - first) / span) + 0.15 * (index / (points.length - 1)));
  const y = (value: number) => PAD.top + innerH * (1 - value / max);
  const dots = points.map((point, index) => ({
    x: round(x(point, index)),
    y: round(y(point.balance)),
    balance: point.balance,
    at: point.at,
    type: point.type,
  }));
  const path = dots
    .map((dot, index) => (index === 0 ? `M${dot.x} ${dot.y}` : `H${dot.x} V${dot.y}`))
    .join(" ");
  const xLabels =
    dots.length === 0
      ? []
      : dots.length === 1
        ? [{ x: dots[0]!.x, at: dots[0]!.at }]
        : [
            { x: dots[0]!.x, at: dots[0]!.at },
            { x: dots.at(-1)!.x, at: dots.at(-1)!.at },
          ];
  return { width, height, path, dots, yTicks: yTicks(max, y), xLabels, max };
}
