// Time-series panels (`timeseries`, and `graph` after migration) drawn through the shared
// Chart: draw style, fill, stacking (normal/percent), right axis, negative-Y, units, legend
// list/table with calcs.
import { useMemo } from 'preact/hooks';
import { Chart, type ChartMode, type ChartSeries } from '../../components/chart';
import { displayNameFor, formatValueString, reduceNumber, resolveColor, seriesColor } from '../bridge';
import { fieldConfigFor } from '../fieldconfig';
import type { PanelViewProps } from './types';

const CALC_LABELS: Record<string, string> = { min: 'Min', max: 'Max', mean: 'Mean', lastNotNull: 'Last *', last: 'Last', sum: 'Total', firstNotNull: 'First *', first: 'First', count: 'Count', range: 'Range', delta: 'Delta', diff: 'Difference' };

/** Puts every series on the union of their timestamps (targets may use different steps). */
export function unionAxis(series: { timestamps: number[]; values: (number | null)[] }[], range?: { start: number; end: number }): { timestamps: number[]; rows: (number | null)[][] } {
  const all = new Set<number>(range ? [range.start, range.end] : []);
  for (const s of series) for (const t of s.timestamps) all.add(t);
  const timestamps = [...all].sort((a, b) => a - b);
  const index = new Map(timestamps.map((t, i) => [t, i]));
  const rows = series.map((s) => {
    const row: (number | null)[] = new Array(timestamps.length).fill(null);
    s.timestamps.forEach((t, i) => (row[index.get(t)!] = s.values[i]));
    return row;
  });
  return { timestamps, rows };
}

/** The `fieldConfig.*.custom` settings of Grafana's time-series panel this renderer reads. */
interface TimeseriesCustom {
  drawStyle?: 'line' | 'bars' | 'points';
  fillOpacity?: number;
  lineWidth?: number;
  lineStyle?: { fill?: string };
  showPoints?: string;
  stacking?: { mode?: string; group?: string | boolean };
  axisPlacement?: string;
  transform?: string;
  hideFrom?: { viz?: boolean };
  scaleDistribution?: { type?: string; log?: number };
  thresholdsStyle?: { mode?: string };
}

const THRESHOLD_STYLES = ['line', 'dashed', 'area', 'line+area', 'dashed+area'] as const;
type ThresholdStyle = (typeof THRESHOLD_STYLES)[number];

const customOf = (fc: { custom?: Record<string, unknown> }) => (fc.custom ?? {}) as TimeseriesCustom;

