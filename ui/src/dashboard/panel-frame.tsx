// One panel on the grid: title (variables filled in), description, menu (view, inspect), and
// its body, which plans and runs the panel's queries once the panel scrolls into view and
// again whenever the range, the variables or the refresh tick change. A failing query shows its
// error inside this panel only.
import { useEffect, useRef, useState } from 'preact/hooks';
import { interpolate, type Panel, type VarScope } from './bridge';
import { foreignDatasource, planQueries, type PanelQuery } from './query';
import { runQueries, type PanelData } from './data';
import { PANEL_RENDERERS, DATALESS } from './panels';
import type { Resolved } from '../lib/time';
import { useDismiss } from './dismiss';
import { safeUrl } from './markdown';

export type PanelState = 'waiting' | 'loading' | 'rendered' | 'nodata' | 'error' | 'unsupported';

export interface PanelFrameProps {
  panel: Panel;
  scope: VarScope;
  range: Resolved;
  utc: boolean;
  /** Bumps on manual or automatic refresh. */
  tick: number;
  /** Pixel height of the frame. */
  height: number;
  /** Full-screen view: no lazy loading. */
  eager?: boolean;
  onView?: () => void;
  onZoom?: (start: number, end: number) => void;
}

const HEADER_PX = 28;
const BODY_PAD = 8;

/** Becomes true once the element comes near the viewport, and stays true. */
function useSeen(ref: { current: Element | null }, eager: boolean): boolean {
  const [seen, setSeen] = useState(eager);
  useEffect(() => {
    if (seen || !ref.current) return;
    const io = new IntersectionObserver((es) => es.some((e) => e.isIntersecting) && setSeen(true), { rootMargin: '200px' });
    io.observe(ref.current);
    return () => io.disconnect();
  }, [seen]);
  return seen;
}

