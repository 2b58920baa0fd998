// Explore: PromQL queries as graph, table or raw JSON over a time range, several at once, all
// state in the URL (Prometheus's query page, plus stacking, isolation and statistics).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { PageProps } from '../app/routes';
import { navigate } from '../app/router';
import { ApiError, formatSeries, queryInstant, queryRange, type QueryData, type QueryStats } from '../lib/api';
import { resolveRange, stepFor, formatDuration, formatTimestamp, type TimeRange } from '../lib/time';
import { Chart, alignMatrix, type ChartMode, type ChartSeries } from '../components/chart';
import { PromQLEditor, errorPosition, type EditorError } from '../components/promql-editor';
import { TimePicker } from '../components/timepicker';
import { readState, writeState, type ExploreState, type QueryState, type Tab } from './explore-url';

/** One query's answer as the panel shows it. */
interface Outcome {
  data?: QueryData & { stats?: QueryStats };
  raw?: unknown;
  warnings: string[];
  infos: string[];
  error?: EditorError;
  elapsedMs: number;
  step?: number;
  start?: number;
  end?: number;
}

function publish(state: ExploreState) {
  navigate(`${location.pathname}?${writeState(state)}`);
}

export function ExplorePage({ query }: PageProps) {
  const state = readState(query);
  // Prometheus-style links are rewritten once into Vigil's form.
  useEffect(() => {
    if ([...query.keys()].some((k) => k.startsWith('g0.'))) navigate(`/explore?${writeState(state)}`, true);
  }, []);
  const setRange = (range: TimeRange) => publish({ ...state, range });
  const setQuery = (i: number, q: Partial<QueryState>, push = true) => {
    const queries = state.queries.map((x, j) => (j === i ? { ...x, ...q } : x));
    if (push) publish({ ...state, queries });
    else navigate(`${location.pathname}?${writeState({ ...state, queries })}`, true);
  };
  return (
    <section class="page explore">
      <div class="row">
        <h1 class="grow">Explore</h1>
        <TimePicker value={state.range} onChange={setRange} />
      </div>
      {state.queries.map((q, i) => (
        <QueryPanel
          key={i}
          index={i}
          state={q}
          range={state.range}
          onChange={(p, push) => setQuery(i, p, push)}
          onRemove={state.queries.length > 1 ? () => publish({ ...state, queries: state.queries.filter((_, j) => j !== i) }) : undefined}
          onZoom={(start, end) => setRange({ from: String(Math.round(start * 1000)), to: String(Math.round(end * 1000)) })}
        />
      ))}
      <button onClick={() => publish({ ...state, queries: [...state.queries, { expr: '', tab: 'graph', mode: 'lines' }] })}>+ Add query</button>
    </section>
  );
}

interface QueryPanelProps {
  index: number;
  state: QueryState;
  range: TimeRange;
  onChange: (q: Partial<QueryState>, push: boolean) => void;
  onRemove?: () => void;
  onZoom: (start: number, end: number) => void;
}

