// The angular table (`table-old`, or a `table` still carrying `styles`) as the React table:
// column styles become field overrides, the catch-all `/.*/` style the defaults, and the
// old `transform` a transformation — following Grafana's table migration.

import { arr, isObject, num, obj, optStr, str, type Json } from './json';
import { aliasMatcher } from './graph';
import type { FieldConfig, FieldConfigSource, Override, OverrideProperty, ThresholdStep } from './types';

const TRANSFORMS: Record<string, string> = {
  timeseries_to_rows: 'seriesToRows',
  timeseries_to_columns: 'seriesToColumns',
  timeseries_aggregations: 'reduce',
  table: 'merge',
};

const COLUMN_CALCS: Record<string, string> = { avg: 'mean', min: 'min', max: 'max', total: 'sum', current: 'lastNotNull', count: 'count' };

const COLOR_MODES: Record<string, string> = { cell: 'color-background', row: 'color-background', value: 'color-text' };

export interface TableMigration {
  fieldConfig: FieldConfigSource;
  options: Record<string, unknown>;
  transformations: { id: string; options: Record<string, unknown> }[];
}

/** True for a table panel still in the angular format. */
export function isAngularTable(panel: Json): boolean {
  return panel.type === 'table-old' || (panel.type === 'table' && Array.isArray(panel.styles));
}

function steps(thresholds: unknown, colors: unknown): ThresholdStep[] | null {
  const levels = arr(thresholds).map((t) => num(t)).filter((n): n is number => n !== undefined);
  if (!levels.length) return null;
  const palette = arr(colors).map((c) => str(c));
  return [null, ...levels].map((value, i) => ({ value, color: palette[i] || 'transparent' }));
}

function styleProperties(style: Json): OverrideProperty[] {
  const props: OverrideProperty[] = [];
  const alias = optStr(style.alias);
  if (alias) props.push({ id: 'displayName', value: alias });
  const unit = optStr(style.unit);
  if (unit && style.type !== 'date') props.push({ id: 'unit', value: unit });
  const decimals = num(style.decimals);
  if (decimals !== undefined) props.push({ id: 'decimals', value: decimals });
  if (style.type === 'date') props.push({ id: 'unit', value: `time:${str(style.dateFormat, 'YYYY-MM-DD HH:mm:ss')}` });
  if (style.type === 'hidden') props.push({ id: 'custom.hidden', value: true });
  if (style.link === true) props.push({ id: 'links', value: [{ title: str(style.linkTooltip), url: str(style.linkUrl), targetBlank: style.linkTargetBlank === true }] });
  const mode = COLOR_MODES[str(style.colorMode)];
  if (mode) props.push({ id: 'custom.displayMode', value: mode });
  const align = optStr(style.align);
  if (align && align !== 'auto') props.push({ id: 'custom.align', value: align });
  const st = steps(style.thresholds, style.colors);
  if (st) props.push({ id: 'thresholds', value: { mode: 'absolute', steps: st } });
  return props;
}

/** Migrates an angular table's styles, transform and sort. */
export function migrateAngularTable(panel: Json, existing: FieldConfigSource): TableMigration {
  const styles = arr(panel.styles).filter(isObject);
  const catchAll = styles.find((s) => s.pattern === '/.*/');
  const defaults: FieldConfig = { ...existing.defaults };
  if (catchAll) {
    for (const p of styleProperties(catchAll)) {
      if (p.id.startsWith('custom.')) defaults.custom = { ...(defaults.custom ?? {}), [p.id.slice(7)]: p.value };
      else (defaults as Record<string, unknown>)[p.id] = p.value;
    }
  }
  const overrides: Override[] = [...existing.overrides];
  for (const s of styles) {
    if (s === catchAll || typeof s.pattern !== 'string' || s.pattern === '') continue;
    const properties = styleProperties(s);
    if (properties.length) overrides.push({ matcher: aliasMatcher(s.pattern), properties });
  }
  const transformations: TableMigration['transformations'] = [];
  const transform = TRANSFORMS[str(panel.transform)];
  if (transform) {
    const options: Record<string, unknown> = { reducers: [] };
    if (panel.transform === 'timeseries_aggregations') {
      options.includeTimeField = false;
      options.reducers = arr(panel.columns).map((c) => COLUMN_CALCS[str(obj(c).value)]).filter(Boolean);
    }
    transformations.push({ id: transform, options });
  }
  const options: Record<string, unknown> = { showHeader: true };
  const sort = obj(panel.sort);
  const columns = arr(panel.columns);
  const col = num(sort.col);
  if (col !== undefined && isObject(columns[col]) && typeof columns[col].text === 'string') {
    options.sortBy = [{ displayName: columns[col].text, desc: sort.desc === true }];
  }
  return { fieldConfig: { defaults, overrides }, options, transformations };
}
