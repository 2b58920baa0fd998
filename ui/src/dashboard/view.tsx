// The dashboard page `/d/:uid/:slug?`: loads the dashboard, keeps its state (range, variables,
// refresh, viewPanel) in the URL like Grafana, and lays its panels on the grid.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { PageProps } from '../app/routes';
import { setQuery } from '../app/router';
import { json, ApiError } from '../lib/api';
import { parseDuration, resolveRange, type TimeRange } from '../lib/time';
import { allPanels, autoIntervalBuiltins, expandRepeats, interpolate, normalizeDashboard, type Dashboard, type VarScope } from './bridge';
import { cellsToPx, layout, GRID_COLUMNS } from './grid';
import { PanelFrame } from './panel-frame';
import { TimePicker, RefreshPicker } from './timepicker';
import { VariablesBar } from './variables-bar';
import { asModelVariable, loadOptions, mentions, pickCurrent, queryText, scopeOf, type VarState } from './variables';
import { safeUrl } from './markdown';
import './dashboard.css';

interface Loaded {
  raw: Record<string, unknown>;
  dash: Dashboard;
  /** What the model's migration could not carry over from this dashboard's JSON. */
  warnings: string[];
  meta: { slug?: string; url?: string; [k: string]: unknown };
}

/** Grafana's URL names variables `var-<name>`. */
const varsFromUrl = (q: URLSearchParams, name: string): string[] | null => (q.has(`var-${name}`) ? q.getAll(`var-${name}`) : null);

