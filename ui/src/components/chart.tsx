// The one chart component: a uPlot time-series chart with lines, stacked areas, points or bars,
// a legend that hides and isolates series, a hover tooltip and drag-to-zoom. Explore and every
// time-series dashboard panel draw through it.
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import type { Labels, MatrixSeries } from '../lib/api';
import { formatTimestamp } from '../lib/time';

export type ChartMode = 'lines' | 'stacked' | 'points' | 'bars';

export interface ChartSeries {
  name: string;
  labels?: Labels;
  /** CSS colour; the palette's next colour when absent. */
  color?: string;
  /** One value per timestamp; null is a gap. */
  values: (number | null)[];
  /** Drawn on the right axis. */
  right?: boolean;
  /** Fill opacity 0..1 under the line (lines mode). */
  fill?: number;
  lineWidth?: number;
  /** Drawn dashed (e.g. Grafana's `dashes`). */
  dashed?: boolean;
  /** Drawn as points even in lines mode. */
  points?: boolean;
  /** Hidden from the start (Grafana's `hideFrom.viz`). */
  hidden?: boolean;
  /** This series' own draw style, overriding the chart's mode (Grafana's per-field `drawStyle`). */
  style?: 'line' | 'bars' | 'points';
}

/** A threshold step: from `value` upwards the colour applies (the base step has -Infinity). */
export interface ChartThreshold {
  value: number;
  color: string;
}

export interface ChartProps {
  /** Unix seconds, ascending. */
  timestamps: number[];
  series: ChartSeries[];
  mode?: ChartMode;
  height: number;
  /** Formats axis ticks and tooltip values. */
  formatValue?: (v: number) => string;
  formatRight?: (v: number) => string;
  /** Called with the dragged range in Unix seconds. */
  onZoom?: (start: number, end: number) => void;
  /** Legend under the chart: a list, a table with `calcs` columns, or none. */
  legend?: 'list' | 'table' | 'hidden';
  /** Extra legend columns: name → value per series (already formatted). */
  legendColumns?: { name: string; values: string[] }[];
  utc?: boolean;
  yMin?: number;
  yMax?: number;
  logBase?: number;
  /** Reports the plot width so callers can choose the query step from it. */
  onWidth?: (px: number) => void;
  /** Threshold steps drawn as lines and/or areas behind the series (Grafana's `thresholdsStyle`). */
  thresholds?: ChartThreshold[];
  thresholdsStyle?: 'line' | 'dashed' | 'area' | 'line+area' | 'dashed+area';
}

/**
 * Draws threshold areas (bands between steps; `layer` 'under', before the grid) or lines (at each
 * step; `layer` 'over', after the grid so a grid line at the same value does not hide them).
 */
function drawThresholds(u: uPlot, steps: ChartThreshold[], style: NonNullable<ChartProps['thresholdsStyle']>, layer: 'under' | 'over') {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  const sorted = [...steps].sort((a, b) => a.value - b.value);
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  const yOf = (v: number) => (Number.isFinite(v) ? u.valToPos(v, 'y', true) : v > 0 ? top : top + height);
  if (layer === 'under' && style.includes('area')) {
    ctx.globalAlpha = 0.15;
    sorted.forEach((s, i) => {
      const lo = yOf(s.value);
      const hi = i + 1 < sorted.length ? yOf(sorted[i + 1].value) : top;
      ctx.fillStyle = s.color;
      ctx.fillRect(left, Math.min(lo, hi), width, Math.abs(lo - hi));
    });
    ctx.globalAlpha = 1;
  }
  if (layer === 'over' && (style.includes('line') || style.includes('dashed'))) {
    ctx.lineWidth = devicePixelRatio;
    if (style.includes('dashed')) ctx.setLineDash([10 * devicePixelRatio, 10 * devicePixelRatio]);
    for (const s of sorted) {
      if (!Number.isFinite(s.value)) continue;
      const y = yOf(s.value);
      ctx.strokeStyle = s.color;
      ctx.beginPath();
      ctx.moveTo(left, y);
      ctx.lineTo(left + width, y);
      ctx.stroke();
    }
  }
  ctx.restore();
}

