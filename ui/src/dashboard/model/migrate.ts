// Dashboard normalisation: any Grafana dashboard JSON (bare or wrapped in `{dashboard}`,
// any schema version, odd or missing fields) becomes one `Dashboard` shape with every panel
// on the grid, legacy panel types migrated and targets/variables filled in, plus warnings
// for what could not be carried over. It never throws.

import { applyPanelDefaults } from './defaults';
import { migrateGraph } from './graph';
import { arr, bool, isObject, num, obj, optStr, str, type Json } from './json';
import { normalizeMappings, normalizeThresholds } from './legacy';
import { AutoPlacer, DEFAULT_PANEL_SPAN, GRID_COLUMNS, RowPlacer, defaultSize, pixelsToGridHeight } from './layout';
import { migrateOldPiechart } from './piechart';
import { migrateSinglestat } from './singlestat';
import { isAngularTable, migrateAngularTable } from './table';
import { modernizePanelOptions } from './modernize';
import type { Dashboard, FieldConfig, FieldConfigSource, GridPos, Override, Panel, PanelLink, Target, Variable, VariableCurrent, VariableOption } from './types';

export interface NormalizeResult {
  dashboard: Dashboard;
  warnings: string[];
}

/** Panel types renamed by Grafana (plugins that became core panels). */
const RENAMED_TYPES: Record<string, string> = {
  'grafana-piechart-panel': 'piechart',
  'table-old': 'table',
  'grafana-clock-panel': 'text',
};

const VARIABLE_TYPES = new Set(['query', 'custom', 'interval', 'constant', 'textbox', 'datasource']);

/**
 * Panel ids: ids present in the input are reserved first so they are kept, and panels
 * without one (or with a duplicate) get the lowest id nobody uses.
 */
class Ids {
  private used = new Set<number>();
  private reserved = new Set<number>();
  private next = 1;
  reserve(id: unknown): void {
    const n = num(id);
    if (n !== undefined && Number.isInteger(n) && n > 0) this.reserved.add(n);
  }
  /** Keeps a panel's id when it is a positive integer not yet taken, else gives a new one. */
  claim(id: unknown): number {
    const n = num(id);
    if (n !== undefined && Number.isInteger(n) && n > 0 && !this.used.has(n)) {
      this.used.add(n);
      return n;
    }
    return this.fresh();
  }
  fresh(): number {
    while (this.used.has(this.next) || this.reserved.has(this.next)) this.next++;
    this.used.add(this.next);
    return this.next;
  }
}

function refIdName(i: number): string {
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}

/**
 * Targets with a refId each (A, B, … skipping ones already used), the expression kept
 * verbatim (even when it is not valid PromQL), and the known optional fields typed.
 */
export function normalizeTargets(input: unknown): Target[] {
  const raw = arr(input).filter(isObject);
  const used = new Set(raw.map((t) => optStr(t.refId)).filter((r): r is string => !!r));
  let counter = 0;
  const seen = new Set<string>();
  return raw.map((t) => {
    let refId = optStr(t.refId);
    if (!refId || seen.has(refId)) {
      do refId = refIdName(counter++);
      while (used.has(refId) || seen.has(refId));
    }
    seen.add(refId);
    const target: Target = { refId, expr: typeof t.expr === 'string' ? t.expr : str(t.expr) };
    const legend = optStr(t.legendFormat);
    if (legend !== undefined) target.legendFormat = legend;
    if (typeof t.instant === 'boolean') target.instant = t.instant;
    if (typeof t.range === 'boolean') target.range = t.range;
    const format = optStr(t.format);
    if (format) target.format = format;
    const interval = optStr(t.interval);
    if (interval) target.interval = interval;
    const factor = num(t.intervalFactor);
    if (factor !== undefined && factor > 0) target.intervalFactor = factor;
    if (t.hide === true) target.hide = true;
    if (typeof t.exemplar === 'boolean') target.exemplar = t.exemplar;
    if (t.datasource !== undefined && t.datasource !== null) target.datasource = t.datasource as Target['datasource'];
    return target;
  });
}

