// Template variables: what to ask Prometheus for a query variable, how its answer becomes
// options (regex, sort, All), how custom/interval/constant/textbox/datasource variables get
// theirs, what stays selected after a refresh, and in which order variables refresh.

import { calculateInterval, parseIntervalMs } from './intervals';
import { ALL_TEXT, ALL_VALUE, interpolate, prometheusFormat, referencedVariables, type InterpolationContext } from './interpolate';
import { parseRegexString } from './regex';
import type { Variable, VariableCurrent, VariableOption } from './types';

/** The Prometheus API request a query variable needs. */
export type VariableRequest =
  /** `/api/v1/label/<label>/values`, with `match[]` when a metric/selector was given. */
  | { kind: 'label_values'; label: string; match?: string }
  /** `/api/v1/labels`, with `match[]` when given. */
  | { kind: 'label_names'; match?: string }
  /** `/api/v1/label/__name__/values`, then the names filtered by `regex`. */
  | { kind: 'metrics'; regex: string }
  /** `/api/v1/query` (instant), each result one option. */
  | { kind: 'query'; expr: string }
  /** `/api/v1/series?match[]=…`, each series one option (the object form's series type). */
  | { kind: 'series'; match: string }
  /** Nothing to ask (empty query). */
  | { kind: 'none' };

const LABEL_NAMES = /^label_names\(\s*(.*?)\s*\)\s*$/s;
const LABEL_VALUES = /^label_values\((?:(.+),\s*)?([a-zA-Z_$][a-zA-Z0-9_]*)\s*\)\s*$/s;
const METRICS = /^metrics\((.+)\)\s*$/s;
const QUERY_RESULT = /^query_result\((.+)\)\s*$/s;

/** The query text of a variable: a string, or the `query` of Grafana's newer object form. */
export function variableQueryText(query: Variable['query'] | undefined | null): string {
  if (typeof query === 'string') return query;
  if (query && typeof query === 'object' && typeof query.query === 'string') return query.query;
  return '';
}

/**
 * Parses a Prometheus variable query (`label_values(…)`, `label_names(…)`, `metrics(…)`,
 * `query_result(…)`, or — as Grafana does — any other text as a series selector) into the API
 * request to send. For Grafana's object form the `query` text wins when present (the editor
 * keeps it in step); otherwise `qryType` (0 label names, 1 label values, 2 metric names,
 * 3 query result, 4 series query, 5 classic) picks the request from its fields.
 */
export function variableRequest(query: Variable['query'] | undefined | null): VariableRequest {
  const text = variableQueryText(query).trim();
  if (text || !query || typeof query !== 'object') return parseClassicQuery(text);
  const q = query as Record<string, unknown>;
  const field = (k: string) => (typeof q[k] === 'string' && q[k] !== '' ? (q[k] as string) : undefined);
  const metric = field('metric');
  const label = field('label');
  switch (q.qryType) {
    case 0:
      return metric ? { kind: 'label_names', match: metric } : { kind: 'label_names' };
    case 1:
      if (!label) return { kind: 'none' };
      return metric ? { kind: 'label_values', label, match: metric } : { kind: 'label_values', label };
    case 2:
      return { kind: 'metrics', regex: metric ?? '.*' };
    case 3: {
      const expr = field('varQuery');
      return expr ? { kind: 'query', expr } : { kind: 'none' };
    }
    case 4: {
      const match = field('seriesQuery');
      return match ? { kind: 'series', match } : { kind: 'none' };
    }
    case 5:
      return parseClassicQuery((field('classicQuery') ?? '').trim());
  }
  return { kind: 'none' };
}

function parseClassicQuery(text: string): VariableRequest {
  if (!text) return { kind: 'none' };
  let m = LABEL_NAMES.exec(text);
  if (m) return m[1] ? { kind: 'label_names', match: m[1] } : { kind: 'label_names' };
  m = LABEL_VALUES.exec(text);
  if (m) return m[1] ? { kind: 'label_values', label: m[2], match: m[1].trim() } : { kind: 'label_values', label: m[2] };
  m = METRICS.exec(text);
  if (m) return { kind: 'metrics', regex: m[1].trim() };
  m = QUERY_RESULT.exec(text);
  if (m) return { kind: 'query', expr: m[1].trim() };
  return { kind: 'series', match: text };
}

