// Stand-in for the model's `normalizeDashboard` until branch `model` provides it: turns any
// Grafana dashboard JSON (rows[] era, graph/singlestat panels, panels without gridPos) into the
// one shape the renderers read. Deliberately small: the model owns the faithful migrations.
import type { Dashboard, FieldConfigSource, GridPos, Override, Panel, Target, Thresholds, ValueMapping, Variable } from './types';

type Raw = Record<string, any>;

const GRID_COLUMNS = 24;
const CELL_PX = 30;

/** Every dashboard JSON, old or new, as the normalised model. */
export function normalizeDashboard(raw: Raw): Dashboard {
  const panels = Array.isArray(raw.panels) && raw.panels.length ? raw.panels.map(normalizePanel) : Array.isArray(raw.rows) ? rowsToPanels(raw.rows) : [];
  autoLayout(panels);
  return {
    uid: String(raw.uid ?? ''),
    title: String(raw.title ?? 'Untitled'),
    description: raw.description,
    tags: Array.isArray(raw.tags) ? raw.tags.map(String) : [],
    time: { from: raw.time?.from ?? 'now-6h', to: raw.time?.to ?? 'now' },
    refresh: typeof raw.refresh === 'string' ? raw.refresh : '',
    timezone: typeof raw.timezone === 'string' ? raw.timezone : '',
    templating: { list: (raw.templating?.list ?? []).map(normalizeVariable) },
    panels,
    schemaVersion: Number(raw.schemaVersion ?? 0),
    graphTooltip: Number(raw.graphTooltip ?? 0),
    editable: raw.editable !== false,
    links: raw.links ?? [],
  };
}

function normalizeVariable(v: Raw): Variable {
  return {
    name: String(v.name ?? ''),
    type: String(v.type ?? 'query'),
    label: v.label ?? undefined,
    hide: Number(v.hide ?? 0),
    query: v.query ?? '',
    definition: v.definition,
    regex: v.regex ?? '',
    sort: Number(v.sort ?? 0),
    multi: !!v.multi,
    includeAll: !!v.includeAll,
    allValue: v.allValue ?? null,
    current: v.current && v.current.value !== undefined ? v.current : { text: '', value: '' },
    options: Array.isArray(v.options) ? v.options : [],
    refresh: Number(v.refresh ?? 0),
    auto: v.auto,
    auto_count: v.auto_count,
    auto_min: v.auto_min,
  };
}

/** Panels lacking a gridPos are packed left to right in rows, like Grafana's import does. */
function autoLayout(panels: Panel[]): void {
  let x = 0;
  let y = 0;
  let lineBottom = 0;
  for (const p of panels) {
    if ((p as any)._placed !== false) {
      delete (p as any)._placed;
      y = Math.max(y, p.gridPos.y);
      lineBottom = Math.max(lineBottom, p.gridPos.y + p.gridPos.h);
      x = p.gridPos.x + p.gridPos.w;
      continue;
    }
    delete (p as any)._placed;
    const { w, h } = p.gridPos;
    if (x + w > GRID_COLUMNS) {
      x = 0;
      y = lineBottom;
    }
    p.gridPos = { x, y, w, h };
    x += w;
    lineBottom = Math.max(lineBottom, y + h);
  }
}

function rowsToPanels(rows: Raw[]): Panel[] {
  const out: Panel[] = [];
  let y = 0;
  let nextId = 1000;
  const showRows = rows.length > 1 || rows.some((r) => r.showTitle);
  for (const row of rows) {
    const height = typeof row.height === 'string' ? parseInt(row.height, 10) : Number(row.height ?? 250);
    const h = Math.max(1, Math.ceil((height || 250) / CELL_PX));
    const children: Panel[] = [];
    let x = 0;
    let rowY = showRows ? y + 1 : y;
    let bottom = rowY;
    for (const rp of row.panels ?? []) {
      const w = Math.max(1, Math.round((Number(rp.span ?? 12) || 12) * 2));
      if (x + w > GRID_COLUMNS) {
        x = 0;
        rowY = bottom;
      }
      const p = normalizePanel({ ...rp, gridPos: { x, y: rowY, w, h } });
      children.push(p);
      x += w;
      bottom = Math.max(bottom, rowY + h);
    }
    if (showRows) {
      const collapsed = !!row.collapse;
      out.push({ ...basePanel({ id: nextId++, type: 'row', title: row.title ?? '' }), gridPos: { x: 0, y, w: GRID_COLUMNS, h: 1 }, collapsed, panels: collapsed ? children : [], repeat: row.repeat ?? undefined });
      if (!collapsed) out.push(...children);
      y = collapsed ? y + 1 : bottom;
    } else {
      out.push(...children);
      y = bottom;
    }
  }
  return out;
}

