// Panel defaults: what Grafana assumes for options and field config a dashboard leaves out
// (hand-written dashboards like the seeds leave out nearly everything), filled in so
// renderers read one complete shape instead of repeating Grafana's defaults each.

import { DEFAULT_THRESHOLDS } from './thresholds';
import type { FieldConfig, Panel } from './types';

type Json = Record<string, unknown>;

const REDUCE = { calcs: ['lastNotNull'], fields: '', values: false };
const LEGEND = { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] };

/** Options each panel type starts from in Grafana. */
export const PANEL_OPTION_DEFAULTS: Record<string, Json> = {
  timeseries: { legend: LEGEND, tooltip: { mode: 'single', sort: 'none' } },
  stat: { reduceOptions: REDUCE, colorMode: 'value', graphMode: 'area', justifyMode: 'auto', textMode: 'auto', orientation: 'auto', wideLayout: true },
  gauge: { reduceOptions: REDUCE, showThresholdMarkers: true, showThresholdLabels: false, orientation: 'auto' },
  bargauge: { reduceOptions: REDUCE, displayMode: 'gradient', orientation: 'auto', showUnfilled: true, valueMode: 'color', namePlacement: 'auto', sizing: 'auto', minVizWidth: 8, minVizHeight: 16 },
  piechart: { reduceOptions: REDUCE, pieType: 'pie', displayLabels: [], legend: { showLegend: true, displayMode: 'list', placement: 'right', values: [] }, tooltip: { mode: 'single', sort: 'none' } },
  table: { showHeader: true, cellHeight: 'sm', footer: { show: false, reducer: ['sum'], countRows: false, fields: '' } },
  text: { mode: 'markdown', content: '' },
};

/** Field-config `custom` defaults per panel type. */
const CUSTOM_DEFAULTS: Record<string, Json> = {
  timeseries: {
    drawStyle: 'line',
    lineInterpolation: 'linear',
    lineWidth: 1,
    fillOpacity: 0,
    gradientMode: 'none',
    showPoints: 'auto',
    pointSize: 5,
    spanNulls: false,
    stacking: { mode: 'none', group: 'A' },
    axisPlacement: 'auto',
    axisLabel: '',
    scaleDistribution: { type: 'linear' },
    hideFrom: { legend: false, tooltip: false, viz: false },
    thresholdsStyle: { mode: 'off' },
  },
  table: { align: 'auto', cellOptions: { type: 'auto' } },
  piechart: { hideFrom: { legend: false, tooltip: false, viz: false } },
};

/** How each type colours by default: by palette (series) or by thresholds (single values). */
const COLOR_MODE: Record<string, string> = {
  timeseries: 'palette-classic',
  piechart: 'palette-classic',
  stat: 'thresholds',
  gauge: 'thresholds',
  bargauge: 'thresholds',
  table: 'thresholds',
};

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `base` with `over` on top: objects merge key by key, anything else in `over` wins. */
export function mergeDefaults<T extends Json>(base: Json, over: T): T {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isRecord(v) && isRecord(base[k]) ? mergeDefaults(base[k] as Json, v) : v;
  }
  return out as T;
}

/**
 * Fills a panel's missing options and field config with its type's Grafana defaults
 * (options, `custom`, colour mode, thresholds). Values present in the panel always win.
 */
export function applyPanelDefaults(panel: Panel): Panel {
  const options = PANEL_OPTION_DEFAULTS[panel.type];
  if (options) panel.options = mergeDefaults(options, panel.options);
  const custom = CUSTOM_DEFAULTS[panel.type];
  const defaults: FieldConfig = { ...panel.fieldConfig.defaults };
  if (custom) defaults.custom = mergeDefaults(custom, defaults.custom ?? {});
  const mode = COLOR_MODE[panel.type];
  if (mode && !defaults.color) defaults.color = { mode };
  if (COLOR_MODE[panel.type] && !defaults.thresholds) defaults.thresholds = { mode: DEFAULT_THRESHOLDS.mode, steps: DEFAULT_THRESHOLDS.steps.map((s) => ({ ...s })) };
  if (panel.type !== 'row' && panel.type !== 'text' && !defaults.mappings) defaults.mappings = [];
  panel.fieldConfig = { ...panel.fieldConfig, defaults };
  return panel;
}
