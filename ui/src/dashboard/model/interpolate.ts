// Template interpolation: replacing `$var`, `${var}`, `${var:format}` and `[[var]]` in
// queries, titles and links with the variables' current values, formatted the way Grafana
// formats them, so dashboard queries reach Prometheus exactly as Grafana would send them.

import { escapeRegex } from './regex';
import type { Variable } from './types';

/** A variable's value as interpolation sees it: one string or several. */
export type VariableValue = string | string[];

/** What interpolation needs to know about a variable (a subset of `Variable`). */
export interface InterpolationVariable {
  name: string;
  value: VariableValue;
  text?: VariableValue;
  multi?: boolean;
  includeAll?: boolean;
  allValue?: string | null;
  /** Option values, used when the value is `$__all` and no allValue is set. */
  options?: string[];
}

/**
 * A formatter for one variable's value: a format id (`regex`, `csv`, `prometheus`…) or a
 * function, as datasources pass to Grafana's `templateSrv.replace`.
 */
export type MultiFormat = string | ((value: VariableValue, variable: InterpolationVariable) => string);

export interface InterpolationContext {
  /** Dashboard variables (their `current` is used) or plain descriptions. */
  variables?: readonly (Variable | InterpolationVariable)[];
  /** Built-ins (`__interval`, `__rate_interval`, `__range`, `__from`, `__dashboard`…), raw. */
  builtins?: Record<string, string | number>;
  /** Panel-repeat scoped values; they win over dashboard variables. */
  scoped?: Record<string, VariableValue | { value: VariableValue; text?: VariableValue }>;
}

/** The value Grafana stores when "All" is selected, and the text it shows. */
export const ALL_VALUE = '$__all';
export const ALL_TEXT = 'All';

/** Grafana's variable syntaxes: `$name`, `[[name(:fmt)]]`, `${name(.field)(:fmt)}`. */
const VARIABLE_PATTERN = /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^}]+))?(?::([^}]+))?\}/g;

function isFullVariable(v: Variable | InterpolationVariable): v is Variable {
  return 'current' in v && 'type' in v;
}

/** Turns a dashboard variable into what interpolation needs. */
export function toInterpolationVariable(v: Variable): InterpolationVariable {
  return {
    name: v.name,
    value: v.type === 'constant' && (v.current.value === '' || v.current.value === undefined) && typeof v.query === 'string' ? v.query : v.current.value,
    text: v.current.text,
    multi: v.multi,
    includeAll: v.includeAll,
    allValue: v.allValue,
    options: v.options.map((o) => o.value).filter((o) => o !== ALL_VALUE),
  };
}

function isAll(value: VariableValue): boolean {
  return value === ALL_VALUE || (Array.isArray(value) && value[0] === ALL_VALUE);
}

/** Escapes for a single-valued Prometheus variable inside a label value (classic rule). */
export function prometheusRegularEscape(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/'/g, "\\\\'");
}

/**
 * Escapes for a multi-value / All Prometheus variable inside a `=~"…"` regex: regex
 * metacharacters get a double backslash because the PromQL string literal eats one.
 */
export function prometheusSpecialRegexEscape(value: string): string {
  return value.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]+?.()|]/g, '\\\\$&');
}

/**
 * The Prometheus datasource's formatter: single-valued variables are escaped for a label
 * value; multi/All variables become `(a|b)` of regex-escaped values (one value: no parens).
 */
export function prometheusFormat(value: VariableValue, variable: InterpolationVariable): string {
  if (!variable.multi && !variable.includeAll) {
    return prometheusRegularEscape(Array.isArray(value) ? value.join(',') : value);
  }
  if (typeof value === 'string') return prometheusSpecialRegexEscape(value);
  const escaped = value.map(prometheusSpecialRegexEscape);
  return escaped.length === 1 ? escaped[0] : `(${escaped.join('|')})`;
}

