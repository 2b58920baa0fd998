// Stand-ins for the model's variable helpers (interpolation, query-variable requests, regex
// and sort of options) until branch `model` provides them.

/** A variable's value in one scope: what `$name` expands to. */
export interface ScopedValue {
  /** Selected value(s); `$__all` when All is selected. */
  value: string | string[];
  text?: string | string[];
  /** Every option's value, for expanding All without an allValue. */
  all?: string[];
  allValue?: string | null;
  /** Multi/All values are regex-escaped and joined as `(a|b)` in queries. */
  multiOrAll?: boolean;
}
export type VarScope = Record<string, ScopedValue>;

const REGEX_SPECIAL = /[\\^$*+?.()|[\]{}]/g;
function promRegexEscape(v: string): string {
  return v.replace(REGEX_SPECIAL, '\\\\$&');
}

function selected(v: ScopedValue): { values: string[]; isAll: boolean } {
  const raw = Array.isArray(v.value) ? v.value : [v.value];
  const isAll = raw.includes('$__all');
  return { values: isAll ? v.all ?? [] : raw, isAll };
}

function formatValue(v: ScopedValue, fmt: string | undefined): string {
  const { values, isAll } = selected(v);
  if (isAll && v.allValue && !fmt) return v.allValue;
  switch (fmt) {
    case 'raw':
      return values.join(',');
    case 'csv':
      return values.join(',');
    case 'pipe':
      return values.join('|');
    case 'json':
      return JSON.stringify(values.length === 1 ? values[0] : values);
    case 'text': {
      const t = v.text ?? v.value;
      return Array.isArray(t) ? t.join(' + ') : t;
    }
    case 'regex':
      return values.length === 1 ? promRegexEscape(values[0]) : `(${values.map(promRegexEscape).join('|')})`;
    case 'glob':
      return values.length === 1 ? values[0] : `{${values.join(',')}}`;
    case 'queryparam':
      return values.map((x) => `var-${encodeURIComponent(x)}`).join('&');
    case 'singlequote':
      return values.map((x) => `'${x}'`).join(',');
    case 'doublequote':
      return values.map((x) => `"${x}"`).join(',');
  }
  if (!v.multiOrAll && !isAll) return values.join(',');
  if (values.length === 1) return promRegexEscape(values[0]);
  return `(${values.map(promRegexEscape).join('|')})`;
}

/** Expands `$name`, `${name}`, `${name:format}` and `[[name]]` from the scope; unknown names stay. */
export function interpolate(text: string, scope: VarScope, format?: string): string {
  return text.replace(/\$(\w+)|\$\{(\w+)(?::(\w+))?\}|\[\[(\w+)(?::(\w+))?\]\]/g, (m, a, b, bf, c, cf) => {
    const name = a ?? b ?? c;
    const v = scope[name];
    if (!v) return m;
    return formatValue(v, bf ?? cf ?? format);
  });
}

/** The API request a query variable's query describes. */
export type VariableRequest =
  | { kind: 'labelValues'; label: string; match?: string }
  | { kind: 'labelNames'; match?: string }
  | { kind: 'metrics'; regex: string }
  | { kind: 'queryResult'; expr: string };

/** Parses Grafana's Prometheus variable query language (`label_values(m, job)` and friends). */
export function variableRequest(query: string): VariableRequest | null {
  const q = query.trim();
  let m = /^label_values\((?:(.+),\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\)\s*$/s.exec(q);
  if (m) return { kind: 'labelValues', label: m[2], match: m[1]?.trim() || undefined };
  m = /^label_names\((.*)\)\s*$/s.exec(q);
  if (m) return { kind: 'labelNames', match: m[1].trim() || undefined };
  m = /^metrics\((.*)\)\s*$/s.exec(q);
  if (m) return { kind: 'metrics', regex: m[1].trim() };
  m = /^query_result\((.+)\)\s*$/s.exec(q);
  if (m) return { kind: 'queryResult', expr: m[1] };
  return q ? { kind: 'queryResult', expr: q } : null;
}

/** Applies a variable's `regex` (`/re/flags`): keeps matches; group 1 or `value`/`text` groups pick the parts. */
export function applyVariableRegex(values: string[], regex: string): { text: string; value: string }[] {
  const out: { text: string; value: string }[] = [];
  let re: RegExp | null = null;
  if (regex) {
    const m = /^\/(.*)\/([gimsuy]*)$/s.exec(regex);
    try {
      re = m ? new RegExp(m[1], m[2].replace('g', '')) : new RegExp(regex);
    } catch {
      re = null;
    }
  }
  const seen = new Set<string>();
  for (const v of values) {
    let value = v;
    let text = v;
    if (re) {
      const m = re.exec(v);
      if (!m) continue;
      if (m.groups?.value || m.groups?.text) {
        value = m.groups.value ?? m.groups.text;
        text = m.groups.text ?? value;
      } else if (m[1] !== undefined) {
        value = text = m[1];
      }
    }
    if (seen.has(value)) continue;
    seen.add(value);
    out.push({ text, value });
  }
  return out;
}

/** Grafana's variable `sort`: 1/2 alphabetical, 3/4 numerical, 5/6 case-insensitive; odd ascending. */
export function sortOptions<T extends { text: string }>(opts: T[], sort: number): T[] {
  if (!sort) return opts;
  const num = (s: string) => {
    const m = /-?\d+(\.\d+)?/.exec(s);
    return m ? parseFloat(m[0]) : -Infinity;
  };
  const cmp =
    sort === 3 || sort === 4
      ? (a: T, b: T) => num(a.text) - num(b.text)
      : sort === 5 || sort === 6
        ? (a: T, b: T) => a.text.toLowerCase().localeCompare(b.text.toLowerCase())
        : (a: T, b: T) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0);
  const sorted = [...opts].sort(cmp);
  return sort % 2 === 0 ? sorted.reverse() : sorted;
}

/** Labels of a series rendered with `{{label}}` placeholders (Prometheus legendFormat). */
export function renderLegend(format: string, labels: Record<string, string>): string {
  return format.replace(/\{\{\s*(.+?)\s*\}\}/g, (_m, name: string) => labels[name] ?? '');
}
