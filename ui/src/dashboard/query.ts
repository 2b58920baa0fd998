// What a panel asks the API: its visible targets with variables and Grafana's built-in
// interval variables expanded, the step from the panel's width and interval settings, and
// instant or range per target (interval rules from the dashboard model). Pure, so the
// requests are unit-tested without a browser.
import { alignRange, builtinVariables, computeQueryInterval, interpolate, seriesName as modelSeriesName, type DatasourceRef, type Panel, type VarScope } from './bridge';

export interface PanelQuery {
  refId: string;
  expr: string;
  legendFormat?: string;
  instant: boolean;
  /** Seconds; range queries only. */
  start: number;
  end: number;
  step: number;
}

export interface QueryPlan {
  queries: PanelQuery[];
  /** The panel's `$__interval` in ms (before a target's own minimum or factor). */
  intervalMs: number;
}

/**
 * The data source type a reference names, when it names one other than Prometheus (Vigil
 * answers Prometheus queries only): Loki, TestData, Grafana's own… Names, `${DS}` strings and
 * `-- Mixed --` count as Prometheus.
 */
export function foreignDatasource(ref: DatasourceRef | undefined): string | null {
  if (!ref || typeof ref !== 'object') return null;
  const type = ref.type ?? '';
  if (!type || type === 'prometheus' || type.startsWith('$') || (type === 'datasource' && ref.uid === '-- Mixed --')) return null;
  if (type === 'datasource' && ref.uid === '-- Grafana --') return 'grafana';
  return type === 'datasource' ? null : type;
}

/** Panel types that show one value per series, so Grafana's instant queries fit them too. */
const TABLE_LIKE = new Set(['table']);

/**
 * Plans a panel's queries over [start, end] (seconds) for a panel `widthPx` wide with the
 * model's interval rules (one point per pixel or `maxDataPoints`, the panel's Min interval,
 * each target's Min step and `intervalFactor`, at most 11,000 points), the model's built-in
 * variables (`$__interval`, `$__rate_interval`, `$__range`…) and its step alignment.
 */
export function planQueries(panel: Panel, scope: VarScope, start: number, end: number, widthPx: number): QueryPlan {
  const rangeMs = Math.max(1, (end - start) * 1000);
  const panelInterval = panel.interval ? interpolate(panel.interval, scope, 'raw') : undefined;
  let intervalMs = 0;
  const queries: PanelQuery[] = [];
  for (const t of panel.targets) {
    if (t.hide || !t.expr?.trim() || foreignDatasource(t.datasource ?? panel.datasource)) continue;
    const r = computeQueryInterval({
      rangeMs,
      widthPx,
      maxDataPoints: panel.maxDataPoints,
      panelInterval,
      targetInterval: t.interval ? interpolate(t.interval, scope, 'raw') : undefined,
      intervalFactor: t.intervalFactor,
    });
    intervalMs = intervalMs || r.intervalMs;
    const builtins: VarScope = {};
    for (const [k, v] of Object.entries(builtinVariables(r, start * 1000, end * 1000))) builtins[k] = { value: v };
    const vars = { ...scope, ...builtins };
    const instant = t.instant === true && t.range !== true ? true : TABLE_LIKE.has(panel.type) && t.format === 'table' && t.range !== true;
    const aligned = alignRange(start, end, r.stepSeconds);
    queries.push({
      refId: t.refId,
      expr: interpolate(t.expr, vars),
      legendFormat: t.legendFormat ? interpolate(t.legendFormat, vars, 'text') : t.legendFormat,
      instant,
      // Instant queries evaluate at the range's end itself; range queries on the aligned grid.
      start: instant ? start : aligned.start,
      end: instant ? end : aligned.end,
      step: r.stepSeconds,
    });
  }
  return { queries, intervalMs };
}

/**
 * A series' display name: the target's legendFormat with `{{label}}` filled in; without one,
 * Prometheus's `name{labels}`, or the query itself when the series has no labels.
 */
export function seriesName(labels: Record<string, string>, legendFormat: string | undefined, expr: string): string {
  return modelSeriesName(labels, legendFormat, expr);
}