/** RFC 3986 encoding: encodeURIComponent plus `!'()*`. */
function encodeStrict(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function luceneEscape(s: string): string {
  // Numbers (including negative ones) are left as they are.
  if (s.trim() !== '' && !Number.isNaN(Number(s))) return s;
  return s.replace(/([!*+\-=<>\s&|()[\]{}^~?:\\/"])/g, '\\$1');
}

const list = (v: VariableValue): string[] => (Array.isArray(v) ? v : [v]);

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** `${var:date:<arg>}`: the value as epoch ms, seconds, or ISO text (the default). */
function formatDate(value: VariableValue, arg: string | undefined): string {
  const ms = parseInt(list(value)[0] ?? '', 10);
  if (Number.isNaN(ms)) return list(value).join(',');
  if (arg === 'ms') return String(ms);
  if (arg === 'seconds') return String(Math.round(ms / 1000));
  return new Date(ms).toISOString();
}

/** A format's function: value, the variable, and the format's arguments (`date:seconds`). */
export type FormatFunction = (value: VariableValue, variable: InterpolationVariable, args: string[]) => string;

/** The named formats of `${var:format}`, one function each. */
export const FORMATS: Record<string, FormatFunction> = {
  regex: (v) => (typeof v === 'string' ? escapeRegex(v) : v.length === 1 ? escapeRegex(v[0]) : `(${v.map(escapeRegex).join('|')})`),
  pipe: (v) => list(v).join('|'),
  csv: (v) => list(v).join(','),
  json: (v) => JSON.stringify(v),
  glob: (v) => (Array.isArray(v) && v.length > 1 ? `{${v.join(',')}}` : list(v).join(',')),
  raw: (v) => list(v).join(','),
  text: (v, variable) => {
    const t = variable.text ?? v;
    return list(t).join(' + ');
  },
  queryparam: (v, variable) => list(v).map((x) => `var-${variable.name}=${encodeStrict(x)}`).join('&'),
  doublequote: (v) => list(v).map((x) => `"${x.replace(/"/g, '\\"')}"`).join(','),
  singlequote: (v) => list(v).map((x) => `'${x.replace(/'/g, "\\'")}'`).join(','),
  sqlstring: (v) => list(v).map((x) => `'${x.replace(/'/g, "''")}'`).join(','),
  lucene: (v) => {
    if (typeof v === 'string') return luceneEscape(v);
    if (v.length === 0) return '__empty__';
    return `(${v.map((x) => `"${luceneEscape(x)}"`).join(' OR ')})`;
  },
  percentencode: (v) => (Array.isArray(v) ? encodeStrict(`{${v.join(',')}}`) : encodeStrict(v)),
  html: (v) => escapeHtml(Array.isArray(v) ? v.join(', ') : v),
  date: (v, _variable, args) => formatDate(v, args[0]),
  distributed: (v, variable) => {
    const vals = list(v);
    return vals.map((x, i) => (i === 0 ? x : `${variable.name}=${x}`)).join(',');
  },
  prometheus: prometheusFormat,
};

function dashboardVariable(name: string, ctx: InterpolationContext): InterpolationVariable | null {
  for (const v of ctx.variables ?? []) {
    if (v.name !== name) continue;
    return isFullVariable(v) ? toInterpolationVariable(v) : v;
  }
  return null;
}

/**
 * The variable a name refers to. A scoped (repeat) value replaces the value but keeps the
 * dashboard variable's multi/All flags, so a repeated copy of a multi-value variable is still
 * regex-escaped for Prometheus, as in Grafana.
 */
function lookupVariable(name: string, ctx: InterpolationContext): InterpolationVariable | null {
  const base = dashboardVariable(name, ctx);
  const scoped = ctx.scoped?.[name];
  if (scoped === undefined) return base;
  const { value, text } = typeof scoped === 'string' || Array.isArray(scoped) ? { value: scoped, text: undefined } : scoped;
  return { ...(base ?? { name }), value, text: text ?? value };
}

function applyFormat(value: VariableValue, variable: InterpolationVariable, format: MultiFormat | undefined): string {
  if (typeof format === 'function') return format(value, variable);
  const [name = 'glob', ...args] = (format ?? 'glob').split(':');
  const fn = FORMATS[name] ?? FORMATS.glob;
  return fn(value, variable, args);
}

/**
 * Replaces variables in `text`. An explicit `${var:format}` / `[[var:format]]` wins over
 * `formatForMulti` (the datasource's default; Grafana's default is `glob`). `$__all` becomes
 * the variable's `allValue` verbatim (except for the `text`/`percentencode` formats) or all
 * option values. Unknown variables are left as written.
 */
export function interpolate(text: string, ctx: InterpolationContext, formatForMulti?: MultiFormat): string {
  if (!text || !text.includes('$') && !text.includes('[[')) return text;
  return text.replace(VARIABLE_PATTERN, (match, dollar?: string, bracket?: string, bracketFmt?: string, braced?: string, _field?: string, bracedFmt?: string) => {
    const name = dollar ?? bracket ?? braced ?? '';
    const format: MultiFormat | undefined = bracketFmt ?? bracedFmt ?? formatForMulti;
    const builtin = ctx.builtins?.[name];
    if (builtin !== undefined && ctx.scoped?.[name] === undefined) {
      // Built-ins go in raw unless a format is written out (`${__from:date:seconds}`).
      const explicit = bracketFmt ?? bracedFmt;
      return explicit ? applyFormat(String(builtin), { name, value: String(builtin) }, explicit) : String(builtin);
    }
    const variable = lookupVariable(name, ctx);
    if (!variable) return match;
    let value = variable.value;
    let textValue = variable.text;
    // An interval variable set to `auto` holds `$__auto_interval_<name>`; its value is a
    // built-in the caller computes from the time range (see autoIntervalBuiltins).
    if (typeof value === 'string' && value.startsWith('$__auto_interval_')) {
      const auto = ctx.builtins?.[value.slice(1)];
      if (auto !== undefined) value = String(auto);
    }
    if (isAll(value)) {
      textValue = ALL_TEXT;
      const explicit = bracketFmt ?? bracedFmt;
      if (variable.allValue) {
        if (explicit !== 'text' && explicit !== 'percentencode') return variable.allValue;
        value = variable.allValue;
      } else {
        value = variable.options ?? [];
      }
    }
    return applyFormat(value, { ...variable, text: textValue }, format);
  });
}

/** The variable names a text refers to (built-ins included), in order of first use. */
export function referencedVariables(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(VARIABLE_PATTERN)) {
    const name = m[1] ?? m[2] ?? m[4];
    if (name && !out.includes(name)) out.push(name);
  }
  return out;
}