function basePanel(p: Raw): Panel {
  return {
    id: Number(p.id ?? 0),
    type: String(p.type ?? 'graph'),
    title: String(p.title ?? ''),
    gridPos: { x: 0, y: 0, w: 12, h: 8 },
    targets: [],
    fieldConfig: { defaults: {}, overrides: [] },
    options: {},
    links: [],
  };
}

function normalizeTargets(ts: Raw[] | undefined): Target[] {
  return (ts ?? []).map((t, i) => ({
    ...t,
    refId: t.refId ?? String.fromCharCode(65 + i),
    expr: String(t.expr ?? ''),
  })) as Target[];
}

export function normalizePanel(raw: Raw): Panel {
  const gp = raw.gridPos as GridPos | undefined;
  const placed = !!gp && typeof gp.w === 'number' && typeof gp.h === 'number';
  const type = String(raw.type ?? 'graph');
  const defaultSize = type === 'stat' || type === 'singlestat' || type === 'gauge' ? { w: 6, h: 4 } : type === 'text' ? { w: 24, h: 3 } : { w: 12, h: 8 };
  const p: Panel = {
    ...basePanel(raw),
    gridPos: placed ? { x: gp!.x ?? 0, y: gp!.y ?? 0, w: gp!.w, h: gp!.h } : { x: 0, y: 0, ...defaultSize },
    targets: normalizeTargets(raw.targets),
    fieldConfig: { defaults: { ...(raw.fieldConfig?.defaults ?? {}) }, overrides: [...(raw.fieldConfig?.overrides ?? [])] },
    options: { ...(raw.options ?? {}) },
    collapsed: raw.collapsed,
    panels: Array.isArray(raw.panels) ? raw.panels.map(normalizePanel) : undefined,
    repeat: raw.repeat || undefined,
    repeatDirection: raw.repeatDirection,
    maxPerRow: raw.maxPerRow,
    interval: raw.interval || undefined,
    maxDataPoints: raw.maxDataPoints ?? undefined,
    description: raw.description,
    transparent: raw.transparent,
    links: raw.links ?? [],
    legacy: { transformations: raw.transformations ?? [] },
  };
  (p as any)._placed = placed;
  if (type === 'text') p.options = { mode: raw.mode ?? 'markdown', content: raw.content ?? '', ...p.options };
  if (type === 'graph') migrateGraph(raw, p);
  if (type === 'singlestat' || type === 'grafana-singlestat-panel') migrateSinglestat(raw, p);
  if (type === 'table-old') p.type = 'table';
  return p;
}

