// The one time-range model, shared by explore, dashboards and later pages: a range is two
// Grafana-style expressions ("now-1h", "now", "now/d", or epoch milliseconds), resolved to
// seconds when a query runs, so a link keeps meaning "the last hour".

/** A time range as written in URLs and dashboards. */
export interface TimeRange {
  from: string;
  to: string;
}

/** A resolved range in Unix seconds. */
export interface Resolved {
  start: number;
  end: number;
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  M: 30 * 86_400_000,
  y: 365 * 86_400_000,
};

/** Parses a Prometheus/Grafana duration such as `5m`, `1h30m`, `250ms` into milliseconds. */
export function parseDuration(text: string): number | null {
  const t = text.trim();
  if (!t) return null;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|M|y)/g;
  let total = 0;
  let consumed = 0;
  for (const m of t.matchAll(re)) {
    if (m.index !== consumed) return null;
    total += parseFloat(m[1]) * UNIT_MS[m[2]];
    consumed += m[0].length;
  }
  return consumed === t.length ? total : null;
}

/** Formats milliseconds as the shortest Prometheus duration (`90000` → `1m30s`). */
export function formatDuration(ms: number): string {
  if (ms <= 0) return '0s';
  const parts: string[] = [];
  let rest = Math.round(ms);
  for (const [u, size] of [['y', UNIT_MS.y], ['w', UNIT_MS.w], ['d', UNIT_MS.d], ['h', UNIT_MS.h], ['m', UNIT_MS.m], ['s', UNIT_MS.s], ['ms', 1]] as const) {
    if (rest >= size) {
      const n = Math.floor(rest / size);
      parts.push(`${n}${u}`);
      rest -= n * size;
    }
  }
  return parts.join('');
}

function startOf(d: Date, unit: string, utc: boolean): Date {
  const r = new Date(d.getTime());
  const set = (y: number, mo: number, day: number) =>
    utc ? new Date(Date.UTC(y, mo, day)) : new Date(y, mo, day);
  const y = utc ? r.getUTCFullYear() : r.getFullYear();
  const mo = utc ? r.getUTCMonth() : r.getMonth();
  const day = utc ? r.getUTCDate() : r.getDate();
  switch (unit) {
    case 'y':
      return set(y, 0, 1);
    case 'M':
      return set(y, mo, 1);
    case 'w': {
      const wd = utc ? r.getUTCDay() : r.getDay();
      return set(y, mo, day - wd);
    }
    case 'd':
      return set(y, mo, day);
    case 'h':
      return new Date(Math.floor(r.getTime() / UNIT_MS.h) * UNIT_MS.h);
    case 'm':
      return new Date(Math.floor(r.getTime() / UNIT_MS.m) * UNIT_MS.m);
    case 's':
      return new Date(Math.floor(r.getTime() / 1000) * 1000);
  }
  return r;
}

/**
 * Resolves one end of a range to epoch milliseconds: `now`, `now-6h`, `now-1d/d`, `now/w`,
 * epoch milliseconds, or an ISO date. `roundUp` makes `/d` mean the end of the day (for `to`).
 */
export function resolveTime(expr: string, now: number = Date.now(), roundUp = false, utc = false): number | null {
  const t = expr.trim();
  if (/^\d+$/.test(t)) return parseInt(t, 10);
  if (!t.startsWith('now')) {
    const ms = Date.parse(t);
    return Number.isNaN(ms) ? null : ms;
  }
  let d = new Date(now);
  let rest = t.slice(3);
  while (rest.length) {
    const m = /^([+-])(\d+)(ms|s|m|h|d|w|M|y)/.exec(rest) ?? /^\/(s|m|h|d|w|M|y)/.exec(rest);
    if (!m) return null;
    if (m[0].startsWith('/')) {
      const unit = m[1];
      d = startOf(d, unit, utc);
      if (roundUp) {
        const next = resolveTime(`${d.getTime()}`, now);
        if (next === null) return null;
        const plus = addUnit(new Date(next), unit, 1, utc);
        d = new Date(plus.getTime() - 1);
      }
    } else {
      const n = parseInt(m[2], 10) * (m[1] === '-' ? -1 : 1);
      d = addUnit(d, m[3], n, utc);
    }
    rest = rest.slice(m[0].length);
  }
  return d.getTime();
}