function useWidth(ref: { current: Element | null }): number {
  const [w, setW] = useState(0);
  useEffect(() => {
    if (!ref.current) return;
    const el = ref.current;
    // The content box: the body's padding is not room for the renderer.
    const inner = () => {
      const cs = getComputedStyle(el);
      return el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    };
    setW(inner());
    const ro = new ResizeObserver(() => setW((old) => (Math.abs(old - inner()) > 20 ? inner() : old)));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return w;
}

export function PanelFrame(p: PanelFrameProps) {
  const box = useRef<HTMLDivElement>(null);
  const body = useRef<HTMLDivElement>(null);
  const seen = useSeen(box, !!p.eager);
  const width = useWidth(body);
  const [data, setData] = useState<PanelData | null>(null);
  const [loading, setLoading] = useState(false);
  const [plan, setPlan] = useState<PanelQuery[]>([]);
  const [menu, setMenu] = useState(false);
  const menuBox = useRef<HTMLSpanElement>(null);
  useDismiss(menuBox, menu, () => setMenu(false));
  const [inspect, setInspect] = useState<'query' | 'data' | 'json' | null>(null);
  const Renderer = PANEL_RENDERERS[p.panel.type];
  // A panel whose every query goes to another kind of data source cannot be drawn here.
  const foreign = p.panel.targets.length && p.panel.targets.every((t) => foreignDatasource(t.datasource ?? p.panel.datasource)) ? foreignDatasource(p.panel.targets[0].datasource ?? p.panel.datasource) : null;
  const dataless = DATALESS.has(p.panel.type) || !Renderer || !!foreign;

  const queries = width > 0 ? planQueries(p.panel, p.scope, p.range.start, p.range.end, width).queries : [];
  const planKey = JSON.stringify(queries);
  useEffect(() => {
    if (!seen || dataless || width <= 0) return;
    let live = true;
    setPlan(queries);
    setLoading(true);
    runQueries(queries).then((d) => {
      if (!live) return;
      setData(d);
      setLoading(false);
    });
    return () => {
      live = false;
    };
  }, [seen, planKey, p.tick, dataless]);

  const title = interpolate(p.panel.title ?? '', p.scope, 'text');
  const bodyH = Math.max(20, p.height - HEADER_PX - BODY_PAD);
  let state: PanelState;
  let content: preact.ComponentChildren = null;
  if (!Renderer) {
    state = 'unsupported';
    content = <div class="panel-notice">Panel type '{p.panel.type}' is not supported</div>;
  } else if (foreign) {
    state = 'unsupported';
    content = <div class="panel-notice">Data source type '{foreign}' is not supported: Vigil answers Prometheus queries</div>;
  } else if (dataless) {
    state = 'rendered';
    content = <Renderer panel={p.panel} data={{ series: [], warnings: [] }} width={width} height={bodyH} utc={p.utc} scope={p.scope} />;
  } else if (!seen) {
    state = 'waiting';
  } else if (!data) {
    state = 'loading';
    content = <div class="panel-notice muted">Loading…</div>;
  } else if (data.error && !data.series.length) {
    state = 'error';
    content = <div class="panel-error">{data.error}</div>;
  } else if (!data.series.length || (queries.length === 0 && !data.series.length)) {
    state = 'nodata';
    content = <div class="panel-notice muted">No data</div>;
  } else {
    state = data.error ? 'error' : 'rendered';
    content = (
      <>
        {data.error && <div class="panel-error small">{data.error}</div>}
        <Renderer panel={p.panel} data={data} width={width} height={bodyH - (data.error ? 24 : 0)} utc={p.utc} scope={p.scope} onZoom={p.onZoom} range={p.range} />
      </>
    );
  }

  return (
    <div ref={box} class={`dash-panel ${p.panel.transparent ? 'transparent' : ''}`} data-panel-id={p.panel.id} data-repeat-of={p.panel.repeatPanelId} data-panel-type={p.panel.type} data-state={state} style={{ height: `${p.height}px` }}>
      <div class="panel-header">
        <span class="panel-title" title={title}>
          {title}
        </span>
        {p.panel.description && (
          <span class="panel-desc" title={interpolate(p.panel.description, p.scope, 'text')}>
            i
          </span>
        )}
        {loading && <span class="panel-spinner" title="Loading" />}
        <span class="grow" />
        <span ref={menuBox}>
        <button class="panel-menu-btn" aria-label="Panel menu" onClick={() => setMenu(!menu)}>
          ⋮
        </button>
        {menu && (
          <div class="panel-menu">
            <button onClick={() => (setMenu(false), p.onView?.())}>View</button>
            <button onClick={() => (setMenu(false), setInspect('query'))}>Inspect query</button>
            <button onClick={() => (setMenu(false), setInspect('json'))}>Panel JSON</button>
            {p.panel.links.map((l) => {
              const url = l.url ? safeUrl(interpolate(l.url, p.scope, 'raw')) : null;
              return url ? (
                <a class="panel-link" href={url} target={l.targetBlank ? '_blank' : undefined} rel="noopener noreferrer">
                  {interpolate(l.title || url, p.scope, 'text')} ↗
                </a>
              ) : null;
            })}
          </div>
        )}
        </span>
      </div>
      <div ref={body} class="panel-body">
        {content}
      </div>
      {inspect && (
        <div class="dash-modal" onClick={(e) => e.target === e.currentTarget && setInspect(null)}>
          <div class="dash-modal-box card">
            <div class="row">
              <h2 class="grow">{title || 'Panel'}</h2>
              <div class="tabs">
                <button class={inspect === 'query' ? 'active' : ''} onClick={() => setInspect('query')}>
                  Query
                </button>
                <button class={inspect === 'data' ? 'active' : ''} onClick={() => setInspect('data')}>
                  Data
                </button>
                <button class={inspect === 'json' ? 'active' : ''} onClick={() => setInspect('json')}>
                  JSON
                </button>
              </div>
              <button onClick={() => setInspect(null)}>Close</button>
            </div>
            {inspect === 'query' ? (
              <table class="data">
                <thead>
                  <tr>
                    <th>Ref</th>
                    <th>Query sent</th>
                    <th>Type</th>
                    <th>Step</th>
                  </tr>
                </thead>
                <tbody>
                  {(plan.length ? plan : queries).map((q) => (
                    <tr>
                      <td>{q.refId}</td>
                      <td>
                        <code>{q.expr}</code>
                      </td>
                      <td>{q.instant ? 'instant' : 'range'}</td>
                      <td>{q.instant ? '' : `${q.step}s`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : inspect === 'data' ? (
              <table class="data">
                <thead>
                  <tr>
                    <th>Ref</th>
                    <th>Series</th>
                    <th>Points</th>
                    <th>Last value</th>
                  </tr>
                </thead>
                <tbody>
                  {(data?.series ?? []).map((s) => (
                    <tr>
                      <td>{s.refId}</td>
                      <td class="mono">{s.name}</td>
                      <td>{s.values.length}</td>
                      <td>{String(s.values[s.values.length - 1] ?? '')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <pre class="inspect-json">{JSON.stringify(p.panel, null, 2)}</pre>
            )}
            {inspect === 'query' && data?.error && <div class="error">{data.error}</div>}
          </div>
        </div>
      )}
    </div>
  );
}
