// Series names: how a Prometheus series is called in legends and tooltips, from its labels
// and the query's legendFormat, the way Grafana names it.

/** Labels of one series, `__name__` included when the query kept it. */
export type Labels = Record<string, string>;

/**
 * Renders `{{label}}` / `{{ label }}` placeholders from the series' labels; a label the
 * series lacks renders as nothing, as in Grafana.
 */
export function renderLegendFormat(format: string, labels: Labels): string {
  return format.replace(/\{\{\s*(.+?)\s*\}\}/g, (_, name: string) => labels[name] ?? '');
}

/**
 * `metric{a="1", b="2"}` — Grafana's default name of a series without legendFormat: labels
 * sorted by name; a series with neither name nor labels is `{}`.
 */
export function defaultSeriesName(labels: Labels): string {
  const name = labels.__name__ ?? '';
  const rest = Object.keys(labels)
    .filter((k) => k !== '__name__')
    .sort()
    .map((k) => `${k}="${labels[k]}"`);
  if (rest.length === 0) return name || '{}';
  return `${name}{${rest.join(', ')}}`;
}

/**
 * The name a series is shown under: the rendered legendFormat when one is set (and not the
 * `__auto` marker), otherwise the default `metric{labels}` form; a bare `{}` (an aggregate
 * without labels) is named by the query `expr` when given, as Grafana does.
 */
export function seriesName(labels: Labels, legendFormat?: string, expr?: string): string {
  if (legendFormat && legendFormat !== '__auto') {
    const rendered = renderLegendFormat(legendFormat, labels);
    if (rendered !== '') return rendered;
  }
  const name = defaultSeriesName(labels);
  return name === '{}' && expr ? expr : name;
}

/**
 * Renders a field `displayName` with Grafana's field macros: `${__field.labels.X}`,
 * `${__field.labels}` (all labels as `a="1", b="2"`), `${__field.name}` and
 * `${__series.name}` (the series name). Anything else is left for `interpolate`.
 */
export function renderDisplayName(template: string, labels: Labels, series: string): string {
  return template.replace(/\$\{__(field|series)\.([^}]+)\}/g, (match, scope: string, path: string) => {
    if (scope === 'series') return path === 'name' ? series : match;
    if (path === 'name' || path === 'displayName') return series;
    if (path === 'labels') {
      return Object.keys(labels)
        .filter((k) => k !== '__name__')
        .sort()
        .map((k) => `${k}="${labels[k]}"`)
        .join(', ');
    }
    if (path.startsWith('labels.')) return labels[path.slice('labels.'.length)] ?? '';
    return match;
  });
}

/**
 * The name shown for a series after overrides: the resolved config's `displayName` (field
 * macros rendered) when set, else the series name. Override matchers must see the series
 * name from before this step, as in Grafana.
 */
export function displayNameFor(config: { displayName?: string }, series: string, labels: Labels): string {
  return config.displayName ? renderDisplayName(config.displayName, labels, series) : series;
}