function QueryPanel({ index, state, range, onChange, onRemove, onZoom }: QueryPanelProps) {
  // The text being typed lives in the editor and this ref, not in state: re-rendering the
  // panel per keystroke and passing the draft back to the editor raced with its own document
  // (see PromQLEditor). It is lifted into the URL only on run.
  const draft = useRef(state.expr);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [loading, setLoading] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const generation = useRef(0);
  useEffect(() => void (draft.current = state.expr), [state.expr]);

  const run = async () => {
    const expr = state.expr.trim();
    if (!expr) {
      setOutcome(null);
      return;
    }
    const res = resolveRange(range);
    if (!res) return;
    const gen = ++generation.current;
    setLoading(true);
    const began = performance.now();
    try {
      let r;
      let step: number | undefined;
      if (state.tab === 'graph') {
        const width = Math.max(200, (box.current?.clientWidth ?? 1000) - 80);
        step = stepFor((res.end - res.start) * 1000, width) / 1000;
        r = await queryRange(expr, res.start, res.end, step);
      } else {
        r = await queryInstant(expr, res.end);
      }
      if (gen !== generation.current) return;
      setOutcome({ data: r.data, raw: { status: 'success', data: r.data, warnings: r.warnings.length ? r.warnings : undefined, infos: r.infos.length ? r.infos : undefined }, warnings: r.warnings, infos: r.infos, elapsedMs: performance.now() - began, step, start: res.start, end: res.end });
    } catch (e) {
      if (gen !== generation.current) return;
      const msg = e instanceof ApiError ? e.message : String(e);
      setOutcome({ error: errorPosition(msg), raw: { status: 'error', error: msg }, warnings: [], infos: [], elapsedMs: performance.now() - began });
    } finally {
      if (gen === generation.current) setLoading(false);
    }
  };
  // Runs whenever the committed query, its view or the range changes (and on load from a link).
  useEffect(() => void run(), [state.expr, state.tab, range.from, range.to]);

  const submit = () => {
    if (draft.current === state.expr) void run();
    else onChange({ expr: draft.current }, true);
  };
  const setTab = (tab: Tab) => onChange({ tab }, false);
  return (
    <div class="card query-panel" ref={box} data-query-index={index}>
      <div class="row">
        <PromQLEditor value={state.expr} onChange={(v) => (draft.current = v)} onRun={submit} error={outcome?.error} />
        <button class="primary" onClick={submit} disabled={loading}>{loading ? 'Running…' : 'Run'}</button>
        {onRemove && <button title="Remove this query" onClick={onRemove}>✕</button>}
      </div>
      <div class="tabs">
        {(['graph', 'table', 'json'] as Tab[]).map((t) => (
          <button class={state.tab === t ? 'active' : ''} onClick={() => setTab(t)}>{t === 'json' ? 'JSON' : t[0].toUpperCase() + t.slice(1)}</button>
        ))}
        <span class="grow" />
        {state.tab === 'graph' && (
          <select value={state.mode} onChange={(e) => onChange({ mode: (e.target as HTMLSelectElement).value as ChartMode }, false)} aria-label="Chart style">
            <option value="lines">Lines</option>
            <option value="stacked">Stacked</option>
            <option value="points">Points</option>
          </select>
        )}
      </div>
      {outcome?.error && (
        <div class="error query-error">
          {outcome.error.line !== undefined ? `${outcome.error.line}:${outcome.error.col}: ` : ''}
          {outcome.error.message}
        </div>
      )}
      {outcome?.warnings.map((w) => <div class="warning">⚠ {w}</div>)}
      {outcome?.infos.map((w) => <div class="info">ℹ {w}</div>)}
      {outcome?.data && <Stats outcome={outcome} />}
      {outcome?.data && state.tab === 'graph' && <GraphView outcome={outcome} mode={state.mode} onZoom={onZoom} />}
      {outcome?.data && state.tab === 'table' && <TableView data={outcome.data} />}
      {outcome?.raw !== undefined && state.tab === 'json' && <pre class="json-view">{JSON.stringify(outcome.raw, null, 2)}</pre>}
      {!outcome && !loading && <p class="muted">Enter a PromQL expression and press Enter. Try <code>up</code> or <code>rate(vigil_http_requests_total[5m])</code>.</p>}
    </div>
  );
}

function seriesCount(d: QueryData): number {
  return d.resultType === 'matrix' || d.resultType === 'vector' ? d.result.length : 1;
}

function Stats({ outcome }: { outcome: Outcome }) {
  const d = outcome.data!;
  const st = d.stats;
  const parts = [`Load time: ${Math.round(outcome.elapsedMs)} ms`, `Result series: ${seriesCount(d)}`];
  if (outcome.step !== undefined) parts.push(`Resolution: ${formatDuration(outcome.step * 1000)}`);
  if (st?.timings?.evalTotalTime !== undefined) parts.push(`Evaluation: ${(st.timings.evalTotalTime * 1000).toFixed(1)} ms`);
  if (st?.samples?.totalQueryableSamples !== undefined) parts.push(`Samples: ${st.samples.totalQueryableSamples.toLocaleString()}`);
  return <div class="query-stats">{parts.join(' · ')}</div>;
}

function GraphView({ outcome, mode, onZoom }: { outcome: Outcome; mode: ChartMode; onZoom: (a: number, b: number) => void }) {
  const d = outcome.data!;
  if (d.resultType !== 'matrix') return <p class="muted">The result is a {d.resultType}; the graph needs a range query result. See the Table tab.</p>;
  if (!d.result.length) return <p class="muted no-data">No data in this time range.</p>;
  const { timestamps, values } = alignMatrix(d.result, outcome.start!, outcome.end!, outcome.step!);
  const series: ChartSeries[] = d.result.map((s, i) => ({ name: formatSeries(s.metric), labels: s.metric, values: values[i] }));
  return <Chart timestamps={timestamps} series={series} mode={mode} height={360} onZoom={onZoom} />;
}

function TableView({ data }: { data: QueryData }) {
  if (data.resultType === 'scalar' || data.resultType === 'string') {
    return (
      <table class="data result-table"><tbody><tr><td>{data.resultType}</td><td class="mono">{data.result[1]}</td></tr></tbody></table>
    );
  }
  if (!data.result.length) return <p class="muted no-data">Empty query result.</p>;
  const rows = data.result.slice(0, 10000);
  return (
    <div class="table-scroll">
      <table class="data result-table">
        <thead><tr><th>Series</th><th>Value</th></tr></thead>
        <tbody>
          {rows.map((s) => (
            <tr>
              <td class="mono">{formatSeries(s.metric)}</td>
              <td class="mono">
                {'value' in s
                  ? s.value[1]
                  : s.values.map(([t, v]) => (
                      <div>{v} @{t} <span class="muted">({formatTimestamp(t * 1000)})</span></div>
                    ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.result.length > rows.length && <p class="warning">Showing the first {rows.length} of {data.result.length} series.</p>}
    </div>
  );
}
