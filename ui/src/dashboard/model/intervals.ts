// The query interval of a panel, computed as Grafana computes it for a Prometheus
// datasource, so `$__interval`, `$__rate_interval` and the query step match Grafana's and a
// dashboard's `rate(x[$__rate_interval])` means the same thing here as there.

import { parseDuration, roundInterval } from '../../lib/time';

/** Prometheus answers at most this many points per series. */
export const MAX_SOURCE_POINTS = 11_000;

/** The scrape interval Grafana assumes when the datasource sets none. */
export const DEFAULT_SCRAPE_INTERVAL_MS = 15_000;

export interface IntervalInput {
  /** Time range length in ms. */
  rangeMs: number;
  /** Panel width in px: the resolution when `maxDataPoints` is not set. */
  widthPx?: number;
  /** Panel `maxDataPoints`; wins over the width. */
  maxDataPoints?: number;
  /** Panel "Min interval" (`10s`, `>10s`), already interpolated. */
  panelInterval?: string;
  /** Query "Min step" (`target.interval`), already interpolated. */
  targetInterval?: string;
  /** Query resolution factor (legacy "Resolution 1/n"). */
  intervalFactor?: number;
  /** Datasource scrape interval (Grafana's `timeInterval`), default 15s. */
  scrapeIntervalMs?: number;
}

export interface IntervalResult {
  /** `$__interval` in ms (after Prometheus adjustment). */
  intervalMs: number;
  /** `$__interval` as text (`30s`, `1m`, `500ms`). */
  interval: string;
  /** Query step in seconds. */
  stepSeconds: number;
  /** `$__rate_interval` in ms. */
  rateIntervalMs: number;
  /** `$__rate_interval` as text (`60s`). */
  rateInterval: string;
}

/**
 * Parses an interval as Grafana accepts it in panel/query settings: `15s`, `1m30s`, `>10s`
 * (the `>` meaning "at least", which is what these fields mean anyway). Null when empty or
 * invalid.
 */
export function parseIntervalMs(text: string | undefined | null): number | null {
  if (!text) return null;
  const t = text.trim().replace(/^>/, '').trim();
  if (!t) return null;
  if (/^\d+(\.\d+)?$/.test(t)) return parseFloat(t) * 1000;
  return parseDuration(t);
}

/**
 * Grafana's `secondsToHms`: the interval text from its largest whole unit only, so 90 s reads
 * `1m` (Grafana truncates; the Prometheus step then uses that truncated text too).
 */
export function secondsToHms(seconds: number): string {
  const years = Math.floor(seconds / 31536000);
  if (years) return `${years}y`;
  const days = Math.floor((seconds % 31536000) / 86400);
  if (days) return `${days}d`;
  const hoursN = Math.floor((seconds % 86400) / 3600);
  if (hoursN) return `${hoursN}h`;
  const minutesN = Math.floor((seconds % 3600) / 60);
  if (minutesN) return `${minutesN}m`;
  const secondsN = Math.floor(seconds % 60);
  if (secondsN) return `${secondsN}s`;
  const ms = Math.floor(seconds * 1000);
  if (ms) return `${ms}ms`;
  return 'less than a millisecond';
}

/**
 * Grafana's `calculateInterval`: range / resolution rounded to a human interval, never
 * below the lower limit. Used by panels and by `auto` interval variables.
 */
export function calculateInterval(rangeMs: number, resolution: number, lowLimitMs?: number | null): { intervalMs: number; interval: string } {
  let intervalMs = roundInterval(rangeMs / Math.max(1, resolution));
  const low = lowLimitMs ?? 1;
  if (low > intervalMs) intervalMs = low;
  return { intervalMs, interval: secondsToHms(intervalMs / 1000) };
}

function formatSeconds(s: number): string {
  // Whole seconds print as `60s`; fractions keep their digits (`0.5s`), as Grafana sends them.
  return `${Number.isInteger(s) ? s : parseFloat(s.toFixed(3))}s`;
}