/**
 * The request of a query variable after its query is interpolated with the variables it
 * depends on (Prometheus formatting), as Grafana interpolates before parsing.
 */
export function interpolatedVariableRequest(v: Pick<Variable, 'query'>, ctx: InterpolationContext): VariableRequest {
  const q = v.query;
  if (typeof q === 'string') return variableRequest(interpolate(q, ctx, prometheusFormat));
  if (q && typeof q === 'object') {
    const out: Record<string, unknown> = { ...q };
    for (const key of ['query', 'metric', 'label', 'varQuery', 'seriesQuery', 'classicQuery'] as const) {
      const val = out[key];
      if (typeof val === 'string') out[key] = interpolate(val, ctx, prometheusFormat);
    }
    return variableRequest(out as Variable['query']);
  }
  return { kind: 'none' };
}

/** A variable's `regex` with variables in it replaced (regex-escaped), as Grafana does. */
export function interpolatedRegex(v: Pick<Variable, 'regex'>, ctx: InterpolationContext): string {
  return v.regex ? interpolate(v.regex, ctx, 'regex') : '';
}

/** One element of a Prometheus vector / series answer. */
export interface PromSample {
  metric: Record<string, string>;
  value?: [number, string];
}

/** The answers the requests above get, in the shapes the Prometheus API returns them. */
export type VariableResponse =
  | { kind: 'strings'; data: string[] }
  | { kind: 'series'; data: Record<string, string>[] }
  | { kind: 'vector'; data: PromSample[] }
  | { kind: 'scalar'; data: [number, string] };

/** `name{a="b",c="d"}`: a series as variable options list it. */
export function renderSeries(metric: Record<string, string>): string {
  const { __name__: name = '', ...labels } = metric;
  const inner = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return `${name}{${inner}}`;
}

/** Renders a query_result sample as Grafana lists it: `name{a="b",c="d"} value timestampMs`. */
export function renderQueryResult(s: PromSample): string {
  const [ts, val] = s.value ?? [0, ''];
  return `${renderSeries(s.metric)} ${val} ${ts * 1000}`;
}

/**
 * Turns the API answer into raw option texts (before regex/sort): label values, names,
 * metric names filtered by the `metrics()` regex, rendered query results, or series rendered
 * as `name{labels}`.
 */
export function optionsFromResponse(req: VariableRequest, res: VariableResponse): string[] {
  switch (req.kind) {
    case 'label_values':
      if (res.kind === 'strings') return res.data;
      if (res.kind === 'series') return res.data.map((s) => s[req.label]).filter((v): v is string => v !== undefined);
      return [];
    case 'label_names':
      return res.kind === 'strings' ? res.data : [];
    case 'metrics': {
      if (res.kind !== 'strings') return [];
      const re = parseRegexString(req.regex);
      return re ? res.data.filter((n) => re.test(n)) : [];
    }
    case 'query':
      if (res.kind === 'vector') return res.data.map(renderQueryResult);
      if (res.kind === 'scalar') return [res.data[1]];
      if (res.kind === 'strings') return res.data;
      return [];
    case 'series':
      if (res.kind === 'series') return res.data.map(renderSeries);
      return [];
    case 'none':
      return [];
  }
}

function allMatches(value: string, re: RegExp): RegExpExecArray[] {
  if (!re.global) {
    const m = re.exec(value);
    return m ? [m] : [];
  }
  const out: RegExpExecArray[] = [];
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  // Like Grafana, an empty match ends the scan.
  while ((m = re.exec(value)) !== null) {
    out.push(m);
    if (m[0] === '') break;
  }
  return out;
}

/**
 * Applies a variable's `regex` (already interpolated, as Grafana interpolates it) to raw
 * values, Grafana's way: named groups `text`/`value`
 * give both; otherwise the first capture group is the value (each match of a global regex
 * its own option); no group keeps the value; non-matching values are dropped. Duplicates
 * (by value) are removed.
 */