/** Grafana's classic palette: series keep their colour by position. */
export const PALETTE = [
  '#7EB26D', '#EAB839', '#6ED0E0', '#EF843C', '#E24D42', '#1F78C1', '#BA43A9', '#705DA0',
  '#508642', '#CCA300', '#447EBC', '#C15C17', '#890F02', '#0A437C', '#6D1F62', '#584477',
  '#B7DBAB', '#F4D598', '#70DBED', '#F9BA8F', '#F29191', '#82B5D8', '#E5A8E2', '#AEA2E0',
];

/**
 * Puts the series of a range query on one time axis from `start` to `end` every `step`
 * seconds (what the API answers for a range query), with nulls where a series has no sample.
 */
export function alignMatrix(result: MatrixSeries[], start: number, end: number, step: number): { timestamps: number[]; values: (number | null)[][] } {
  const n = Math.max(0, Math.floor((end - start) / step + 1e-9) + 1);
  const timestamps = Array.from({ length: n }, (_, i) => start + i * step);
  const values = result.map((s) => {
    const row: (number | null)[] = new Array(n).fill(null);
    for (const [t, v] of s.values) {
      const i = Math.round((t - start) / step);
      if (i >= 0 && i < n) {
        const x = parseFloat(v);
        row[i] = Number.isFinite(x) ? x : null;
      }
    }
    return row;
  });
  return { timestamps, values };
}

function defaultFormat(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e15 || a < 1e-4) return v.toExponential(2);
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [size, suffix] of units) if (a >= size) return `${+(v / size).toFixed(2)}${suffix}`;
  return `${+v.toPrecision(4)}`;
}

/**
 * Sizes a y axis from its widest tick label (uPlot calls this while laying out), so labels
 * such as "18.6 GiB" or "-500 b/s" are never cut at the left edge.
 */
const measure = typeof document !== 'undefined' ? document.createElement('canvas').getContext('2d') : null;
function axisSize(u: uPlot, values: string[] | null, axisIdx: number): number {
  void u;
  void axisIdx;
  if (!values || !values.length || !measure) return 40;
  // uPlot's default axis font, in CSS pixels (its own copy is scaled by the pixel ratio).
  measure.font = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  const widest = Math.max(...values.map((v) => measure.measureText(String(v ?? '')).width));
  // Tick length (10) and gap (5) are uPlot's defaults.
  return Math.ceil(widest + 10 + 5 + 8);
}

function cumulative(series: ChartSeries[], visible: boolean[]): (number | null)[][] {
  const acc: number[] = series.length ? new Array(series[0].values.length).fill(0) : [];
  return series.map((s, si) => {
    if (!visible[si]) return s.values.map(() => null);
    return s.values.map((v, i) => {
      if (v === null) return null;
      acc[i] += v;
      return acc[i];
    });
  });
}