export function DashboardPage({ params, query }: PageProps) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState('');
  const [vars, setVars] = useState<VarState[] | null>(null);
  const [tick, setTick] = useState(0);
  const [toggled, setToggled] = useState<Set<number>>(new Set());
  const varsRef = useRef<VarState[] | null>(null);
  varsRef.current = vars;

  useEffect(() => {
    setLoaded(null);
    setVars(null);
    setError('');
    setToggled(new Set());
    json<{ dashboard: Record<string, unknown>; meta: Loaded['meta'] }>(`/api/dashboards/uid/${encodeURIComponent(params.uid)}`)
      .then((r) => {
        const n = normalizeDashboard(r.dashboard);
        setLoaded({ raw: r.dashboard, dash: n.dashboard, warnings: n.warnings, meta: r.meta ?? {} });
      })
      .catch((e) => setError(e instanceof ApiError && e.status === 404 ? `Dashboard '${params.uid}' not found` : (e as Error).message));
  }, [params.uid]);

  const dash = loaded?.dash;
  const range: TimeRange = { from: query.get('from') ?? dash?.time.from ?? 'now-6h', to: query.get('to') ?? dash?.time.to ?? 'now' };
  const tz = query.get('timezone') || dash?.timezone || 'browser';
  const utc = tz.toLowerCase() === 'utc';
  // `refresh=` (empty) in the URL is "Off" even when the dashboard saves an interval.
  const refresh = query.has('refresh') ? query.get('refresh') ?? '' : dash?.refresh ?? '';
  const resolved = useMemo(() => resolveRange(range, Date.now(), utc), [range.from, range.to, tick, utc]);

  /** Writes the state into the URL (Grafana's parameter names), pushing a history entry or not. */
  const writeUrl = (changes: Record<string, string | string[] | null>, push: boolean) => {
    const q = new URLSearchParams(location.search);
    for (const [k, v] of Object.entries(changes)) {
      q.delete(k);
      if (v === null) continue;
      for (const one of Array.isArray(v) ? v : [v]) q.append(k, one);
    }
    setQuery(q, push);
  };

  /** (Re)loads the options of `names` (and of every variable chained after them), in order. */
  const reload = async (base: VarState[], changed: Set<string>, force: (v: VarState) => boolean): Promise<VarState[]> => {
    const r = resolved ?? { start: Date.now() / 1000 - 3600, end: Date.now() / 1000 };
    const next = [...base];
    const dirty = new Set(changed);
    for (let i = 0; i < next.length; i++) {
      const v = next[i];
      const refs = mentions(queryText(v.def));
      const chained = [...refs].some((n) => dirty.has(n));
      if (!chained && !force(v)) continue;
      // Variable queries see the variables before them and the range built-ins ($__range…).
      const rangeS = Math.round(r.end - r.start);
      const scope: VarScope = {
        ...scopeOf(next.slice(0, i)),
        __range: { value: `${rangeS}s` },
        __range_s: { value: String(rangeS) },
        __range_ms: { value: String(rangeS * 1000) },
        __from: { value: String(Math.round(r.start * 1000)) },
        __to: { value: String(Math.round(r.end * 1000)) },
      };
      try {
        const options = await loadOptions(v.def, scope, r.start, r.end);
        const current = pickCurrent(v.def, options, varsFromUrl(new URLSearchParams(location.search), v.def.name), v.current.length ? v.current : null);
        if (current.join('\u0000') !== v.current.join('\u0000')) dirty.add(v.def.name);
        next[i] = { def: v.def, options, current };
      } catch (e) {
        next[i] = { ...v, error: (e as Error).message };
      }
    }
    return next;
  };

  // Variables: every one loads on open, in order, each seeing the ones before it.
  useEffect(() => {
    if (!dash) return;
    let live = true;
    const initial: VarState[] = dash.templating.list.map((def) => ({ def, options: [], current: [] }));
    reload(initial, new Set(), () => true).then((vs) => {
      if (!live) return;
      setVars(vs);
      writeUrl(Object.fromEntries(vs.filter((v) => v.def.type !== 'constant' && v.def.type !== 'datasource').map((v) => [`var-${v.def.name}`, v.current])), false);
    });
    return () => {
      live = false;
    };
  }, [dash]);

  // Variables with refresh "on time range change" reload when the range changes.
  // (Before the variables have loaded there is nothing to reload: their first load uses the range.)
  const rangeKey = `${range.from}|${range.to}`;
  useEffect(() => {
    const vs = varsRef.current;
    if (!vs || !vs.some((v) => v.def.refresh === 2)) return;
    reload(vs, new Set(), (v) => v.def.refresh === 2).then(setVars);
  }, [rangeKey]);

  // Back/forward or an edited URL: selections follow the URL.
  const urlVarKey = [...query.entries()].filter(([k]) => k.startsWith('var-')).map((e) => e.join('=')).join('&');
  useEffect(() => {
    const vs = varsRef.current;
    if (!vs) return;
    const changed = new Set<string>();
    const next = vs.map((v) => {
      const u = varsFromUrl(query, v.def.name);
      if (!u || u.join('\u0000') === v.current.join('\u0000')) return v;
      changed.add(v.def.name);
      return { ...v, current: pickCurrent(v.def, v.options, u, v.current) };
    });
    if (changed.size) reload(next, changed, () => false).then(setVars);
  }, [urlVarKey]);

  // Auto-refresh at the chosen interval.
  useEffect(() => {
    const ms = refresh ? parseDuration(refresh) : null;
    if (!ms || ms < 1000) return;
    const id = setInterval(() => setTick((t) => t + 1), ms);
    return () => clearInterval(id);
  }, [refresh]);

  const onVarChange = async (name: string, values: string[]) => {
    const vs = varsRef.current;
    if (!vs) return;
    const next = vs.map((v) => (v.def.name === name ? { ...v, current: values } : v));
    setVars(next);
    writeUrl({ [`var-${name}`]: values }, true);
    const reloaded = await reload(next, new Set([name]), () => false);
    setVars(reloaded);
    writeUrl(Object.fromEntries(reloaded.filter((v) => v.def.type !== 'constant' && v.def.type !== 'datasource').map((v) => [`var-${v.def.name}`, v.current])), false);
  };

  // The browser tab names the dashboard.
  useEffect(() => {
    if (dash) document.title = `${dash.title} · Vigil`;
  }, [dash, query.get('viewPanel')]);

  // Escape leaves the full-screen panel view, as in Grafana.
  const viewing = query.get('viewPanel');
  useEffect(() => {
    if (!viewing) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && !document.querySelector('.dash-modal') && writeUrl({ viewPanel: null }, true);
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [viewing]);

  const toggleRow = (id: number) =>
    setToggled((t) => {
      const n = new Set(t);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  if (error) return <div class="page error">{error}</div>;
  if (!loaded || !dash) return <div class="page muted">Loading dashboard…</div>;

  const autoIntervals = resolved ? autoIntervalBuiltins(dash.templating.list, (resolved.end - resolved.start) * 1000) : {};
  const scope = vars ? scopeOf(vars, autoIntervals) : {};
  const setRange = (r: TimeRange) => writeUrl({ from: r.from, to: r.to }, true);
  const onZoom = (start: number, end: number) => setRange({ from: String(Math.round(start * 1000)), to: String(Math.round(end * 1000)) });
  const viewPanel = query.get('viewPanel');
  const items = vars ? layout(expandRepeats(dash.panels, vars.map(asModelVariable)), toggled) : [];
  const exportJson = () => {
    const blob = new Blob([JSON.stringify(loaded.raw, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${loaded.meta.slug || dash.uid || 'dashboard'}.json`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  // The viewed panel may sit in a collapsed row: look through every panel, not just the shown ones.
  const viewedId = viewPanel?.replace(/^panel-/, '');
  const viewed = viewedId
    ? items.find((it) => String(it.panel.id) === viewedId && it.panel.type !== 'row') ??
      allPanels(dash)
        .filter((p) => String(p.id) === viewedId && p.type !== 'row')
        .map((panel) => ({ panel, scope: undefined as VarScope | undefined }))[0]
    : undefined;

  return (
    <div class="dashboard">
      <div class="dash-bar">
        <h1 class="dash-title">
          <a href="/dashboards">Dashboards</a> / {dash.title}
        </h1>
        <span class="grow" />
        <TimePicker key={rangeKey} range={range} utc={utc} onChange={setRange} />
        <RefreshPicker value={refresh} extra={dash.refresh} onChange={(v) => writeUrl({ refresh: v }, false)} onRefresh={() => setTick((t) => t + 1)} />
        <select aria-label="Time zone" value={utc ? 'utc' : 'browser'} onChange={(e) => writeUrl({ timezone: (e.target as HTMLSelectElement).value }, false)}>
          <option value="browser">Browser time</option>
          <option value="utc">UTC</option>
        </select>
        {loaded.warnings.length > 0 && (
          <details class="dash-warnings">
            <summary title="What could not be carried over from this dashboard's JSON">⚠ {loaded.warnings.length}</summary>
            <ul class="card">
              {loaded.warnings.map((w) => (
                <li>{w}</li>
              ))}
            </ul>
          </details>
        )}
        <button onClick={exportJson} title="Download the dashboard JSON as stored">
          Export
        </button>
      </div>
      <div class="dash-subbar">
        {vars && <VariablesBar vars={vars} onChange={onVarChange} />}
        <DashboardLinks links={dash.links} scope={scope} />
      </div>
      {!vars && <div class="muted">Loading variables…</div>}
      {!resolved && <div class="error">Invalid time range {range.from} to {range.to}</div>}
      {resolved && viewPanel && viewed && (
        <div class="dash-viewpanel">
          <div class="row">
            <button onClick={() => writeUrl({ viewPanel: null }, true)}>← Back to dashboard</button>
          </div>
          <PanelFrame panel={viewed.panel} scope={{ ...scope, ...viewed.scope }} range={resolved} utc={utc} tick={tick} height={Math.max(300, window.innerHeight - 200)} eager onZoom={onZoom} />
        </div>
      )}
      {resolved && !(viewPanel && viewed) && (
        <div class="dash-grid" style={{ gridTemplateColumns: `repeat(${GRID_COLUMNS}, minmax(0, 1fr))` }}>
          {items.map((it) =>
            it.panel.type === 'row' ? (
              <div
                key={it.key}
                class={`dash-row ${it.collapsed ? 'collapsed' : ''}`}
                data-row-id={it.panel.id}
                role="button"
                tabIndex={0}
                aria-expanded={!it.collapsed}
                style={{ gridColumn: `1 / span ${GRID_COLUMNS}`, gridRow: `${it.pos.y + 1} / span 1` }}
                onClick={() => toggleRow(it.panel.id)}
                onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), toggleRow(it.panel.id))}
              >
                <span class="dash-row-caret">{it.collapsed ? '▸' : '▾'}</span> {it.panel.title ? interpolateTitle(it.panel.title, it.scope ? { ...scope, ...it.scope } : scope) : ''}
                {it.collapsed && <span class="muted"> ({(it.panel.panels ?? []).length} panels)</span>}
              </div>
            ) : (
              <div key={it.key} class="dash-cell" style={{ gridColumn: `${it.pos.x + 1} / span ${it.pos.w}`, gridRow: `${it.pos.y + 1} / span ${it.pos.h}` }}>
                <PanelFrame
                  panel={it.panel}
                  scope={it.scope ? { ...scope, ...it.scope } : scope}
                  range={resolved}
                  utc={utc}
                  tick={tick}
                  height={cellsToPx(it.pos.h)}
                  onView={() => writeUrl({ viewPanel: String(it.panel.id) }, true)}
                  onZoom={onZoom}
                />
              </div>
            ),
          )}
        </div>
      )}
    </div>
  );
}

/** The dashboard's own links (type `link`); links to other dashboards by tag go to the list. */
function DashboardLinks({ links, scope }: { links: unknown[]; scope: VarScope }) {
  const shown = links
    .filter((l): l is { type?: string; title?: string; url?: string; tags?: string[]; targetBlank?: boolean } => !!l && typeof l === 'object')
    .map((l) => {
      if (l.type === 'dashboards') return { title: l.title || 'Dashboards', url: `/dashboards${l.tags?.[0] ? `?tag=${encodeURIComponent(l.tags[0])}` : ''}`, blank: false };
      const url = l.url ? safeUrl(interpolate(l.url, scope, 'raw')) : null;
      return url ? { title: interpolate(l.title || url, scope, 'text'), url, blank: !!l.targetBlank } : null;
    })
    .filter((l): l is { title: string; url: string; blank: boolean } => l !== null);
  if (!shown.length) return null;
  return (
    <div class="dash-links">
      {shown.map((l) => (
        <a class="badge" href={l.url} target={l.blank ? '_blank' : undefined} rel="noopener noreferrer">
          {l.title}
        </a>
      ))}
    </div>
  );
}

function interpolateTitle(t: string, scope: VarScope): string {
  return interpolate(t, scope, 'text');
}
