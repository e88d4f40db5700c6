// The live rollout chart: a DaemonSet's desired, updated, available and unavailable counts over
// time, drawn by uPlot (canvas; redraws thousands of points in well under a frame).

import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Sample } from './view.js';

export const SERIES = [
  { key: 'desired', label: 'desired', stroke: '#1f2933', dash: [6, 4] },
  { key: 'updated', label: 'updated', stroke: '#0072B2', dash: undefined },
  { key: 'available', label: 'available', stroke: '#009E73', dash: undefined },
  { key: 'unavailable', label: 'unavailable', stroke: '#D55E00', dash: [2, 3] },
] as const;

export class RolloutChart {
  private plot: uPlot;

  constructor(el: HTMLElement, width: number) {
    this.plot = new uPlot(
      {
        width,
        height: 120,
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
        axes: [
          { label: 'seconds', labelSize: 16, size: 30, font: '11px system-ui, "DejaVu Sans", sans-serif', labelFont: '11px system-ui, "DejaVu Sans", sans-serif' },
          { size: 40, font: '11px system-ui, "DejaVu Sans", sans-serif' },
        ],
        series: [
          { label: 't' },
          ...SERIES.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, dash: s.dash ? [...s.dash] : undefined, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false } })),
        ],
      },
      [[], [], [], [], []],
      el,
    );
  }

  /** show these samples, up to now (seconds) */
  update(samples: Sample[], now: number): void {
    // extend the last values to now, so a quiet DaemonSet's lines reach the present
    const last = samples[samples.length - 1];
    const pts = last ? [...samples, { ...last, t: Math.max(now, last.t) }] : [];
    this.plot.setData([pts.map((s) => s.t), pts.map((s) => s.desired), pts.map((s) => s.updated), pts.map((s) => s.available), pts.map((s) => s.unavailable)]);
  }

  /** what the chart shows: [t, desired, updated, available, unavailable] columns */
  data(): number[][] {
    return this.plot.data.map((col) => Array.from(col as ArrayLike<number>));
  }

  resize(width: number): void {
    this.plot.setSize({ width, height: 120 });
  }

  destroy(): void {
    this.plot.destroy();
  }
}