function addUnit(d: Date, unit: string, n: number, utc: boolean): Date {
  const r = new Date(d.getTime());
  if (unit === 'M') {
    if (utc) r.setUTCMonth(r.getUTCMonth() + n);
    else r.setMonth(r.getMonth() + n);
    return r;
  }
  if (unit === 'y') {
    if (utc) r.setUTCFullYear(r.getUTCFullYear() + n);
    else r.setFullYear(r.getFullYear() + n);
    return r;
  }
  return new Date(r.getTime() + n * UNIT_MS[unit]);
}

/** Resolves a range to seconds, or null when either end does not parse. */
export function resolveRange(r: TimeRange, now: number = Date.now(), utc = false): Resolved | null {
  const from = resolveTime(r.from, now, false, utc);
  const to = resolveTime(r.to, now, true, utc);
  if (from === null || to === null || from >= to) return null;
  return { start: from / 1000, end: to / 1000 };
}

/** The relative ranges offered by the pickers. */
export const QUICK_RANGES: { label: string; from: string }[] = [
  { label: 'Last 5 minutes', from: 'now-5m' },
  { label: 'Last 15 minutes', from: 'now-15m' },
  { label: 'Last 1 hour', from: 'now-1h' },
  { label: 'Last 3 hours', from: 'now-3h' },
  { label: 'Last 6 hours', from: 'now-6h' },
  { label: 'Last 12 hours', from: 'now-12h' },
  { label: 'Last 24 hours', from: 'now-24h' },
  { label: 'Last 2 days', from: 'now-2d' },
  { label: 'Last 7 days', from: 'now-7d' },
  { label: 'Last 30 days', from: 'now-30d' },
];

/** Describes a range for buttons: "Last 1 hour", or the two absolute ends. */
export function describeRange(r: TimeRange, utc = false): string {
  if (r.to === 'now') {
    const q = QUICK_RANGES.find((x) => x.from === r.from);
    if (q) return q.label;
    if (r.from.startsWith('now-')) return `Last ${r.from.slice(4)}`;
  }
  const fmt = (e: string, up: boolean) => {
    const ms = resolveTime(e, Date.now(), up, utc);
    return ms === null ? e : formatTimestamp(ms, utc);
  };
  return `${fmt(r.from, false)} to ${fmt(r.to, true)}`;
}

/** `2026-12-07 21:04:05` in the browser's zone or UTC. */
export function formatTimestamp(ms: number, utc = false): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, '0');
  const [y, mo, day, h, mi, s] = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  return `${y}-${p(mo)}-${p(day)} ${p(h)}:${p(mi)}:${p(s)}`;
}

/**
 * Grafana's interval rounding (`kbn.roundInterval`): the raw interval range/points snapped to
 * a human step, so `$__interval` and query steps match what Grafana sends.
 */
export function roundInterval(ms: number): number {
  const table: [number, number][] = [
    [10, 1],
    [15, 10],
    [35, 20],
    [75, 50],
    [150, 100],
    [350, 200],
    [750, 500],
    [1500, 1000],
    [3500, 2000],
    [7500, 5000],
    [12500, 10000],
    [17500, 15000],
    [25000, 20000],
    [45000, 30000],
    [90000, 60000],
    [210000, 120000],
    [450000, 300000],
    [1050000, 600000],
    [1500000, 1200000],
    [2700000, 1800000],
    [5400000, 3600000],
    [9000000, 7200000],
    [16200000, 10800000],
    [32400000, 21600000],
    [86400000, 43200000],
    [604800000, 86400000],
    [1814400000, 604800000],
    [3628800000, 2592000000],
  ];
  for (const [limit, step] of table) if (ms < limit) return step;
  return 31536000000;
}

/** At most this many points per series, as Prometheus's API enforces. */
export const MAX_POINTS = 11_000;

/**
 * The query step (ms) for a panel `widthPx` wide over `rangeMs`, Grafana's way: one point per
 * pixel rounded to a human interval, never below `minMs`, never more than 11,000 points.
 */
export function stepFor(rangeMs: number, widthPx: number, minMs = 1000): number {
  const raw = rangeMs / Math.max(1, widthPx);
  let step = Math.max(roundInterval(raw), minMs);
  if (rangeMs / step > MAX_POINTS) step = Math.ceil(rangeMs / MAX_POINTS / 1000) * 1000;
  return step;
}
