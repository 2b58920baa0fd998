// The alert manager's routing tree, drawn from its configuration: each route's matchers,
// receiver (inherited when not set), grouping, timings and time intervals.
import type { Yaml } from './yaml';

type Obj = { [k: string]: Yaml };

function isObj(v: Yaml | undefined): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: Yaml | undefined): string[] {
  if (Array.isArray(v)) return v.map((x) => String(x));
  if (typeof v === 'string') return [v];
  return [];
}

/** A route's matchers in one list: `matchers`, plus the deprecated `match` and `match_re`. */
function routeMatchers(r: Obj): string[] {
  const out = strings(r.matchers);
  if (isObj(r.match)) for (const [k, v] of Object.entries(r.match)) out.push(`${k}="${String(v)}"`);
  if (isObj(r.match_re)) for (const [k, v] of Object.entries(r.match_re)) out.push(`${k}=~"${String(v)}"`);
  return out;
}

export function RouteTree({ route }: { route: Yaml }) {
  if (!isObj(route)) return <p class="muted">The configuration has no route.</p>;
  return (
    <div class="route-tree">
      <ul>
        <RouteNode route={route} inherited={{ receiver: '', group_by: [] }} root />
      </ul>
    </div>
  );
}

function RouteNode({ route, inherited, root = false }: { route: Obj; inherited: { receiver: string; group_by: string[] }; root?: boolean }) {
  const receiver = typeof route.receiver === 'string' ? route.receiver : inherited.receiver;
  const groupBy = route.group_by !== undefined ? strings(route.group_by) : inherited.group_by;
  const matchers = routeMatchers(route);
  const children = Array.isArray(route.routes) ? route.routes.filter(isObj) : [];
  const timing = ['group_wait', 'group_interval', 'repeat_interval'].filter((k) => route[k] !== undefined && route[k] !== null).map((k) => `${k}: ${String(route[k])}`);
  const mute = strings(route.mute_time_intervals);
  const activeIn = strings(route.active_time_intervals);
  return (
    <li class="route-node" data-receiver={receiver}>
      <div>
        {root ? <strong>root</strong> : matchers.length ? (
          <span class="labels">
            {matchers.map((m) => (
              <span class="badge" key={m}>
                {m}
              </span>
            ))}
          </span>
        ) : (
          <span class="muted">(matches everything)</span>
        )}{' '}
        → <strong class="mono">{receiver || '—'}</strong>
        {typeof route.receiver !== 'string' && !root && <span class="muted"> (inherited)</span>}
        {route.continue === true && <span class="badge">continue</span>}
      </div>
      <div class="muted route-details">
        {groupBy.length ? `group_by: [${groupBy.join(', ')}]` : 'no grouping'}
        {timing.length > 0 && ` · ${timing.join(' · ')}`}
        {mute.length > 0 && ` · muted during: ${mute.join(', ')}`}
        {activeIn.length > 0 && ` · active during: ${activeIn.join(', ')}`}
      </div>
      {children.length > 0 && (
        <ul>
          {children.map((c, i) => (
            <RouteNode key={i} route={c} inherited={{ receiver, group_by: groupBy }} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** `time_intervals` and `mute_time_intervals` by name, each shown as compact JSON lines. */
export function TimeIntervals({ config }: { config: Obj }) {
  const all = [...(Array.isArray(config.time_intervals) ? config.time_intervals : []), ...(Array.isArray(config.mute_time_intervals) ? config.mute_time_intervals : [])].filter(isObj);
  if (!all.length) return <p class="muted">No time intervals are configured.</p>;
  return (
    <table class="data time-intervals">
      <thead>
        <tr>
          <th>Name</th>
          <th>When</th>
        </tr>
      </thead>
      <tbody>
        {all.map((ti) => (
          <tr key={String(ti.name)}>
            <td class="mono">{String(ti.name)}</td>
            <td class="mono">
              {(Array.isArray(ti.time_intervals) ? ti.time_intervals : []).map((spec, i) => (
                <div key={i}>{describeInterval(spec)}</div>
              ))}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function describeInterval(spec: Yaml): string {
  if (!isObj(spec)) return String(spec);
  return Object.entries(spec)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.map(describeRange).join(', ') : String(v)}`)
    .join('; ');
}

/** `{start_time, end_time}` as `start–end` whatever order the keys come in; other items as text. */
function describeRange(x: Yaml): string {
  if (!isObj(x)) return String(x);
  if ('start_time' in x || 'end_time' in x) return `${String(x.start_time ?? '')}–${String(x.end_time ?? '')}`;
  return Object.values(x).map(String).join('–');
}

export { isObj };
