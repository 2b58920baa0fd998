// Bench entry for the chart draw benchmark (bench/ui.sh → bench/ui_bench.mjs chart): the UI's
// own Chart component with synthetic series. window.benchChart(series, points) builds the data
// (not timed), then times from render() until the frame after uPlot's canvas is in the page.
import { render } from 'preact';
import { Chart, type ChartSeries } from '../ui/src/components/chart';

const frame = () => new Promise<number>((r) => requestAnimationFrame(r));

declare global {
  interface Window {
    benchChart: (series: number, points: number) => Promise<{ ms: number; canvases: number }>;
  }
}

window.benchChart = async (seriesCount: number, points: number) => {
  const end = 1_800_000_000;
  const timestamps = Array.from({ length: points }, (_, i) => end - (points - i) * 15);
  const series: ChartSeries[] = [];
  for (let s = 0; s < seriesCount; s++) {
    const values: (number | null)[] = new Array(points);
    let v = 50 + s;
    for (let i = 0; i < points; i++) {
      // A deterministic random walk per series.
      v += Math.sin(i * 0.013 + s) * 0.7 + Math.cos(i * 0.0071 * (s + 1)) * 0.3;
      values[i] = v;
    }
    series.push({ name: `series_${s}{instance="host-${s}"}`, values });
  }
  const host = document.getElementById('root')!;
  await frame();
  const t0 = performance.now();
  render(<Chart timestamps={timestamps} series={series} height={400} legend="hidden" />, host);
  while (!host.querySelector('canvas')) await frame();
  await frame();
  const ms = performance.now() - t0;
  return { ms, canvases: host.querySelectorAll('canvas').length };
};
