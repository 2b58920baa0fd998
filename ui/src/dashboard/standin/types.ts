// Stand-in for the dashboard model's types (branch `model`, ui/src/dashboard/model/types.ts)
// until that module is merged: the same shapes, so switching is an import change in ../bridge.ts.

export interface GridPos { x: number; y: number; w: number; h: number }

export type DatasourceRef = { type?: string; uid?: string } | string | null;

export interface Target {
  refId: string;
  expr: string;
  legendFormat?: string;
  instant?: boolean;
  range?: boolean;
  format?: string;
  interval?: string;
  intervalFactor?: number;
  hide?: boolean;
  datasource?: DatasourceRef;
}

export interface ThresholdStep { value: number | null; color: string }
export interface Thresholds { mode: 'absolute' | 'percentage'; steps: ThresholdStep[] }
export interface MappingResult { text?: string; color?: string; index?: number }
export type ValueMapping =
  | { type: 'value'; options: Record<string, MappingResult> }
  | { type: 'range'; options: { from: number | null; to: number | null; result: MappingResult } }
  | { type: 'regex'; options: { pattern: string; result: MappingResult } }
  | { type: 'special'; options: { match: string; result: MappingResult } };

export interface FieldColor { mode: string; fixedColor?: string; seriesBy?: string }
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
  custom?: Record<string, unknown>;
}
export interface Override { matcher: { id: string; options?: unknown }; properties: { id: string; value?: unknown }[] }
export interface FieldConfigSource { defaults: FieldConfig; overrides: Override[] }

export interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: GridPos;
  targets: Target[];
  fieldConfig: FieldConfigSource;
  options: Record<string, unknown>;
  panels?: Panel[];
  collapsed?: boolean;
  repeat?: string;
  repeatDirection?: 'h' | 'v';
  maxPerRow?: number;
  interval?: string;
  maxDataPoints?: number;
  description?: string;
  transparent?: boolean;
  links: { title?: string; url?: string }[];
  legacy?: Record<string, unknown>;
}

export interface VariableOption { text: string; value: string; selected?: boolean }
export interface VariableCurrent { text: string | string[]; value: string | string[] }
export interface Variable {
  name: string;
  type: string;
  label?: string;
  hide: number;
  query: string | { query?: string; [k: string]: unknown };
  definition?: string;
  regex: string;
  sort: number;
  multi: boolean;
  includeAll: boolean;
  allValue?: string | null;
  current: VariableCurrent;
  options: VariableOption[];
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
  schemaVersion: number;
  graphTooltip: number;
  editable: boolean;
  links: unknown[];
}
