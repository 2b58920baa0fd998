// What a panel asks the API: its visible targets with variables and Grafana's built-in
// interval variables expanded, the step from the panel's width and interval settings, and
// instant or range per target. Pure, so the requests are unit-tested without a browser.
import { roundInterval, parseDuration, MAX_POINTS, formatDuration } from '../lib/time';
import { interpolate, renderLegend, type Panel, type VarScope } from './bridge';

/** The Prometheus data source's default scrape interval: the floor of every step. */
export const DEFAULT_SCRAPE_INTERVAL_MS = 15_000;

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

/** Panel types that show one value per series, so Grafana's instant queries fit them too. */
const TABLE_LIKE = new Set(['table']);

/** A duration setting that may hold variables and Grafana's `>` prefix (`>10s`, `$interval`). */
function durationSetting(text: string | undefined, scope: VarScope): number | null {
  if (!text) return null;
  const t = interpolate(text, scope).replace(/^>/, '').trim();
  return parseDuration(t);
}

function builtins(intervalMs: number, rangeMs: number, scrapeMs: number): VarScope {
  const s = (x: string) => ({ value: x });
  const rate = Math.max(intervalMs + scrapeMs, 4 * scrapeMs);
  const rangeS = Math.round(rangeMs / 1000);
  return {
    __interval: s(formatDuration(intervalMs)),
    __interval_ms: s(String(intervalMs)),
    __rate_interval: s(formatDuration(rate)),
    __rate_interval_ms: s(String(rate)),
    __range: s(`${rangeS}s`),
    __range_s: s(String(rangeS)),
    __range_ms: s(String(Math.round(rangeMs))),
  };
}

/**
 * Plans a panel's queries over [start, end] (seconds) for a panel `widthPx` wide: one point per
 * pixel or `maxDataPoints`, rounded like Grafana, never below the panel's Min interval (default
 * the scrape interval), times each target's `intervalFactor`, at most 11,000 points.
 */
export function planQueries(panel: Panel, scope: VarScope, start: number, end: number, widthPx: number): QueryPlan {
  const rangeMs = Math.max(1, (end - start) * 1000);
  const maxPoints = panel.maxDataPoints && panel.maxDataPoints > 0 ? panel.maxDataPoints : Math.max(1, Math.round(widthPx));
  const minMs = durationSetting(panel.interval, scope) ?? DEFAULT_SCRAPE_INTERVAL_MS;
  const intervalMs = Math.max(roundInterval(rangeMs / maxPoints), minMs);
  const queries: PanelQuery[] = [];
  for (const t of panel.targets) {
    if (t.hide || !t.expr?.trim()) continue;
    const targetMin = durationSetting(t.interval, scope) ?? 0;
    let stepMs = Math.max(intervalMs * (t.intervalFactor && t.intervalFactor > 0 ? t.intervalFactor : 1), targetMin);
    if (rangeMs / stepMs > MAX_POINTS) stepMs = Math.ceil(rangeMs / MAX_POINTS / 1000) * 1000;
    const stepS = Math.max(0.001, stepMs / 1000);
    const vars = { ...scope, ...builtins(stepMs, rangeMs, Math.max(minMs, targetMin, DEFAULT_SCRAPE_INTERVAL_MS)) };
    const instant = t.instant === true && t.range !== true ? true : TABLE_LIKE.has(panel.type) && t.format === 'table' && t.range !== true;
    queries.push({
      refId: t.refId,
      expr: interpolate(t.expr, vars),
      legendFormat: t.legendFormat ? interpolate(t.legendFormat, vars) : t.legendFormat,
      instant,
      // Range queries are aligned to the step, as Grafana does, so refreshes hit the same
      // evaluation times; instant queries evaluate at the range's end itself.
      start: instant ? start : Math.floor(start / stepS) * stepS,
      end: instant ? end : Math.floor(end / stepS) * stepS,
      step: stepS,
    });
  }
  return { queries, intervalMs };
}

/**
 * A series' display name: the target's legendFormat with `{{label}}` filled in; without one,
 * Prometheus's `name{labels}`, or the query itself when the series has no labels.
 */
export function seriesName(labels: Record<string, string>, legendFormat: string | undefined, expr: string): string {
  if (legendFormat && legendFormat !== '__auto') return renderLegend(legendFormat, labels);
  const name = labels.__name__ ?? '';
  const rest = Object.entries(labels).filter(([k]) => k !== '__name__');
  if (!name && !rest.length) return expr;
  if (!rest.length) return name;
  return `${name}{${rest.map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
}
