// Building blocks shared by the status and alerting pages: one way to load data (with
// loading and error states), to show labels, and to say how long ago something happened.
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import { ApiError, type Labels } from '../../lib/api';
import { formatDuration, formatTimestamp } from '../../lib/time';

/** The state of one load: pages render `loading`, `error` and `data` explicitly. */
export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Runs `load` when `deps` change (and on `reload`), keeping the last good data while a reload
 * runs so lists do not flicker. Answers that arrive after a newer load started are dropped.
 */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let current = true;
    setLoading(true);
    load().then(
      (d) => {
        if (!current) return;
        setData(d);
        setError(undefined);
        setLoading(false);
      },
      (e: unknown) => {
        if (!current) return;
        setError(errorText(e));
        setLoading(false);
      },
    );
    return () => {
      current = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** A readable message for anything a request can throw. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.status ? `${unquoteJson(e.message)} (HTTP ${e.status})` : e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

/** Alertmanager's API answers errors as a bare JSON string (`"bad matcher"`): show it unquoted. */
function unquoteJson(msg: string): string {
  const t = msg.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) {
    try {
      return String(JSON.parse(t));
    } catch {
      return msg;
    }
  }
  return msg;
}

/** Loading and error states in one place: children render only once data is there. */
export function LoadState<T>({ state, children }: { state: Loaded<T>; children: (data: T) => ComponentChildren }) {
  return (
    <>
      {state.error && <div class="error" role="alert">Error: {state.error}</div>}
      {state.data === undefined && state.loading && <p class="muted loading">Loading…</p>}
      {state.data !== undefined && children(state.data)}
    </>
  );
}

/** Labels as badges `name="value"`, sorted by name like Prometheus prints them. */
export function LabelBadges({ labels, hide = [] }: { labels: Labels; hide?: string[] }) {
  const entries = Object.entries(labels ?? {})
    .filter(([k]) => !hide.includes(k))
    .sort(([a], [b]) => a.localeCompare(b));
  if (!entries.length) return <span class="muted">none</span>;
  return (
    <span class="labels">
      {entries.map(([k, v]) => (
        <span class="badge" key={k}>
          {k}="{v}"
        </span>
      ))}
    </span>
  );
}

/** Milliseconds of an RFC 3339 time, or null for missing or zero times (`0001-01-01…`). */
export function parseTime(t: string | null | undefined): number | null {
  if (!t) return null;
  const ms = Date.parse(t);
  if (Number.isNaN(ms) || ms <= 0) return null;
  return ms;
}

/** "12s ago" / "in 3m" relative to now; "never" for missing times. */
export function relative(t: string | number | null | undefined, now = Date.now()): string {
  const ms = typeof t === 'number' ? t : parseTime(t);
  if (ms === null) return 'never';
  const diff = now - ms;
  if (Math.abs(diff) < 1000) return 'just now';
  const text = formatDuration(Math.round(Math.abs(diff) / 1000) * 1000);
  return diff > 0 ? `${text} ago` : `in ${text}`;
}

/** A time as relative text with the absolute one in the tooltip. */
export function When({ t }: { t: string | null | undefined }) {
  const ms = parseTime(t);
  if (ms === null) return <span class="muted">never</span>;
  return <span title={formatTimestamp(ms)}>{relative(ms)}</span>;
}

/** Seconds (as the Prometheus API reports durations) shown as `1.234ms` / `2.5s`. */
export function seconds(s: number | undefined): string {
  if (s === undefined || s === null || Number.isNaN(s)) return '';
  if (s < 1e-3) return `${(s * 1e6).toFixed(0)}µs`;
  if (s < 1) return `${(s * 1e3).toFixed(3)}ms`;
  return `${s.toFixed(3)}s`;
}

/** A page heading with a reload button and the number of seconds since the data loaded. */
export function PageHeader({ title, onReload, children }: { title: string; onReload?: () => void; children?: ComponentChildren }) {
  return (
    <div class="row page-header">
      <h1 class="grow">{title}</h1>
      {children}
      {onReload && (
        <button type="button" onClick={onReload} title="Load again">
          Refresh
        </button>
      )}
    </div>
  );
}

/** A query-string backed value: pages keep filters in the URL so links reproduce views. */
export function queryValue(query: URLSearchParams, name: string, fallback = ''): string {
  return query.get(name) ?? fallback;
}

/** Sets (or removes, when empty) one query parameter and keeps the others. */
export function withQuery(query: URLSearchParams, name: string, value: string): URLSearchParams {
  const next = new URLSearchParams(query);
  if (value) next.set(name, value);
  else next.delete(name);
  return next;
}

/** Case-insensitive free-text match over any strings of an item. */
export function matchesText(needle: string, ...hay: string[]): boolean {
  const n = needle.trim().toLowerCase();
  if (!n) return true;
  return hay.some((h) => h.toLowerCase().includes(n));
}

/** Flattens labels into `k="v"` strings for free-text filtering. */
export function labelText(labels: Labels | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}="${v}"`)
    .join(' ');
}