function migrateGraph(raw: Raw, p: Panel): void {
  p.type = 'timeseries';
  const y = raw.yaxes?.[0] ?? {};
  const fc: FieldConfigSource = p.fieldConfig;
  const num = (v: unknown) => (v === null || v === undefined || v === '' ? undefined : Number(v));
  fc.defaults.unit = fc.defaults.unit ?? y.format;
  fc.defaults.min = fc.defaults.min ?? num(y.min);
  fc.defaults.max = fc.defaults.max ?? num(y.max);
  if (raw.decimals !== null && raw.decimals !== undefined) fc.defaults.decimals = Number(raw.decimals);
  fc.defaults.custom = {
    drawStyle: raw.bars ? 'bars' : raw.lines === false && raw.points ? 'points' : 'line',
    fillOpacity: raw.fill !== undefined ? Number(raw.fill) * 10 : 10,
    lineWidth: raw.linewidth ?? 1,
    showPoints: raw.points ? 'always' : 'never',
    stacking: { mode: raw.stack ? (raw.percentage ? 'percent' : 'normal') : 'none' },
    ...(y.logBase && y.logBase !== 1 ? { scaleDistribution: { type: 'log', log: y.logBase } } : {}),
    ...(fc.defaults.custom ?? {}),
  };
  const legend = raw.legend ?? {};
  const calcs: string[] = [];
  if (legend.values || legend.alignAsTable) {
    if (legend.min) calcs.push('min');
    if (legend.max) calcs.push('max');
    if (legend.avg) calcs.push('mean');
    if (legend.current) calcs.push('lastNotNull');
    if (legend.total) calcs.push('sum');
  }
  p.options = { legend: { showLegend: legend.show !== false, displayMode: legend.show === false ? 'hidden' : legend.alignAsTable ? 'table' : 'list', calcs } };
  const overrides: Override[] = [];
  for (const [alias, color] of Object.entries(raw.aliasColors ?? {})) overrides.push({ matcher: { id: 'byName', options: alias }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: color } }] });
  for (const so of raw.seriesOverrides ?? []) {
    if (!so.alias) continue;
    const props: { id: string; value?: unknown }[] = [];
    if (so.color) props.push({ id: 'color', value: { mode: 'fixed', fixedColor: so.color } });
    if (so.transform === 'negative-Y') props.push({ id: 'custom.transform', value: 'negative-Y' });
    if (so.yaxis === 2) props.push({ id: 'custom.axisPlacement', value: 'right' });
    if (so.fill !== undefined) props.push({ id: 'custom.fillOpacity', value: so.fill * 10 });
    if (so.linewidth !== undefined) props.push({ id: 'custom.lineWidth', value: so.linewidth });
    if (so.stack === false) props.push({ id: 'custom.stacking', value: { mode: 'none' } });
    if (so.dashes) props.push({ id: 'custom.lineStyle', value: { fill: 'dash' } });
    if (props.length) {
      const re = /^\/.*\/[gimsuy]*$/.test(so.alias);
      overrides.push({ matcher: { id: re ? 'byRegexp' : 'byName', options: so.alias }, properties: props });
    }
  }
  p.fieldConfig.overrides = [...overrides, ...p.fieldConfig.overrides];
}

const VALUE_NAME: Record<string, string> = { avg: 'mean', current: 'lastNotNull', max: 'max', min: 'min', total: 'sum', first: 'firstNotNull', delta: 'delta', range: 'range', diff: 'diff' };

function migrateSinglestat(raw: Raw, p: Panel): void {
  p.type = raw.gauge?.show ? 'gauge' : 'stat';
  const d = p.fieldConfig.defaults;
  d.unit = raw.format ?? d.unit;
  if (raw.decimals !== null && raw.decimals !== undefined) d.decimals = Number(raw.decimals);
  const colors: string[] = raw.colors ?? ['green', 'orange', 'red'];
  const levels = String(raw.thresholds ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const thresholds: Thresholds = { mode: 'absolute', steps: [{ value: null, color: colors[0] ?? 'green' }, ...levels.map((v, i) => ({ value: v, color: colors[i + 1] ?? 'red' }))] };
  d.thresholds = thresholds;
  if (raw.gauge?.show) {
    d.min = raw.gauge.minValue ?? 0;
    d.max = raw.gauge.maxValue ?? 100;
  }
  const mappings: ValueMapping[] = [];
  for (const m of raw.valueMaps ?? []) {
    if (m.value === 'null') mappings.push({ type: 'special', options: { match: 'null', result: { text: m.text } } });
    else mappings.push({ type: 'value', options: { [String(m.value)]: { text: m.text } } });
  }
  d.mappings = mappings;
  const colorMode = raw.colorBackground ? 'background' : raw.colorValue ? 'value' : 'none';
  p.options = {
    reduceOptions: { calcs: [VALUE_NAME[raw.valueName ?? 'avg'] ?? 'mean'], values: false, fields: '' },
    colorMode,
    graphMode: raw.sparkline?.show ? 'area' : 'none',
    textMode: 'auto',
    orientation: 'auto',
    showThresholdMarkers: true,
  };
}
