// The normalised dashboard model: what every Grafana dashboard, whatever its schema version,
// becomes after `normalizeDashboard`, so panel renderers only ever see one shape.

/** A panel's place on Grafana's 24-column grid (heights in 30 px cells). */
export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A datasource reference: modern `{type, uid}` or a legacy name / `${DS}` string. */
export type DatasourceRef = { type?: string; uid?: string } | string | null;

/** One Prometheus query of a panel. */
export interface Target {
  refId: string;
  expr: string;
  legendFormat?: string;
  instant?: boolean;
  range?: boolean;
  /** `time_series` (default), `table` or `heatmap`. */
  format?: string;
  /** Per-query minimum step ("Min step"), may contain variables. */
  interval?: string;
  intervalFactor?: number;
  hide?: boolean;
  exemplar?: boolean;
  datasource?: DatasourceRef;
}

/** One threshold step; the first (base) step has value null (-Infinity). */
export interface ThresholdStep {
  value: number | null;
  color: string;
}

export interface Thresholds {
  mode: 'absolute' | 'percentage';
  steps: ThresholdStep[];
}

/** What a value mapping turns a value into. */
export interface MappingResult {
  text?: string;
  color?: string;
  index?: number;
}

export type SpecialMatch = 'null' | 'nan' | 'null+nan' | 'true' | 'false' | 'empty';

export type ValueMapping =
  | { type: 'value'; options: Record<string, MappingResult> }
  | { type: 'range'; options: { from: number | null; to: number | null; result: MappingResult } }
  | { type: 'regex'; options: { pattern: string; result: MappingResult } }
  | { type: 'special'; options: { match: SpecialMatch; result: MappingResult } };

export interface FieldColor {
  mode: string;
  fixedColor?: string;
  seriesBy?: string;
}

/** Per-field display settings (Grafana's FieldConfig); `custom` holds panel-specific ones. */
export interface FieldConfig {
  unit?: string;
  decimals?: number;
  min?: number;
  max?: number;
  displayName?: string;
  noValue?: string;
  color?: FieldColor;
  thresholds?: Thresholds;
  mappings?: ValueMapping[];
  links?: unknown[];
  custom?: Record<string, unknown>;
}

export interface Matcher {
  id: string;
  options?: unknown;
}

export interface OverrideProperty {
  id: string;
  value?: unknown;
}

export interface Override {
  matcher: Matcher;
  properties: OverrideProperty[];
}

export interface FieldConfigSource {
  defaults: FieldConfig;
  overrides: Override[];
}

export interface PanelLink {
  title?: string;
  url?: string;
  targetBlank?: boolean;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: GridPos;
  targets: Target[];
  fieldConfig: FieldConfigSource;
  options: Record<string, unknown>;
  /** Children of a collapsed row. */
  panels?: Panel[];
  collapsed?: boolean;
  repeat?: string;
  repeatDirection?: 'h' | 'v';
  maxPerRow?: number;
  /** Panel-level minimum interval ("Min interval"). */
  interval?: string;
  maxDataPoints?: number;
  datasource?: DatasourceRef;
  description?: string;
  transparent?: boolean;
  /** Panel-level relative time (`1h`) and shift (`1d`), overriding the dashboard's range. */
  timeFrom?: string;
  timeShift?: string;
  hideTimeOverride?: boolean;
  links: PanelLink[];
  /** Grafana transformations applied to the query results, in order (kept as written). */
  transformations?: { id: string; options: Record<string, unknown>; disabled?: boolean }[];
  /** Values of the repeat variable for a repeated copy (what `$var` means inside it). */
  scopedVars?: Record<string, { text: string; value: string }>;
  /** The id of the panel or row this one is a repeated copy of. */
  repeatPanelId?: number;
  /** Panel-type-specific leftovers the migration did not translate (kept for renderers). */
  legacy?: Record<string, unknown>;
}

export interface VariableOption {
  text: string;
  value: string;
  selected?: boolean;
}

export interface VariableCurrent {
  text: string | string[];
  value: string | string[];
}

export type VariableType = 'query' | 'custom' | 'interval' | 'constant' | 'textbox' | 'datasource' | 'adhoc' | string;

export interface Variable {
  name: string;
  type: VariableType;
  label?: string;
  /** 0 shown, 1 label hidden, 2 variable hidden. */
  hide: number;
  /** For query variables a string, or Grafana's newer `{query, qryType}` object. */
  query: string | { query?: string; qryType?: number; refId?: string; [k: string]: unknown };
  definition?: string;
  datasource?: DatasourceRef;
  regex: string;
  sort: number;
  multi: boolean;
  includeAll: boolean;
  allValue?: string | null;
  current: VariableCurrent;
  options: VariableOption[];
  /** 0 never, 1 on dashboard load, 2 on time range change. */
  refresh: number;
  auto?: boolean;
  auto_count?: number;
  auto_min?: string;
}

export interface Dashboard {
  uid: string;
  title: string;
  description?: string;
  tags: string[];
  time: { from: string; to: string };
  refresh: string;
  timezone: string;
  templating: { list: Variable[] };
  panels: Panel[];
  /** The schema version the JSON was written in (0 when absent); the model itself is current. */
  schemaVersion: number;
  /** 0 none, 1 shared crosshair, 2 shared tooltip. */
  graphTooltip: number;
  editable: boolean;
  links: unknown[];
}