export function applyVariableRegex(values: readonly (string | VariableOption)[], regex: string | undefined): VariableOption[] {
  const re = regex ? parseRegexString(regex, true) : null;
  const out: VariableOption[] = [];
  for (const item of values) {
    let text = typeof item === 'string' ? item : item.text;
    let value = typeof item === 'string' ? item : item.value;
    if (re) {
      const matches = allMatches(value, re);
      if (!matches.length) continue;
      const valueGroup = matches.find((m) => m.groups?.value !== undefined);
      const textGroup = matches.find((m) => m.groups?.text !== undefined);
      const withGroup = matches.find((m) => m.length > 1);
      if (valueGroup || textGroup) {
        value = valueGroup?.groups?.value ?? textGroup?.groups?.text ?? value;
        text = textGroup?.groups?.text ?? valueGroup?.groups?.value ?? text;
      } else if (matches.length > 1 && withGroup) {
        for (const m of matches) out.push({ text: m[1] ?? '', value: m[1] ?? '' });
        continue;
      } else if (withGroup) {
        text = withGroup[1] ?? '';
        value = withGroup[1] ?? '';
      }
    }
    out.push({ text, value });
  }
  const seen = new Set<string>();
  return out.filter((o) => (seen.has(o.value) ? false : (seen.add(o.value), true)));
}

function firstNumber(text: string): number {
  const m = /.*?(\d+).*/.exec(text);
  return m ? parseInt(m[1], 10) : -1;
}

/**
 * Sorts options by Grafana's `sort` codes: 0 as returned; 1/2 alphabetical asc/desc; 3/4 by
 * the first number in the text asc/desc; 5/6 alphabetical case-insensitive asc/desc; 7/8
 * natural order (numbers inside text compared as numbers) asc/desc.
 */
export function sortOptions(options: readonly VariableOption[], sort: number): VariableOption[] {
  if (!sort) return [...options];
  const kind = Math.ceil(sort / 2);
  const descending = sort % 2 === 0;
  const keyed = options.map((o, i) => ({ o, i }));
  const cmpText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  keyed.sort((a, b) => {
    let c = 0;
    if (kind === 1) c = cmpText(a.o.text, b.o.text);
    else if (kind === 2) c = firstNumber(a.o.text) - firstNumber(b.o.text);
    else if (kind === 3) c = cmpText(a.o.text.toLowerCase(), b.o.text.toLowerCase());
    else if (kind === 4) c = a.o.text.localeCompare(b.o.text, undefined, { numeric: true });
    return c || a.i - b.i;
  });
  const sorted = keyed.map((k) => k.o);
  return descending ? sorted.reverse() : sorted;
}

/**
 * Options of a `custom` variable: comma-separated, `\,` for a literal comma, `text : value`
 * for a different label and value.
 */
export function customOptions(query: string): VariableOption[] {
  const parts = query.match(/(?:\\,|[^,])+/g) ?? [];
  return parts.map((raw) => {
    const part = raw.replace(/\\,/g, ',');
    const kv = /^\s*(.+)\s:\s(.+)$/.exec(part);
    if (kv) return { text: kv[1].trim(), value: kv[2].trim() };
    return { text: part.trim(), value: part.trim() };
  });
}

/**
 * Options of an `interval` variable; with `auto` an `auto` option comes first whose value is
 * range / auto_count rounded, at least auto_min (Grafana's default 30 steps, min 10s).
 */
export function intervalOptions(v: Pick<Variable, 'query' | 'auto' | 'auto_count' | 'auto_min' | 'name'>, rangeMs: number): { options: VariableOption[]; autoValue?: string } {
  const text = typeof v.query === 'string' ? v.query : '';
  const options = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => ({ text: s, value: s }));
  if (!v.auto) return { options };
  const auto = calculateInterval(rangeMs, v.auto_count ?? 30, parseIntervalMs(v.auto_min ?? '10s'));
  return { options: [{ text: 'auto', value: `$__auto_interval_${v.name}` }, ...options], autoValue: auto.interval };
}

/**
 * The `__auto_interval_<name>` built-ins of a dashboard's auto interval variables for a time
 * range, to pass to `interpolate` so `$interval` set to `auto` becomes e.g. `2m`.
 */
export function autoIntervalBuiltins(vars: readonly Variable[], rangeMs: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of vars) {
    if (v.type !== 'interval' || !v.auto) continue;
    const { autoValue } = intervalOptions(v, rangeMs);
    if (autoValue) out[`__auto_interval_${v.name}`] = autoValue;
  }
  return out;
}

/** Adds the `All` option first when the variable includes one. */
export function withAllOption(options: VariableOption[], includeAll: boolean): VariableOption[] {
  return includeAll ? [{ text: ALL_TEXT, value: ALL_VALUE }, ...options] : options;
}