function normalizeFieldConfig(input: unknown): FieldConfigSource {
  const fc = obj(input);
  const d = obj(fc.defaults);
  const defaults: FieldConfig = {};
  for (const [k, v] of Object.entries(d)) {
    if (v === null || v === undefined) continue;
    switch (k) {
      case 'thresholds': {
        const t = normalizeThresholds(v);
        if (t) defaults.thresholds = t;
        break;
      }
      case 'mappings':
        defaults.mappings = normalizeMappings(v);
        break;
      case 'min':
      case 'max':
      case 'decimals': {
        const n = num(v);
        if (n !== undefined) defaults[k] = n;
        break;
      }
      case 'custom':
        defaults.custom = { ...obj(v) };
        break;
      case 'color':
        if (isObject(v)) defaults.color = { ...(v as Json), mode: str(v.mode, 'thresholds') };
        break;
      default:
        (defaults as Record<string, unknown>)[k] = v;
    }
  }
  const overrides: Override[] = arr(fc.overrides)
    .filter(isObject)
    .map((o) => ({
      matcher: { id: str(obj(o.matcher).id), options: obj(o.matcher).options },
      properties: arr(o.properties)
        .filter(isObject)
        .map((p) => {
          const id = str(p.id);
          if (id === 'thresholds') return { id, value: normalizeThresholds(p.value) };
          if (id === 'mappings') return { id, value: normalizeMappings(p.value) };
          return { id, value: p.value };
        }),
    }))
    .filter((o) => o.matcher.id !== '');
  return { defaults, overrides };
}

/** Grafana 6's `options.fieldOptions` (stat, gauge, bar gauge) moved into `fieldConfig`. */
function liftFieldOptions(p: Json): void {
  const options = obj(p.options);
  const fo = options.fieldOptions;
  if (!isObject(fo)) return;
  const defaults = { ...obj(fo.defaults) };
  if (Array.isArray(fo.thresholds) && defaults.thresholds === undefined) defaults.thresholds = fo.thresholds;
  if (Array.isArray(fo.mappings) && defaults.mappings === undefined) defaults.mappings = fo.mappings;
  const existing = obj(p.fieldConfig);
  p.fieldConfig = { defaults: { ...defaults, ...obj(existing.defaults) }, overrides: arr(fo.overrides ?? existing.overrides) };
  const rest = { ...options };
  delete rest.fieldOptions;
  rest.reduceOptions = { calcs: arr(fo.calcs).length ? fo.calcs : ['lastNotNull'], values: fo.values === true, fields: str(fo.fields), ...(num(fo.limit) !== undefined ? { limit: num(fo.limit) } : {}) };
  p.options = rest;
}

const SINGLE_STAT_TYPES = new Set(['stat', 'gauge', 'bargauge']);

/** True when a panel was saved by a plugin older than `major` (no version counts as 6.1). */
function pluginVersionBelow(version: unknown, major: number): boolean {
  const v = parseFloat(typeof version === 'string' && version ? version : '6.1');
  return Number.isNaN(v) || v < major;
}

/**
 * Before Grafana 8, stat/gauge/bar gauge percent units implied a 0–100 (or 0–1) range; on
 * load Grafana writes that range in when min/max are unset. Done here for the same result.
 */
function percentRange(d: FieldConfig): void {
  if (d.unit === 'percent') {
    d.min ??= 0;
    d.max ??= 100;
  } else if (d.unit === 'percentunit') {
    d.min ??= 0;
    d.max ??= 1;
  }
}

function gridPosOf(v: unknown): GridPos | null {
  if (!isObject(v)) return null;
  const x = num(v.x);
  const y = num(v.y);
  const w = num(v.w);
  const h = num(v.h);
  if (x === undefined || y === undefined || w === undefined || h === undefined) return null;
  const width = Math.min(GRID_COLUMNS, Math.max(1, Math.round(w)));
  return { x: Math.min(GRID_COLUMNS - width, Math.max(0, Math.round(x))), y: Math.max(0, Math.round(y)), w: width, h: Math.max(1, Math.round(h)) };
}

function links(v: unknown): PanelLink[] {
  return arr(v)
    .filter(isObject)
    .map((l) => ({ title: optStr(l.title), url: optStr(l.url), targetBlank: l.targetBlank === true ? true : undefined }));
}

