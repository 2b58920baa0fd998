// Explore's state in the URL: a link reproduces the view. Vigil writes `q0`, `tab0`, `mode0`,
// `from`, `to`; Prometheus's `/graph?g0.expr=…&g0.tab=1&g0.range_input=1h` links (alert
// generator URLs, bookmarks) are read too.
import { parseDuration, type TimeRange } from '../lib/time';
import type { ChartMode } from '../components/chart';

export type Tab = 'graph' | 'table' | 'json';

export interface QueryState {
  expr: string;
  tab: Tab;
  mode: ChartMode;
}

export interface ExploreState {
  range: TimeRange;
  queries: QueryState[];
}

const TABS: Tab[] = ['graph', 'table', 'json'];
const MODES: ChartMode[] = ['lines', 'stacked', 'points'];

export function readState(q: URLSearchParams): ExploreState {
  const queries: QueryState[] = [];
  for (let i = 0; i < 20; i++) {
    const expr = q.get(`q${i}`) ?? q.get(`g${i}.expr`);
    if (expr === null) break;
    const tabRaw = q.get(`tab${i}`) ?? (q.get(`g${i}.tab`) === '1' ? 'table' : q.get(`g${i}.tab`) === '0' ? 'graph' : null);
    const modeRaw = q.get(`mode${i}`) ?? (q.get(`g${i}.stacked`) === '1' ? 'stacked' : null);
    queries.push({
      expr,
      tab: TABS.includes(tabRaw as Tab) ? (tabRaw as Tab) : 'graph',
      mode: MODES.includes(modeRaw as ChartMode) ? (modeRaw as ChartMode) : 'lines',
    });
  }
  if (!queries.length) queries.push({ expr: '', tab: 'graph', mode: 'lines' });
  let range: TimeRange = { from: q.get('from') ?? 'now-1h', to: q.get('to') ?? 'now' };
  const promRange = q.get('g0.range_input');
  if (!q.get('from') && promRange && parseDuration(promRange) !== null) {
    const end = q.get('g0.end_input');
    const endMs = end ? Date.parse(end.replace(' ', 'T') + 'Z') : NaN;
    range = Number.isNaN(endMs)
      ? { from: `now-${promRange}`, to: 'now' }
      : { from: String(endMs - (parseDuration(promRange) ?? 0)), to: String(endMs) };
  }
  return { range, queries };
}

export function writeState(s: ExploreState): URLSearchParams {
  const q = new URLSearchParams();
  s.queries.forEach((x, i) => {
    q.set(`q${i}`, x.expr);
    if (x.tab !== 'graph') q.set(`tab${i}`, x.tab);
    if (x.mode !== 'lines') q.set(`mode${i}`, x.mode);
  });
  q.set('from', s.range.from);
  q.set('to', s.range.to);
  return q;
}
