// Template variables at run time: their options (from the dashboard, or from the API through the
// model's request descriptions), the selection (URL first, then the saved one, then the first
// option), and the scope panels interpolate with. Chained variables reload when a variable they
// mention changes.
import { labelValues, prom, queryInstant, formatSeries } from '../lib/api';
import { applyVariableRegex, interpolate, sortOptions, variableRequest, type Variable, type VarScope } from './bridge';

export const ALL = '$__all';

export interface Option {
  text: string;
  value: string;
}

export interface VarState {
  def: Variable;
  options: Option[];
  /** Selected values; `[ALL]` when All is selected. */
  current: string[];
  error?: string;
}

/** The text of a variable's query, whichever shape the dashboard stored it in. */
export function queryText(def: Variable): string {
  return typeof def.query === 'string' ? def.query : String(def.query?.query ?? '');
}

/** Splits `a, b, c` or `label : value` pairs of custom variables (`\,` keeps a comma). */
export function parseCustom(query: string): Option[] {
  const parts = query.match(/(?:\\,|[^,])+/g) ?? [];
  return parts
    .map((p) => p.replace(/\\,/g, ',').trim())
    .filter(Boolean)
    .map((p) => {
      const m = /^(.+?)\s+:\s+(.+)$/.exec(p);
      return m ? { text: m[1], value: m[2] } : { text: p, value: p };
    });
}

/** Names of the variables `text` mentions (`$x`, `${x}`, `${x:fmt}`, `[[x]]`). */
export function mentions(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/\$(\w+)|\$\{(\w+)(?::\w+)?\}|\[\[(\w+)(?::\w+)?\]\]/g)) out.add(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** Fetches or derives a variable's options. `scope` holds the variables before it. */
export async function loadOptions(def: Variable, scope: VarScope, start: number, end: number): Promise<Option[]> {
  let opts: Option[];
  switch (def.type) {
    case 'custom':
      opts = parseCustom(queryText(def));
      break;
    case 'interval':
      opts = parseCustom(queryText(def));
      if (def.auto) opts = [{ text: 'auto', value: '$__auto_interval' }, ...opts];
      break;
    case 'constant':
      opts = [{ text: queryText(def), value: queryText(def) }];
      break;
    case 'textbox': {
      const v = typeof def.current.value === 'string' && def.current.value ? def.current.value : queryText(def);
      opts = [{ text: v, value: v }];
      break;
    }
    case 'datasource':
      // One data source: Vigil itself.
      opts = [{ text: 'Vigil', value: 'vigil' }];
      break;
    case 'query': {
      const req = variableRequest(interpolate(queryText(def), scope));
      let values: string[] = [];
      if (!req) values = [];
      else if (req.kind === 'labelValues') values = await labelValues(req.label, req.match ? [req.match] : undefined, start, end);
      else if (req.kind === 'labelNames') values = (await prom<string[]>('/api/v1/labels', { 'match[]': req.match, start: String(start), end: String(end) })).data;
      else if (req.kind === 'metrics') {
        const names = await labelValues('__name__', undefined, start, end);
        let re: RegExp | null = null;
        try {
          re = req.regex ? new RegExp(req.regex) : null;
        } catch {
          re = null;
        }
        values = names.filter((n) => !re || re.test(n));
      } else {
        const r = await queryInstant(req.expr, end);
        const d = r.data;
        if (d.resultType === 'vector') values = d.result.map((s) => `${formatSeries(s.metric)} ${s.value[1]} ${s.value[0] * 1000}`);
        else if (d.resultType === 'matrix') values = d.result.map((s) => formatSeries(s.metric));
        else values = [String(d.result[1])];
      }
      opts = sortOptions(applyVariableRegex(values, def.regex), def.sort);
      break;
    }
    default:
      opts = [];
  }
  if (def.includeAll && def.type !== 'constant' && def.type !== 'textbox') opts = [{ text: 'All', value: ALL }, ...opts];
  return opts;
}

/** The selection after options (re)load: the URL's, else the previous, else the saved, else the first. */
export function pickCurrent(def: Variable, options: Option[], fromUrl: string[] | null, previous: string[] | null): string[] {
  const valid = (vs: string[] | null) => {
    if (!vs || !vs.length) return null;
    if (def.type === 'textbox' || def.type === 'constant') return vs;
    const norm = vs.map((v) => (v === 'All' || v === '$__all' ? ALL : v));
    const ok = norm.filter((v) => options.some((o) => o.value === v));
    return ok.length ? (def.multi ? ok : [ok[0]]) : null;
  };
  let saved = def.current?.value === undefined ? null : Array.isArray(def.current.value) ? def.current.value : [def.current.value];
  // A text box without a saved value starts with its query (the default text).
  if (def.type === 'textbox' && saved?.join('') === '') saved = null;
  return valid(fromUrl) ?? valid(previous) ?? valid(saved) ?? (options.length ? [options[0].value] : def.type === 'textbox' ? [''] : []);
}

/** The variables as interpolation scope. */
export function scopeOf(vars: VarState[], autoInterval = '1m'): VarScope {
  const scope: VarScope = {};
  for (const v of vars) {
    const value = v.current.map((x) => (x === '$__auto_interval' ? autoInterval : x));
    const text = value.map((x) => (x === ALL ? 'All' : v.options.find((o) => o.value === x)?.text ?? x));
    scope[v.def.name] = {
      value: v.def.multi ? value : value[0] ?? '',
      text: v.def.multi ? text : text[0] ?? '',
      all: v.options.filter((o) => o.value !== ALL).map((o) => o.value),
      allValue: v.def.allValue ?? null,
      multiOrAll: v.def.multi || v.def.includeAll,
    };
  }
  return scope;
}

/** The values a repeat over `name` iterates: the selection, All meaning every option. */
export function repeatValues(vars: VarState[], name: string): Option[] {
  const v = vars.find((x) => x.def.name === name);
  if (!v) return [];
  const vals = v.current.includes(ALL) ? v.options.filter((o) => o.value !== ALL) : v.current.map((c) => v.options.find((o) => o.value === c) ?? { text: c, value: c });
  return vals;
}