/** Migrates and types one panel; `gridPos` is filled in later when missing. */
function normalizePanel(input: Json, ids: Ids, warnings: string[]): Panel & { hasGridPos: boolean } {
  const p: Json = { ...input };
  let type = str(p.type, 'graph');
  type = RENAMED_TYPES[type] ?? type;
  liftFieldOptions(p);

  let fieldConfig = normalizeFieldConfig(p.fieldConfig);
  let options: Record<string, unknown> = { ...obj(p.options) };
  let legacy: Record<string, unknown> | undefined;

  const rawType = str(p.type);
  let migratedTransformations: { id: string; options: Record<string, unknown> }[] = [];
  if (isAngularTable(p)) {
    const m = migrateAngularTable(p, fieldConfig);
    fieldConfig = m.fieldConfig;
    options = { ...m.options, ...options };
    migratedTransformations = m.transformations;
  } else if (rawType === 'grafana-piechart-panel') {
    const m = migrateOldPiechart(p, fieldConfig);
    fieldConfig = m.fieldConfig;
    options = { ...m.options, ...options };
  } else if (type === 'graph') {
    const m = migrateGraph(p, fieldConfig);
    type = m.type;
    fieldConfig = m.fieldConfig;
    options = { ...m.options, ...options };
    if (Object.keys(m.legacy).length) legacy = m.legacy;
    warnings.push(...m.warnings);
  } else if (type === 'singlestat' || type === 'grafana-singlestat-panel') {
    const m = migrateSinglestat(p);
    type = m.type;
    fieldConfig = { defaults: { ...m.fieldConfig.defaults, ...fieldConfig.defaults }, overrides: fieldConfig.overrides };
    options = { ...m.options, ...options };
    if (Object.keys(m.legacy).length) legacy = m.legacy;
    warnings.push(...m.warnings);
  }

  // Only panels saved as stat/gauge/bar gauge by an old Grafana; migrated singlestats are new.
  if (SINGLE_STAT_TYPES.has(rawType) && pluginVersionBelow(p.pluginVersion, 8)) percentRange(fieldConfig.defaults);

  const gp = gridPosOf(p.gridPos);
  const panel: Panel & { hasGridPos: boolean } = {
    id: ids.claim(p.id),
    type,
    title: str(p.title),
    gridPos: gp ?? { x: 0, y: 0, ...defaultSize(type) },
    hasGridPos: gp !== null,
    targets: normalizeTargets(p.targets),
    fieldConfig,
    options,
    links: links(p.links),
  };
  if (type === 'row') {
    panel.collapsed = p.collapsed === true;
    panel.panels = [];
  }
  const repeat = optStr(p.repeat);
  if (repeat) {
    panel.repeat = repeat;
    panel.repeatDirection = p.repeatDirection === 'v' ? 'v' : 'h';
    const maxPerRow = num(p.maxPerRow);
    if (maxPerRow !== undefined) panel.maxPerRow = maxPerRow;
  }
  const interval = optStr(p.interval);
  if (interval) panel.interval = interval;
  const mdp = num(p.maxDataPoints);
  if (mdp !== undefined && mdp > 0) panel.maxDataPoints = mdp;
  if (p.datasource !== undefined && p.datasource !== null) panel.datasource = p.datasource as Panel['datasource'];
  const description = optStr(p.description);
  if (description) panel.description = description;
  if (p.transparent === true) panel.transparent = true;
  const timeFrom = optStr(p.timeFrom);
  if (timeFrom) panel.timeFrom = timeFrom;
  const timeShift = optStr(p.timeShift);
  if (timeShift) panel.timeShift = timeShift;
  if (p.hideTimeOverride === true) panel.hideTimeOverride = true;
  const transformations = [...migratedTransformations, ...arr(p.transformations)]
    .filter(isObject)
    .filter((t) => typeof t.id === 'string' && t.id !== '')
    .map((t) => ({ id: str(t.id), options: obj(t.options), ...(t.disabled === true ? { disabled: true } : {}) }));
  if (transformations.length) panel.transformations = transformations;
  if (legacy) panel.legacy = legacy;
  if (type === 'text') {
    if (typeof p.content === 'string' && options.content === undefined) options.content = p.content;
    if (typeof p.mode === 'string' && options.mode === undefined) options.mode = p.mode;
  }
  modernizePanelOptions(panel);
  applyPanelDefaults(panel);
  return panel;
}

function strip(p: Panel & { hasGridPos?: boolean }): Panel {
  const { hasGridPos: _, ...rest } = p;
  if (rest.panels) rest.panels = rest.panels.map(strip);
  return rest;
}

