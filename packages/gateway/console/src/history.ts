/**
 * Samples a page keeps for its charts, taken each time it polls: at most
 * `pointsMax` of them, the oldest dropped first, so a page left open for a
 * day holds no more than a few minutes of points.
 */
import { useCallback, useState } from 'preact/hooks';
import type { ChartPoint } from './time-chart.tsx';

export const historyPointsMax = 180;

export function appendPoint(
  points: readonly ChartPoint[],
  point: ChartPoint,
  pointsMax = historyPointsMax,
): ChartPoint[] {
  const next = [...points, point];
  return next.length > pointsMax ? next.slice(next.length - pointsMax) : next;
}

export function useHistory(pointsMax = historyPointsMax): {
  points: readonly ChartPoint[];
  push: (point: ChartPoint) => void;
  clear: () => void;
} {
  const [points, setPoints] = useState<readonly ChartPoint[]>([]);
  const push = useCallback((point: ChartPoint) => setPoints((old) => appendPoint(old, point, pointsMax)), [pointsMax]);
  const clear = useCallback(() => setPoints([]), []);
  return { points, push, clear };
}