export function TimeseriesPanel(p: PanelViewProps) {
  const legendOpts = (p.panel.options.legend ?? {}) as { displayMode?: string; showLegend?: boolean; calcs?: string[] };
  // A list legend with calcs shows them as columns (the chart's list has no room for values).
  const withCalcs = (legendOpts.calcs ?? []).length > 0;
  const legend: 'list' | 'table' | 'hidden' = legendOpts.showLegend === false || legendOpts.displayMode === 'hidden' ? 'hidden' : legendOpts.displayMode === 'table' || withCalcs ? 'table' : 'list';
  const defaults = fieldConfigFor(p.panel, '');
  const custom = customOf(defaults);

  const built = useMemo(() => {
    const { timestamps, rows } = unionAxis(p.data.series, p.range);
    const stackModeOf = (c: TimeseriesCustom) => (c.stacking?.mode === 'normal' || c.stacking?.mode === 'percent' ? c.stacking.mode : 'none');
    const stackMode = stackModeOf(custom);
    // Series stack with the others of their stacking group (Grafana's `stacking.group`, "A" by default).
    const perSeries = p.data.series.map((s) => {
      const c = customOf(fieldConfigFor(p.panel, s.name, s.refId, s.labels));
      const m = stackModeOf(c);
      return m === 'none' ? 'none' : `${m}:${String(c.stacking?.group ?? 'A')}`;
    });
    // The chart stacks every series or none; when overrides take some out of the stack (Node
    // Exporter's "Total"), the stacked ones are summed here and drawn as filled lines.
    const allStacked = perSeries.length > 0 && perSeries.every((m) => m !== 'none' && m === perSeries[0]);
    const someStacked = perSeries.some((m) => m !== 'none');
    let mode: ChartMode = 'lines';
    if (allStacked) mode = 'stacked';
    else if (custom.drawStyle === 'bars') mode = 'bars';
    else if (custom.drawStyle === 'points') mode = 'points';
    let rightUnit: string | undefined;
    // Values before stacking, for the legend's calcs.
    const raw: (number | null)[][] = [];
    const series: ChartSeries[] = p.data.series.map((s, i) => {
      const fc = fieldConfigFor(p.panel, s.name, s.refId, s.labels);
      const c = customOf(fc);
      let values = rows[i];
      raw.push([...values]);
      if (c.transform === 'negative-Y') values = values.map((v) => (v === null ? null : -v));
      const right = c.axisPlacement === 'right';
      if (right) rightUnit = fc.unit;
      const color = fc.color?.mode === 'fixed' && fc.color.fixedColor ? resolveColor(fc.color.fixedColor) : seriesColor(i);
      return {
        name: displayNameFor(fc, s.name, s.labels),
        labels: s.labels,
        color,
        values,
        right,
        fill: typeof c.fillOpacity === 'number' ? Math.min(1, c.fillOpacity / 100) : 0,
        lineWidth: typeof c.lineWidth === 'number' ? c.lineWidth : undefined,
        dashed: c.lineStyle?.fill === 'dash',
        points: c.showPoints === 'always',
        hidden: !!c.hideFrom?.viz,
        // An override may draw one series differently (bars among lines, or the reverse).
        style: c.drawStyle === 'bars' || c.drawStyle === 'points' || c.drawStyle === 'line' ? c.drawStyle : undefined,
      };
    });
    if (someStacked && !allStacked) {
      const sums = new Map<string, number[]>();
      series.forEach((s, i) => {
        if (perSeries[i] === 'none' || s.hidden) return;
        const acc = sums.get(perSeries[i]) ?? new Array(timestamps.length).fill(0);
        sums.set(perSeries[i], acc);
        s.values = s.values.map((v, t) => (v === null ? null : (acc[t] += v)));
      });
    }
    if (stackMode === 'percent') {
      for (let t = 0; t < timestamps.length; t++) {
        const total = series.reduce((a, s) => a + Math.abs(s.values[t] ?? 0), 0);
        for (const s of series) if (s.values[t] !== null) s.values[t] = total ? ((s.values[t] as number) / total) * 100 : 0;
      }
    }
    return { timestamps, series, mode, rightUnit, raw };
  }, [p.data, p.panel, p.range?.start, p.range?.end]);

  const unit = stackModeUnit(custom, defaults.unit);
  const fmt = (v: number) => formatValueString(v, unit, defaults.decimals);
  const fmtRight = (v: number) => formatValueString(v, built.rightUnit ?? unit, defaults.decimals);
  const calcs = legend === 'table' ? legendOpts.calcs ?? [] : [];
  const legendColumns = calcs.map((c) => ({
    name: CALC_LABELS[c] ?? c,
    values: p.data.series.map((s, i) => {
      const fc = fieldConfigFor(p.panel, s.name, s.refId);
      const v = reduceNumber(built.raw[i], c);
      return v === null ? '' : formatValueString(v, fc.unit, fc.decimals);
    }),
  }));
  const n = built.series.length;
  const legendPx = legend === 'hidden' ? 0 : legend === 'table' ? Math.min(Math.round(p.height * 0.45), 30 + 21 * n) : Math.min(Math.round(p.height * 0.3), 22 * Math.ceil(n / Math.max(1, Math.floor(p.width / 220))));
  const scale = custom.scaleDistribution;
  // Threshold lines/areas: absolute steps as they are; percentage steps need the axis min/max.
  const styleMode = custom.thresholdsStyle?.mode;
  const thresholdsStyle = THRESHOLD_STYLES.includes(styleMode as ThresholdStyle) ? (styleMode as ThresholdStyle) : undefined;
  const th = defaults.thresholds;
  const thresholds = useMemo(() => {
    if (!thresholdsStyle || !th?.steps?.length) return undefined;
    const pct = th.mode === 'percentage';
    if (pct && (defaults.min === undefined || defaults.max === undefined)) return undefined;
    return th.steps.map((st) => {
      const raw = st.value === null || st.value === undefined ? -Infinity : st.value;
      const value = pct && Number.isFinite(raw) ? (defaults.min as number) + ((defaults.max as number) - (defaults.min as number)) * (raw / 100) : raw;
      return { value, color: resolveColor(st.color) };
    });
  }, [thresholdsStyle, th, defaults.min, defaults.max]);
  return (
    <div class="dash-timeseries" style={{ ['--legend-h' as string]: `${legendPx}px` }}>
      <Chart
        timestamps={built.timestamps}
        series={built.series}
        mode={built.mode}
        height={Math.max(60, p.height - legendPx - 6)}
        formatValue={fmt}
        formatRight={fmtRight}
        onZoom={p.onZoom}
        legend={legend === 'table' && !legendColumns.length ? 'table' : legend}
        legendColumns={legendColumns}
        utc={p.utc}
        yMin={defaults.min ?? (custom.stacking?.mode === 'percent' ? 0 : undefined)}
        yMax={defaults.max ?? (custom.stacking?.mode === 'percent' ? 100 : undefined)}
        logBase={scale?.type === 'log' ? scale.log ?? 10 : undefined}
        thresholds={thresholds}
        thresholdsStyle={thresholdsStyle}
      />
    </div>
  );
}

/** Percent stacking shows percentages whatever the field's unit. */
function stackModeUnit(custom: TimeseriesCustom, unit: string | undefined): string | undefined {
  return custom.stacking?.mode === 'percent' ? 'percent' : unit;
}