/** Old `rows[]` dashboards: each row's panels placed on the grid, Grafana's migration. */
function convertRows(rows: Json[], ids: Ids, warnings: string[]): Panel[] {
  let maxId = 0;
  for (const row of rows) {
    for (const p of arr(row.panels)) {
      ids.reserve(obj(p).id);
      maxId = Math.max(maxId, num(obj(p).id) ?? 0);
    }
  }
  // Like Grafana, row panels are numbered after the highest panel id.
  let nextRowId = Math.floor(maxId) + 1;
  const showRows = rows.some((r) => r.collapse === true || r.showTitle === true || !!optStr(r.repeat));
  const out: Panel[] = [];
  let y = 0;
  for (const row of rows) {
    if (row.repeatIteration) continue;
    const rowHeight = pixelsToGridHeight(row.height ?? undefined);
    let rowPanel: Panel | undefined;
    if (showRows) {
      rowPanel = {
        id: ids.claim(nextRowId++),
        type: 'row',
        title: str(row.title),
        gridPos: { x: 0, y, w: GRID_COLUMNS, h: 1 },
        targets: [],
        fieldConfig: { defaults: {}, overrides: [] },
        options: {},
        links: [],
        collapsed: row.collapse === true,
        panels: [],
      };
      const repeat = optStr(row.repeat);
      if (repeat) rowPanel.repeat = repeat;
      out.push(rowPanel);
      y++;
    }
    const placer = new RowPlacer(rowHeight, y);
    let bottom = y + rowHeight;
    for (const raw of arr(row.panels).filter(isObject)) {
      const span = num(raw.span) ?? DEFAULT_PANEL_SPAN;
      const w = Math.min(GRID_COLUMNS, Math.max(1, Math.floor(span) * 2));
      const h = raw.height !== undefined && raw.height !== null && raw.height !== '' ? pixelsToGridHeight(raw.height) : rowHeight;
      const panel = normalizePanel(raw, ids, warnings);
      panel.gridPos = placer.place(w, h);
      bottom = Math.max(bottom, panel.gridPos.y + panel.gridPos.h, placer.top + rowHeight);
      if (rowPanel?.collapsed) rowPanel.panels!.push(strip(panel));
      else out.push(strip(panel));
    }
    if (!rowPanel?.collapsed) y = bottom;
  }
  return out;
}

/** Lays out panels that came without a gridPos below the ones that have one. */
function placeMissing(panels: (Panel & { hasGridPos: boolean })[]): void {
  const placedBottom = panels.filter((p) => p.hasGridPos).reduce((m, p) => Math.max(m, p.gridPos.y + p.gridPos.h), 0);
  const placer = new AutoPlacer(placedBottom);
  for (const p of panels) {
    if (p.hasGridPos) continue;
    const size = defaultSize(p.type);
    p.gridPos = placer.place(size.w, size.h);
  }
}

/** Normalises a flat (schema ≥ 16) panel list, collapsed rows' children included. */
function convertPanels(list: unknown[], ids: Ids, warnings: string[]): Panel[] {
  const panels = list.filter(isObject);
  for (const p of panels) {
    ids.reserve(p.id);
    for (const c of arr(p.panels)) ids.reserve(obj(c).id);
  }
  const top = panels.map((raw) => {
    const panel = normalizePanel(raw, ids, warnings);
    if (panel.type === 'row') {
      const children = arr(raw.panels).filter(isObject).map((c) => normalizePanel(c, ids, warnings));
      if (children.some((c) => !c.hasGridPos)) {
        const placer = new AutoPlacer(panel.gridPos.y + 1);
        for (const c of children) if (!c.hasGridPos) c.gridPos = placer.place(defaultSize(c.type).w, defaultSize(c.type).h);
      }
      panel.panels = children.map(strip);
    }
    return panel;
  });
  placeMissing(top);
  return top.map(strip);
}

function normalizeCurrent(v: Json, multi: boolean): VariableCurrent {
  const c = obj(v.current);
  const toStrings = (x: unknown): string | string[] => (Array.isArray(x) ? x.map((e) => str(e)) : str(x));
  let value = toStrings(c.value);
  let text = toStrings(c.text ?? c.value);
  if (multi && !Array.isArray(value)) {
    value = value === '' ? [] : [value];
    text = Array.isArray(text) ? text : text === '' ? [] : [text];
  } else if (!multi && Array.isArray(value)) {
    value = value[0] ?? '';
    text = Array.isArray(text) ? text[0] ?? '' : text;
  }
  return { value, text };
}