export function Chart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const tip = useRef<HTMLDivElement>(null);
  const [hidden, setHidden] = useState<boolean[]>(() => props.series.map((s) => !!s.hidden));
  const propsRef = useRef(props);
  propsRef.current = props;
  const mode = props.mode ?? 'lines';
  const fmt = props.formatValue ?? defaultFormat;

  // A new set of series (a new query answer) starts with Grafana's hideFrom settings.
  const identity = props.series.map((s) => s.name).join('\u0000');
  useEffect(() => setHidden(props.series.map((s) => !!s.hidden)), [identity]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const visible = props.series.map((_, i) => !hidden[i]);
    const drawn = mode === 'stacked' ? cumulative(props.series, visible) : props.series.map((s) => s.values);
    const colors = props.series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]);
    const width = Math.max(100, el.clientWidth);
    const barPaths = uPlot.paths.bars ? uPlot.paths.bars({ size: [0.8, 64] }) : undefined;
    const hasRight = props.series.some((s) => s.right);
    // A series' own style wins; otherwise the chart's mode decides (stacked areas are lines).
    const styleOf = (s: ChartSeries): 'line' | 'bars' | 'points' => s.style ?? (mode === 'bars' ? 'bars' : mode === 'points' ? 'points' : 'line');
    const opts: uPlot.Options = {
      width,
      height: props.height,
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false }, points: { size: 6 } },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      tzDate: props.utc ? (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC') : undefined,
      scales: {
        x: { time: true },
        y: {
          distr: props.logBase ? 3 : 1,
          log: props.logBase === 2 ? 2 : 10,
          range: (_u, min, max) => {
            const lo = props.yMin ?? (min === max ? min - 1 : min);
            const hi = props.yMax ?? (min === max ? max + 1 : max);
            if (mode === 'stacked' || mode === 'bars') return [Math.min(0, lo), hi];
            return uPlot.rangeNum(lo, hi, 0.1, true);
          },
        },
        ...(hasRight ? { y2: { auto: true } } : {}),
      },
      axes: [
        { stroke: '#626b77', grid: { stroke: '#e6e9ed' }, ticks: { stroke: '#e6e9ed' } },
        { stroke: '#626b77', grid: { stroke: '#e6e9ed' }, ticks: { stroke: '#e6e9ed' }, size: axisSize, values: (_u, vals) => vals.map((v) => (v === null ? '' : fmt(v))) },
        ...(hasRight ? [{ scale: 'y2', side: 1 as const, stroke: '#626b77', grid: { show: false }, size: axisSize, values: (_u: uPlot, vals: number[]) => vals.map((v) => (props.formatRight ?? fmt)(v)) }] : []),
      ],
      series: [
        {},
        ...props.series.map((s, i) => ({
          label: s.name,
          scale: s.right ? 'y2' : 'y',
          show: !hidden[i],
          stroke: colors[i],
          width: s.lineWidth ?? (mode === 'points' ? 0 : 1.25),
          dash: s.dashed ? [6, 4] : undefined,
          fill: mode === 'stacked' ? colors[i] + '66' : s.fill ? colors[i] + Math.round(s.fill * 255).toString(16).padStart(2, '0') : undefined,
          points: { show: styleOf(s) === 'points' || !!s.points, size: styleOf(s) === 'points' ? 4 : 3, fill: colors[i] },
          paths: styleOf(s) === 'bars' ? barPaths : styleOf(s) === 'points' ? () => null : undefined,
          spanGaps: false,
        })),
      ],
      hooks: {
        drawClear: [
          (u) => {
            const p = propsRef.current;
            if (p.thresholds?.length && p.thresholdsStyle) drawThresholds(u, p.thresholds, p.thresholdsStyle, 'under');
          },
        ],
        drawAxes: [
          (u) => {
            const p = propsRef.current;
            if (p.thresholds?.length && p.thresholdsStyle) drawThresholds(u, p.thresholds, p.thresholdsStyle, 'over');
          },
        ],
        setSelect: [
          (u) => {
            if (u.select.width > 2 && propsRef.current.onZoom) {
              const a = u.posToVal(u.select.left, 'x');
              const b = u.posToVal(u.select.left + u.select.width, 'x');
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
              propsRef.current.onZoom(a, b);
            }
          },
        ],
        setCursor: [
          (u) => {
            const t = tip.current;
            if (!t) return;
            const idx = u.cursor.idx;
            if (idx === null || idx === undefined || u.cursor.left === undefined || u.cursor.left < 0) {
              t.style.display = 'none';
              return;
            }
            const p = propsRef.current;
            const rows = p.series
              .map((s, i) => ({ s, i, v: s.values[idx] }))
              .filter((r) => !hidden[r.i] && r.v !== null && r.v !== undefined)
              .sort((a, b) => (b.v as number) - (a.v as number))
              .slice(0, 12);
            if (!rows.length) {
              t.style.display = 'none';
              return;
            }
            const when = formatTimestamp((u.data[0][idx] as number) * 1000, p.utc);
            t.replaceChildren();
            const head = document.createElement('div');
            head.textContent = when;
            head.style.opacity = '0.8';
            t.appendChild(head);
            for (const r of rows) {
              const line = document.createElement('div');
              const sw = document.createElement('span');
              sw.className = 'legend-swatch';
              sw.style.background = colors[r.i];
              line.appendChild(sw);
              line.append(` ${r.s.name}: `);
              const b = document.createElement('b');
              b.textContent = (r.s.right ? (p.formatRight ?? fmt) : fmt)(r.v as number);
              line.appendChild(b);
              t.appendChild(line);
            }
            t.style.display = 'block';
            const left = (u.cursor.left ?? 0) + 70;
            t.style.left = `${Math.min(left, el.clientWidth - 260)}px`;
            t.style.top = `${(u.cursor.top ?? 0) + 10}px`;
          },
        ],
      },
    };
    const data = [props.timestamps, ...drawn] as uPlot.AlignedData;
    const u = new uPlot(opts, data, el);
    plot.current = u;
    props.onWidth?.(u.bbox.width / devicePixelRatio);
    const ro = new ResizeObserver(() => {
      const w = el.clientWidth;
      if (w > 0 && Math.abs(w - u.width) > 1) {
        u.setSize({ width: w, height: propsRef.current.height });
        propsRef.current.onWidth?.(u.bbox.width / devicePixelRatio);
      }
    });
    ro.observe(el);
    const leave = () => tip.current && (tip.current.style.display = 'none');
    el.addEventListener('mouseleave', leave);
    return () => {
      ro.disconnect();
      el.removeEventListener('mouseleave', leave);
      u.destroy();
      plot.current = null;
    };
  }, [props.timestamps, props.series, mode, props.height, hidden, props.utc, props.yMin, props.yMax, props.logBase, props.thresholds, props.thresholdsStyle]);

  /** Click isolates a series (click again shows all); Ctrl/Cmd/Shift-click toggles it. */
  const onLegendClick = (i: number, e: MouseEvent) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey) {
      setHidden((h) => h.map((x, j) => (j === i ? !x : x)));
      return;
    }
    setHidden((h) => {
      const isolated = h.every((x, j) => (j === i ? !x : x));
      return h.map((_, j) => (isolated ? false : j !== i));
    });
  };
  const colors = props.series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]);
  const legend = props.legend ?? 'list';
  return (
    <div class="chart">
      <div ref={box} class="chart-plot" />
      <div ref={tip} class="chart-tooltip" style={{ display: 'none' }} />
      {legend === 'list' && (
        <div class="legend">
          {props.series.map((s, i) => (
            <span class={`legend-item ${hidden[i] ? 'hidden' : ''}`} title={s.name} onClick={(e) => onLegendClick(i, e as MouseEvent)}>
              <span class="legend-swatch" style={{ background: colors[i] }} />
              {s.name}
            </span>
          ))}
        </div>
      )}
      {legend === 'table' && (
        <div class="legend-table">
          <table class="data">
            <thead>
              <tr>
                <th>Series</th>
                {(props.legendColumns ?? []).map((c) => (
                  <th>{c.name}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {props.series.map((s, i) => (
                <tr class={`legend-item ${hidden[i] ? 'hidden' : ''}`} onClick={(e) => onLegendClick(i, e as MouseEvent)}>
                  <td>
                    <span class="legend-swatch" style={{ background: colors[i] }} /> {s.name}
                  </td>
                  {(props.legendColumns ?? []).map((c) => (
                    <td>{c.values[i]}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