function asList(v: string | string[] | undefined): string[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * The selection after options change, Grafana's way: a multi variable keeps every option
 * still offered (in option order); a single one keeps the option with its text (or value);
 * otherwise the first option is chosen (All, when included).
 */
export function selectCurrent(v: Pick<Variable, 'multi' | 'includeAll' | 'current'>, options: VariableOption[]): VariableCurrent {
  const first = options[0];
  if (v.multi) {
    const wanted = new Set(asList(v.current?.value));
    const kept = options.filter((o) => wanted.has(o.value));
    if (kept.length) return { value: kept.map((o) => o.value), text: kept.map((o) => o.text) };
    return first ? { value: [first.value], text: [first.text] } : { value: [], text: [] };
  }
  const text = asList(v.current?.text)[0];
  const value = asList(v.current?.value)[0];
  const hit = options.find((o) => text !== undefined && o.text === text) ?? options.find((o) => value !== undefined && o.value === value);
  if (hit) return { value: hit.value, text: hit.text };
  return first ? { value: first.value, text: first.text } : { value: '', text: '' };
}

/** The text a variable's definition refers other variables through (query, regex, datasource). */
function definitionText(v: Variable): string {
  const ds = typeof v.datasource === 'string' ? v.datasource : v.datasource?.uid ?? '';
  return [variableQueryText(v.query), v.regex ?? '', ds].join('\n');
}

/** The other dashboard variables `v` needs before it can refresh. */
export function dependsOn(v: Variable, all: readonly Variable[]): string[] {
  const names = new Set(all.map((x) => x.name));
  return referencedVariables(definitionText(v)).filter((n) => n !== v.name && names.has(n));
}

/**
 * The order to refresh variables in: each after the ones it uses, otherwise in dashboard
 * order. Variables in a dependency cycle are reported (and appended at the end in dashboard
 * order) instead of looping.
 */
export function dependencyOrder(vars: readonly Variable[]): { order: string[]; cycles: string[][] } {
  const deps = new Map(vars.map((v) => [v.name, dependsOn(v, vars)]));
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const cycles: string[][] = [];
  const inCycle = new Set<string>();
  const visit = (name: string, path: string[]): void => {
    const s = state.get(name);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = path.slice(path.indexOf(name));
      cycles.push(cycle);
      cycle.forEach((c) => inCycle.add(c));
      return;
    }
    state.set(name, 'visiting');
    for (const d of deps.get(name) ?? []) visit(d, [...path, name]);
    state.set(name, 'done');
    if (!inCycle.has(name)) order.push(name);
  };
  for (const v of vars) visit(v.name, []);
  for (const v of vars) if (inCycle.has(v.name) && !order.includes(v.name)) order.push(v.name);
  return { order, cycles };
}

/** The variables that must refresh when `changed` changes (directly or through others). */
export function dependents(changed: string, vars: readonly Variable[]): string[] {
  const out: string[] = [];
  const { order } = dependencyOrder(vars);
  const affected = new Set([changed]);
  for (const name of order) {
    const v = vars.find((x) => x.name === name);
    if (!v || name === changed) continue;
    if (dependsOn(v, vars).some((d) => affected.has(d))) {
      affected.add(name);
      out.push(name);
    }
  }
  return out;
}

/** How a query variable's raw answer becomes its options: regex, sort, All. */
export function buildQueryOptions(v: Pick<Variable, 'regex' | 'sort' | 'includeAll'>, raw: readonly string[]): VariableOption[] {
  return withAllOption(sortOptions(applyVariableRegex(raw, v.regex), v.sort), v.includeAll);
}

/**
 * Options of the variable types that need no query: custom, constant, textbox, interval,
 * datasource (one Prometheus-compatible datasource). Null for query and adhoc variables.
 */
export function staticOptions(v: Variable, rangeMs: number, datasourceName = 'Vigil'): VariableOption[] | null {
  const query = typeof v.query === 'string' ? v.query : '';
  switch (v.type) {
    case 'custom':
      return withAllOption(customOptions(query), v.includeAll);
    case 'constant':
      return [{ text: query, value: query }];
    case 'textbox': {
      const current = asList(v.current?.value)[0];
      const value = current !== undefined && current !== '' ? current : query;
      return [{ text: value, value }];
    }
    case 'interval':
      return intervalOptions(v, rangeMs).options;
    case 'datasource':
      return [{ text: datasourceName, value: datasourceName }];
  }
  return null;
}
