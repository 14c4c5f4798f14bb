/**
 * Charts with uPlot (chosen over Observable Plot on size and speed: see the
 * README's figures and bench/charts.ts). Each chart is a canvas with a label;
 * its numbers are also in a table next to it for screen readers.
 */
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { h } from "./dom.js";

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
  bars?: boolean;
}

export interface Band {
  from: number;
  to: number;
}

/** A time series chart: x in seconds since the epoch; shaded bands (bursts) behind the lines. */
export function timeChart(opts: { label: string; x: number[]; series: Series[]; bands?: Band[]; yRange?: [number, number] }): HTMLElement {
  const box = h("figure", { class: "chart", role: "img", "aria-label": opts.label });
  const bands = opts.bands ?? [];
  const bars = uPlot.paths.bars!({ size: [0.6, 40] });
  const make = () => {
    const width = Math.max(320, Math.min(960, box.clientWidth || 720));
    new uPlot(
      {
        width,
        height: 240,
        scales: { x: { time: true }, y: opts.yRange ? { range: opts.yRange } : { auto: true } },
        legend: { show: true },
        series: [
          {},
          ...opts.series.map((s) => ({
            label: s.label,
            stroke: s.color,
            fill: s.bars ? `${s.color}55` : undefined,
            width: 2,
            paths: s.bars ? bars : undefined,
            spanGaps: true,
          })),
        ],
        axes: [{}, {}],
        hooks: {
          drawClear: [
            (u: uPlot) => {
              // Bursts as shaded windows behind the series.
              const ctx = u.ctx;
              ctx.save();
              ctx.fillStyle = "rgba(200, 40, 40, 0.18)";
              for (const b of bands) {
                const x0 = u.valToPos(b.from, "x", true);
                const x1 = Math.max(u.valToPos(b.to, "x", true), x0 + 3);
                ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
              }
              ctx.restore();
            },
          ],
        },
      },
      [opts.x, ...opts.series.map((s) => s.values)] as uPlot.AlignedData,
      box,
    );
  };
  // Drawn once the figure is in the page and has a width.
  requestAnimationFrame(make);
  return box;
}