/**
 * The interval, step and rate interval of one Prometheus query of a panel:
 *
 * 1. `$__interval` = range / (maxDataPoints or width) rounded by Grafana's table, at least the
 *    panel's min interval (or the scrape interval when the panel sets none);
 * 2. the step = max(interval × intervalFactor, the query's min step, range / 11,000 rounded up
 *    to whole seconds) — the last so Prometheus never refuses the query;
 * 3. `$__rate_interval` = max(step + scrape, 4 × scrape), where "scrape" is the query's min
 *    step when set, else the datasource's scrape interval (15 s by default).
 */
export function computeQueryInterval(input: IntervalInput): IntervalResult {
  const scrapeMs = input.scrapeIntervalMs && input.scrapeIntervalMs > 0 ? input.scrapeIntervalMs : DEFAULT_SCRAPE_INTERVAL_MS;
  const resolution = input.maxDataPoints && input.maxDataPoints > 0 ? input.maxDataPoints : input.widthPx && input.widthPx > 0 ? input.widthPx : 1000;
  const panelLow = parseIntervalMs(input.panelInterval) ?? scrapeMs;
  const base = calculateInterval(input.rangeMs, resolution, panelLow);

  // Prometheus works in seconds from here on, reading back Grafana's interval text.
  const intervalS = (parseIntervalMs(base.interval) ?? base.intervalMs) / 1000;
  const targetS = parseIntervalMs(input.targetInterval);
  const minS = targetS !== null ? targetS / 1000 : intervalS;
  const scrapeS = targetS !== null && targetS > 0 ? targetS / 1000 : scrapeMs / 1000;
  const factor = input.intervalFactor && input.intervalFactor > 0 ? input.intervalFactor : 1;
  const rangeS = Math.ceil(input.rangeMs / 1000);
  const safeS = Math.ceil(rangeS / MAX_SOURCE_POINTS);
  const stepS = Math.max(intervalS * factor, minS, safeS);
  const rateS = Math.max(stepS + scrapeS, 4 * scrapeS);

  const adjusted = stepS !== intervalS;
  return {
    intervalMs: adjusted ? stepS * 1000 : base.intervalMs,
    interval: adjusted ? formatSeconds(stepS) : base.interval,
    stepSeconds: stepS,
    rateIntervalMs: rateS * 1000,
    rateInterval: formatSeconds(rateS),
  };
}

/**
 * The built-in variables of one query, ready for `interpolate`'s context: `$__interval`,
 * `$__interval_ms`, `$__rate_interval`, `$__rate_interval_ms`, `$__range`, `$__range_s`,
 * `$__range_ms`, `$__from`, `$__to`.
 */
export function builtinVariables(r: IntervalResult, fromMs: number, toMs: number): Record<string, string> {
  const rangeMs = toMs - fromMs;
  const rangeS = Math.round(rangeMs / 1000);
  return {
    __interval: r.interval,
    __interval_ms: String(r.intervalMs),
    __rate_interval: r.rateInterval,
    __rate_interval_ms: String(r.rateIntervalMs),
    __range: `${rangeS}s`,
    __range_s: String(rangeS),
    __range_ms: String(rangeMs),
    __from: String(fromMs),
    __to: String(toMs),
  };
}

/**
 * Snaps a query's start and end (seconds) down to multiples of the step, counted from
 * midnight of the given UTC offset, as Grafana does so repeated queries hit the same points
 * and results do not wobble between refreshes.
 */
export function alignRange(startS: number, endS: number, stepS: number, utcOffsetS = 0): { start: number; end: number } {
  if (!(stepS > 0)) return { start: startS, end: endS };
  return {
    start: Math.floor((startS + utcOffsetS) / stepS) * stepS - utcOffsetS,
    end: Math.floor((endS + utcOffsetS) / stepS) * stepS - utcOffsetS,
  };
}
