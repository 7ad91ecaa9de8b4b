/**
 * A line chart over time (uPlot, drawn on a canvas). Canvas is invisible to
 * assistive technology, so the chart is an image with a label that says
 * what it shows and its latest and peak values, and the same numbers are
 * in the page as text beside it. Points are kept by the caller (History).
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  color: string;
}

export interface ChartPoint {
  /** ms since the epoch. */
  atMs: number;
  values: readonly (number | null)[];
}

export interface TimeChartProps {
  /** What the chart shows, for its label: "Total lag of group g". */
  title: string;
  unit: string;
  series: readonly ChartSeries[];
  points: readonly ChartPoint[];
  height?: number;
  testId?: string;
}

/** The chart's accessible description: latest and peak of each series over the points shown. */
export function chartSummary(props: Pick<TimeChartProps, 'title' | 'unit' | 'series' | 'points'>): string {
  if (props.points.length === 0) return `${props.title}: no samples yet.`;
  const parts = props.series.map((s, i) => {
    const values = props.points.map((p) => p.values[i]).filter((v): v is number => v !== null && v !== undefined);
    if (values.length === 0) return `${s.label}: no value`;
    const latest = values[values.length - 1] ?? 0;
    const peak = Math.max(...values);
    return `${s.label}: latest ${round(latest)}, peak ${round(peak)} ${props.unit}`;
  });
  return `${props.title}, ${props.points.length} samples. ${parts.join('; ')}.`;
}

/** An axis tick: the time of day to the second, in the browser's locale. */
function timeLabel(seconds: number): string {
  return new Date(seconds * 1000).toLocaleTimeString();
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

function toData(points: readonly ChartPoint[], seriesCount: number): uPlot.AlignedData {
  const xs = points.map((p) => p.atMs / 1000);
  const ys = Array.from({ length: seriesCount }, (_, i) => points.map((p) => p.values[i] ?? null));
  return [xs, ...ys] as uPlot.AlignedData;
}

export function TimeChart(props: TimeChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const seriesKey = props.series.map((s) => s.label).join('\u0000');

  // The chart is rebuilt only when its series change; data flows in through setData below.
  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    const width = Math.max(320, element.clientWidth);
    const chart = new uPlot(
      {
        width,
        height: props.height ?? 220,
        series: [{}, ...props.series.map((s) => ({ label: s.label, stroke: s.color, width: 2, spanGaps: true }))],
        axes: [
          { space: 90, values: (_u, splits) => splits.map(timeLabel) },
          { label: props.unit, size: 70 },
        ],
        scales: { y: { range: (_u, min, max) => [Math.min(0, min), Math.max(1, max * 1.1)] } },
        cursor: { drag: { x: false, y: false } },
      },
      toData(props.points, props.series.length),
      element,
    );
    plot.current = chart;
    const onResize = (): void =>
      chart.setSize({ width: Math.max(320, element.clientWidth), height: props.height ?? 220 });
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.destroy();
      plot.current = null;
    };
  }, [seriesKey]);

  useEffect(() => {
    plot.current?.setData(toData(props.points, props.series.length));
  }, [props.points, props.series.length]);

  const summary = chartSummary(props);
  return (
    <figure class="chart">
      <div
        ref={container}
        role="img"
        aria-label={summary}
        data-testid={props.testId}
        data-samples={props.points.length}
      />
      <figcaption class="chart-legend-note">{summary}</figcaption>
    </figure>
  );
}
