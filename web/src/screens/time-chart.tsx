import { useEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  color: string;
  /** Drawn as bars instead of a line. */
  bars?: boolean;
  /** Counts per minute: the summary gives their total (otherwise the highest value). */
  counts?: boolean;
}

/** uPlot and its CSS load with the first chart, so the rest of the app never pays for them. */
let loading: Promise<typeof uPlot> | null = null;
const loadUPlot = () =>
  (loading ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(([m]) => m.default));

const finite = (v: number | null): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * A time-series chart (uPlot, canvas) with its legend. The figure carries the figures it draws as data
 * attributes (`data-points`: minutes; `data-values`: non-null values over every series) and a text
 * summary for screen readers, since a canvas says nothing by itself.
 */
export function TimeChart({ title, t, series, unit = '' }: { title: string; t: number[]; series: ChartSeries[]; unit?: string }) {
  const box = useRef<HTMLDivElement>(null);
  const values = series.reduce((n, s) => n + s.values.filter(finite).length, 0);
  const summary = series
    .map((s) => {
      const v = s.values.filter(finite);
      if (v.length === 0) return `${s.label}: no data`;
      const total = v.reduce((a, b) => a + b, 0);
      return s.counts ? `${s.label}: ${round(total)} in total` : `${s.label}: up to ${round(Math.max(...v))}${unit}`;
    })
    .join('; ');

  useEffect(() => {
    let chart: uPlot | null = null;
    let gone = false;
    let observer: ResizeObserver | null = null;
    void loadUPlot().then((UPlot) => {
      const el = box.current;
      if (gone || !el) return;
      const width = () => Math.max(260, el.clientWidth);
      const bars = UPlot.paths.bars?.({ size: [0.8, 24] });
      chart = new UPlot(
        {
          width: width(),
          height: 180,
          legend: { live: true },
          cursor: { drag: { x: false, y: false } },
          scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max ?? 1) * 1.1] } },
          axes: [{}, { size: unit ? 66 : 50, values: (_u, ticks) => ticks.map((v) => round(v) + unit) }],
          series: [
            {},
            ...series.map((s) => ({
              label: s.label,
              stroke: s.color,
              width: 2,
              fill: s.bars ? s.color + '55' : undefined,
              paths: s.bars ? bars : undefined,
              spanGaps: false,
              // Sparse data (a few minutes in a long window) as dots, or a lone minute would not show at all.
              points: { show: s.values.filter(finite).length <= 30, size: 5, fill: s.color },
              value: (_u: uPlot, v: number | null) => (v == null ? '–' : round(v) + unit),
            })),
          ],
        },
        [t, ...series.map((s) => s.values)] as uPlot.AlignedData,
        el,
      );
      observer = new ResizeObserver(() => chart?.setSize({ width: width(), height: 180 }));
      observer.observe(el);
    });
    return () => {
      gone = true;
      observer?.disconnect();
      chart?.destroy();
    };
  }, [t, series, unit]);

  return (
    <figure class="card chart" data-chart={title} data-points={t.length} data-values={values}>
      <figcaption>
        <h2>{title}</h2>
      </figcaption>
      <p class="visually-hidden">{summary}</p>
      <div ref={box} aria-hidden="true" />
    </figure>
  );
}

export function round(v: number): string {
  if (Math.abs(v) >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return v.toFixed(Math.abs(v) >= 1 ? 1 : 3).replace(/0+$/, '').replace(/\.$/, '');
}
