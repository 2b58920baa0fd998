// Template variables at run time: their options (from the dashboard, or from the API through the
// model's request descriptions), the selection (URL first, then the saved one, then the first
// option), and the scope panels interpolate with. Chained variables reload when a variable they
// mention changes.
import { labelValues, prom, queryInstant, series } from '../lib/api';
import {
  buildQueryOptions,
  contextOf,
  interpolatedRegex,
  interpolatedVariableRequest,
  optionsFromResponse,
  staticOptions,
  variableQueryText,
  type Variable,
  type VariableRequest,
  type VariableResponse,
  type VarScope,
} from './bridge';

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
  return variableQueryText(def.query);
}

/** Names of the variables `text` mentions (`$x`, `${x}`, `${x:fmt}`, `[[x]]`). */
export function mentions(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/\$(\w+)|\$\{(\w+)(?::\w+)?\}|\[\[(\w+)(?::\w+)?\]\]/g)) out.add(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** Asks the API what a query variable's request describes, in the model's response shapes. */
async function fetchVariable(req: VariableRequest, start: number, end: number): Promise<VariableResponse> {
  const range = { start: String(start), end: String(end) };
  switch (req.kind) {
    case 'label_values':
      return { kind: 'strings', data: await labelValues(req.label, req.match ? [req.match] : undefined, start, end) };
    case 'label_names':
      return { kind: 'strings', data: (await prom<string[]>('/api/v1/labels', { 'match[]': req.match, ...range })).data };
    case 'metrics':
      return { kind: 'strings', data: await labelValues('__name__', undefined, start, end) };
    case 'series':
      return { kind: 'series', data: await series([req.match], start, end) };
    case 'query': {
      const d = (await queryInstant(req.expr, end)).data;
      if (d.resultType === 'vector') return { kind: 'vector', data: d.result };
      if (d.resultType === 'matrix') return { kind: 'vector', data: d.result.map((s) => ({ metric: s.metric, value: s.values[s.values.length - 1] })) };
      return { kind: 'scalar', data: d.result };
    }
    default:
      return { kind: 'strings', data: [] };
  }
}

/**
 * A variable's options: static ones (custom, interval, constant, text box, data source) from
 * the model, query ones from the API through the model's request description (its query and
 * regex interpolated with the variables before it, in `scope`).
 */
export async function loadOptions(def: Variable, scope: VarScope, start: number, end: number): Promise<Option[]> {
  const fixed = staticOptions(def, (end - start) * 1000);
  if (fixed) return fixed;
  if (def.type !== 'query') return [];
  // "Never refresh": the options saved with the dashboard are the options.
  if (def.refresh === 0 && def.options.length) return def.options.map((o) => ({ text: o.text, value: o.value }));
  const ctx = contextOf(scope);
  const req = interpolatedVariableRequest(def, ctx);
  const raw = optionsFromResponse(req, await fetchVariable(req, start, end));
  return buildQueryOptions({ ...def, regex: interpolatedRegex(def, ctx) }, raw);
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
export function scopeOf(vars: VarState[], autoIntervals: Record<string, string> = {}): VarScope {
  const scope: VarScope = {};
  for (const v of vars) {
    // An interval variable on `auto` holds `$__auto_interval_<name>`, computed from the range.
    const value = v.current.map((x) => (x.startsWith('$__auto_interval') ? autoIntervals[x.slice(1)] ?? '1m' : x));
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

/** A variable as the model's functions take it: its definition with the current selection and options. */
export function asModelVariable(v: VarState): Variable {
  const text = v.current.map((x) => (x === ALL ? 'All' : v.options.find((o) => o.value === x)?.text ?? x));
  return {
    ...v.def,
    current: { value: v.def.multi ? v.current : v.current[0] ?? '', text: v.def.multi ? text : text[0] ?? '' },
    options: v.options.map((o) => ({ text: o.text, value: o.value, selected: v.current.includes(o.value) })),
  };
}