/** Types one template variable, filling Grafana's defaults. */
export function normalizeVariable(input: unknown, warnings: string[], schemaVersion = Infinity): Variable | null {
  const v = obj(input);
  const name = optStr(v.name);
  if (!name) {
    warnings.push('a template variable without a name was dropped');
    return null;
  }
  const type = str(v.type, 'query');
  if (type === 'adhoc') {
    warnings.push(`variable "${name}": ad hoc filters are not supported; ignored`);
    return null;
  }
  if (!VARIABLE_TYPES.has(type)) warnings.push(`variable "${name}": type "${type}" is not supported`);
  const multi = v.multi === true;
  let refresh = v.refresh === true ? 1 : num(v.refresh) ?? (type === 'query' ? 1 : 0);
  // Schema 29: query variables set to "never refresh" load on dashboard load instead.
  const neverRefreshed = type === 'query' && refresh === 0 && schemaVersion < 29;
  if (neverRefreshed) refresh = 1;
  const query = isObject(v.query) ? (v.query as Variable['query']) : str(v.query);
  const options: VariableOption[] = (neverRefreshed ? [] : arr(v.options))
    .filter(isObject)
    .map((o) => ({ text: str(o.text), value: str(o.value), ...(o.selected === true ? { selected: true } : {}) }));
  const variable: Variable = {
    name,
    type,
    hide: num(v.hide) ?? 0,
    query,
    regex: str(v.regex),
    sort: num(v.sort) ?? 0,
    multi,
    includeAll: v.includeAll === true,
    allValue: optStr(v.allValue) ?? null,
    current: normalizeCurrent(v, multi),
    options,
    refresh,
  };
  const label = optStr(v.label);
  if (label) variable.label = label;
  const definition = optStr(v.definition);
  if (definition) variable.definition = definition;
  if (v.datasource !== undefined && v.datasource !== null) variable.datasource = v.datasource as Variable['datasource'];
  if (type === 'interval') {
    variable.auto = v.auto === true;
    variable.auto_count = num(v.auto_count) ?? 30;
    variable.auto_min = optStr(v.auto_min) ?? '10s';
  }
  return variable;
}

function unwrap(input: unknown): Json {
  const o = obj(input);
  if (isObject(o.dashboard) && (Array.isArray(o.dashboard.panels) || Array.isArray(o.dashboard.rows) || 'title' in o.dashboard)) return o.dashboard;
  return o;
}

/**
 * Normalises any Grafana dashboard JSON into the model renderers use: old `rows[]` layouts
 * converted to the grid (Grafana's rule), panels without a position laid out, `graph` →
 * `timeseries`, `singlestat` → `stat`/`gauge`, renamed plugins mapped, targets given refIds,
 * variables typed. Warnings name what could not be carried over; nothing throws.
 */
export function normalizeDashboard(input: unknown): NormalizeResult {
  const warnings: string[] = [];
  let d: Json;
  try {
    d = unwrap(typeof input === 'string' ? JSON.parse(input) : input);
  } catch {
    warnings.push('dashboard JSON did not parse');
    d = {};
  }
  if (!isObject(input) && typeof input !== 'string') warnings.push('dashboard is not an object');

  const ids = new Ids();
  let panels: Panel[];
  const rows = arr(d.rows).filter(isObject);
  if (rows.length && !arr(d.panels).length) panels = convertRows(rows, ids, warnings);
  else panels = convertPanels(arr(d.panels), ids, warnings);
  panels.sort((a, b) => a.gridPos.y - b.gridPos.y || a.gridPos.x - b.gridPos.x);

  const time = obj(d.time);
  const graphTooltip = num(d.graphTooltip) ?? (d.sharedCrosshair === true ? 1 : 0);
  const list = arr(obj(d.templating).list)
    .map((v) => normalizeVariable(v, warnings, num(d.schemaVersion) ?? 0))
    .filter((v): v is Variable => v !== null);

  const dashboard: Dashboard = {
    uid: str(d.uid),
    title: str(d.title, 'Untitled dashboard'),
    tags: arr(d.tags).filter((t): t is string => typeof t === 'string'),
    time: { from: str(time.from, 'now-6h'), to: str(time.to, 'now') },
    refresh: typeof d.refresh === 'string' ? d.refresh : '',
    timezone: str(d.timezone),
    templating: { list },
    panels,
    schemaVersion: num(d.schemaVersion) ?? 0,
    graphTooltip,
    editable: bool(d.editable, true),
    links: arr(d.links),
  };
  const description = optStr(d.description);
  if (description) dashboard.description = description;
  return { dashboard, warnings };
}

/** Every panel including those inside collapsed rows (rows themselves included). */
export function allPanels(d: Pick<Dashboard, 'panels'>): Panel[] {
  const out: Panel[] = [];
  for (const p of d.panels) {
    out.push(p);
    if (p.panels) out.push(...p.panels);
  }
  return out;
}
