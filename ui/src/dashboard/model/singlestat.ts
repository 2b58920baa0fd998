// The legacy `singlestat` panel as a `stat` (or `gauge`) panel, following Grafana's
// singlestat migration: the comma-separated thresholds with their colours become threshold
// steps, `valueName` a reducer, value/range maps value mappings, sparkline a graph mode.

import { arr, bool, num, obj, optStr, str, type Json } from './json';
import { singlestatMappings } from './legacy';
import type { FieldConfig, FieldConfigSource, ThresholdStep } from './types';

/** The old singlestat's value names, as reducer ids. */
export const VALUE_NAME_CALCS: Record<string, string> = {
  avg: 'mean',
  current: 'lastNotNull',
  max: 'max',
  min: 'min',
  total: 'sum',
  first: 'first',
  delta: 'delta',
  diff: 'diff',
  range: 'range',
  last_time: 'lastNotNull',
  name: 'lastNotNull',
};

/** Singlestat's default colours (green, orange, red, as in its editor). */
const DEFAULT_COLORS = ['#299c46', 'rgba(237, 129, 40, 0.89)', '#d44a3a'];

export interface SinglestatMigration {
  type: 'stat' | 'gauge';
  fieldConfig: FieldConfigSource;
  options: Record<string, unknown>;
  legacy: Record<string, unknown>;
  warnings: string[];
}

/**
 * `thresholds: "0.1,1"` with `colors: [c0, c1, c2]` as steps: base c0, then c1 from 0.1 and
 * c2 from 1. As in Grafana the colours drive the steps (one step per colour); a colour
 * without a threshold value is dropped. Empty text gives no thresholds (null).
 */
export function singlestatThresholds(thresholds: unknown, colors: unknown): ThresholdStep[] | null {
  const text = Array.isArray(thresholds) ? thresholds.join(',') : str(thresholds);
  if (text.trim() === '') return null;
  const levels = text.split(',').map((s) => Number(s.trim()));
  const given = arr(colors).map((c) => str(c)).filter((c) => c !== '');
  const palette = given.length ? given : DEFAULT_COLORS;
  const steps: ThresholdStep[] = [];
  palette.forEach((color, i) => {
    if (i === 0) steps.push({ value: null, color });
    else if (i - 1 < levels.length && Number.isFinite(levels[i - 1])) steps.push({ value: levels[i - 1], color });
  });
  return steps.length > 1 ? steps : null;
}

const PLAIN_UNITS = new Set(['', 'none', 'short']);

/** Migrates a singlestat panel (also `grafana-singlestat-panel`) to stat or gauge. */
export function migrateSinglestat(panel: Json): SinglestatMigration {
  const warnings: string[] = [];
  const legacy: Record<string, unknown> = {};
  const gauge = obj(panel.gauge);
  const isGauge = gauge.show === true;
  const defaults: FieldConfig = {};

  let unit = optStr(panel.format);
  const prefix = optStr(panel.prefix);
  const postfix = optStr(panel.postfix);
  if ((prefix || postfix) && PLAIN_UNITS.has(unit ?? '')) {
    // A plain number with a prefix or suffix is exactly a custom unit.
    if (postfix && !prefix) unit = `suffix:${postfix.trim()}`;
    else if (prefix && !postfix) unit = `prefix:${prefix}`;
    else {
      unit = `suffix:${postfix!.trim()}`;
      legacy.prefix = prefix;
    }
  } else if (prefix || postfix) {
    // Unit and prefix/postfix together: the renderer may print them around the value.
    if (prefix) legacy.prefix = prefix;
    if (postfix) legacy.postfix = postfix;
  }
  if (unit) defaults.unit = unit;
  const decimals = num(panel.decimals);
  if (decimals !== undefined) defaults.decimals = decimals;
  if (isGauge) {
    defaults.min = num(gauge.minValue) ?? 0;
    defaults.max = num(gauge.maxValue) ?? 100;
  }
  const steps = singlestatThresholds(panel.thresholds, panel.colors);
  defaults.thresholds = { mode: 'absolute', steps: steps ?? [{ value: null, color: 'green' }, { value: 80, color: 'red' }] };
  defaults.color = { mode: 'thresholds' };
  // Singlestat's own default value map showed null as "N/A"; dashboards saved without
  // valueMaps got it.
  const withDefaults = panel.valueMaps === undefined && panel.rangeMaps === undefined ? { ...panel, valueMaps: [{ op: '=', value: 'null', text: 'N/A' }], mappingType: 1 } : panel;
  const mappings = singlestatMappings(withDefaults);
  if (mappings.length) defaults.mappings = mappings;
  const nullText = optStr(panel.nullText);
  if (nullText) defaults.noValue = nullText;

  const valueName = str(panel.valueName, 'avg');
  const calc = VALUE_NAME_CALCS[valueName];
  if (!calc) warnings.push(`singlestat "${str(panel.title)}": value "${valueName}" shown as the mean`);
  const reduceOptions: Record<string, unknown> = { calcs: [calc ?? 'mean'], fields: '', values: false };
  if (valueName === 'last_time') reduceOptions.fields = '/^Time$/';
  const column = optStr(panel.tableColumn);
  if (column) reduceOptions.fields = `/^${column}$/`;

  const sparkline = obj(panel.sparkline);
  const options: Record<string, unknown> = { reduceOptions, orientation: 'horizontal' };
  if (isGauge) {
    options.showThresholdMarkers = bool(gauge.thresholdMarkers, true);
    options.showThresholdLabels = bool(gauge.thresholdLabels);
  } else {
    options.graphMode = sparkline.show === true ? 'area' : 'none';
    options.colorMode = panel.colorBackground === true ? 'background' : panel.colorValue === true ? 'value' : 'none';
    options.justifyMode = 'auto';
    options.textMode = valueName === 'name' ? 'name' : 'auto';
  }
  if (sparkline.show === true && isGauge) legacy.sparkline = true;
  const overrides: FieldConfigSource['overrides'] = [];
  return { type: isGauge ? 'gauge' : 'stat', fieldConfig: { defaults, overrides }, options, legacy, warnings };
}
