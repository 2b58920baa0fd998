// The legacy `graph` panel (Flot, before Grafana 7.4) as a `timeseries` panel, following
// Grafana's own graph → time series migration: axes become units/min/max/log scale, draw
// options become `custom.*`, series overrides and alias colours become field overrides.

import { arr, bool, isObject, num, obj, optStr, str, type Json } from './json';
import type { FieldConfig, FieldConfigSource, Matcher, Override, OverrideProperty, ThresholdStep } from './types';

/** Legend value switches of the old graph, and the reducer each became. */
const LEGEND_CALCS: Record<string, string> = {
  min: 'min',
  max: 'max',
  avg: 'mean',
  current: 'lastNotNull',
  total: 'sum',
};

/** The legend sort names Grafana's time series legend uses for the old sort keys. */
const LEGEND_SORT: Record<string, string> = {
  min: 'Min',
  max: 'Max',
  avg: 'Mean',
  current: 'Last *',
  total: 'Total',
};

export interface GraphMigration {
  type: 'timeseries';
  fieldConfig: FieldConfigSource;
  options: Record<string, unknown>;
  /** Things the time series model cannot show, kept for renderers and reported. */
  legacy: Record<string, unknown>;
  warnings: string[];
}

/** A series-override alias as a matcher: `/re/` → byRegexp, anything else → byName. */
export function aliasMatcher(alias: string): Matcher {
  return alias.length > 1 && alias.startsWith('/') && alias.lastIndexOf('/') > 0 ? { id: 'byRegexp', options: alias } : { id: 'byName', options: alias };
}

function yAxes(panel: Json): [Json, Json] {
  const list = arr(panel.yaxes ?? panel.yAxes);
  return [obj(list[0]), obj(list[1])];
}

/** Unit, min, max, decimals, log scale and label of one old y axis, as field config. */
function axisConfig(axis: Json, decimals: number | undefined): { config: FieldConfig; custom: Record<string, unknown> } {
  const config: FieldConfig = {};
  const custom: Record<string, unknown> = {};
  const unit = optStr(axis.format);
  if (unit) config.unit = unit;
  const min = num(axis.min);
  const max = num(axis.max);
  if (min !== undefined) config.min = min;
  if (max !== undefined) config.max = max;
  const d = decimals ?? num(axis.decimals);
  if (d !== undefined) config.decimals = d;
  const logBase = num(axis.logBase);
  // The time series panel offers log 2 and log 10 only; other bases stay linear.
  if (logBase === 2 || logBase === 10) custom.scaleDistribution = { type: 'log', log: logBase };
  const label = optStr(axis.label);
  if (label) custom.axisLabel = label;
  if (axis.show === false) custom.axisPlacement = 'hidden';
  return { config, custom };
}

function drawStyle(lines: boolean, bars: boolean): string {
  if (bars) return 'bars';
  return lines ? 'line' : 'points';
}

/** The old threshold lines/areas as threshold steps plus a display style. */
function migrateThresholds(list: unknown[]): { steps: ThresholdStep[]; style: string } | null {
  const items = list.map(obj).filter((t) => num(t.value) !== undefined);
  if (!items.length) return null;
  const colorOf = (t: Json): string => {
    switch (t.colorMode) {
      case 'critical':
        return 'red';
      case 'warning':
        return 'orange';
      case 'ok':
        return 'green';
      default:
        return str(t.fillColor) || str(t.lineColor) || 'red';
    }
  };
  items.sort((a, b) => (num(a.value) ?? 0) - (num(b.value) ?? 0));
  const steps: ThresholdStep[] = [];
  items.forEach((t, i) => {
    const v = num(t.value) ?? 0;
    const next = items[i + 1];
    if (t.op === 'lt') {
      // Everything below the value is coloured: the base takes the colour, and from the
      // value on comes the next "lt" colour or nothing.
      if (steps.length === 0) steps.push({ value: null, color: colorOf(t) });
      steps.push({ value: v, color: next && next.op === 'lt' ? colorOf(next) : 'transparent' });
    } else {
      steps.push({ value: v, color: colorOf(t) });
    }
  });
  if (steps.length && steps[0].value !== null) steps.unshift({ value: null, color: 'transparent' });
  const anyFill = items.some((t) => t.fill === true);
  const anyLine = items.some((t) => t.line === true);
  return { steps, style: anyFill && anyLine ? 'line+area' : anyFill ? 'area' : 'line' };
}

function fillOpacity(fill: unknown): number | undefined {
  const f = num(fill);
  return f === undefined ? undefined : Math.min(100, Math.max(0, f * 10));
}

/** One old series override as field-override properties. */
function overrideProperties(o: Json, rightAxis: Json, panel: Json): OverrideProperty[] {
  const props: OverrideProperty[] = [];
  if (typeof o.color === 'string') props.push({ id: 'color', value: { mode: 'fixed', fixedColor: o.color } });
  if (o.transform === 'negative-Y') props.push({ id: 'custom.transform', value: 'negative-Y' });
  if (num(o.yaxis) === 2) {
    props.push({ id: 'custom.axisPlacement', value: 'right' });
    const right = axisConfig(rightAxis, num(panel.decimals));
    if (right.config.unit) props.push({ id: 'unit', value: right.config.unit });
    if (right.config.min !== undefined) props.push({ id: 'min', value: right.config.min });
    if (right.config.max !== undefined) props.push({ id: 'max', value: right.config.max });
    if (right.custom.axisLabel) props.push({ id: 'custom.axisLabel', value: right.custom.axisLabel });
    if (right.custom.scaleDistribution) props.push({ id: 'custom.scaleDistribution', value: right.custom.scaleDistribution });
  }
  if (typeof o.bars === 'boolean') {
    props.push({ id: 'custom.drawStyle', value: o.bars ? 'bars' : 'line' });
    if (o.bars) props.push({ id: 'custom.fillOpacity', value: 100 });
  }
  if (o.lines === false) props.push({ id: 'custom.lineWidth', value: 0 });
  if (typeof o.points === 'boolean') props.push({ id: 'custom.showPoints', value: o.points ? 'always' : 'never' });
  const fill = fillOpacity(o.fill);
  if (fill !== undefined) props.push({ id: 'custom.fillOpacity', value: fill });
  const gradient = num(o.fillGradient);
  if (gradient) {
    props.push({ id: 'custom.gradientMode', value: 'opacity' });
    props.push({ id: 'custom.fillOpacity', value: gradient * 10 });
  }
  if (typeof o.fillBelowTo === 'string') props.push({ id: 'custom.fillBelowTo', value: o.fillBelowTo });
  const lw = num(o.linewidth);
  if (lw !== undefined) props.push({ id: 'custom.lineWidth', value: lw });
  const pr = num(o.pointradius);
  if (pr !== undefined) props.push({ id: 'custom.pointSize', value: 2 + pr * 2 });
  if (typeof o.stack === 'boolean' || typeof o.stack === 'string' || typeof o.stack === 'number') {
    const on = o.stack !== false;
    const group = typeof o.stack === 'boolean' ? 'A' : String(o.stack);
    props.push({ id: 'custom.stacking', value: on ? { mode: panel.percentage ? 'percent' : 'normal', group } : { mode: 'none', group: 'A' } });
  }
  if (typeof o.steppedLine === 'boolean') props.push({ id: 'custom.lineInterpolation', value: o.steppedLine ? 'stepAfter' : 'linear' });
  if (o.dashes !== undefined || o.dashLength !== undefined || o.spaceLength !== undefined) {
    const dashed = typeof o.dashes === 'boolean' ? o.dashes : panel.dashes === true;
    props.push({ id: 'custom.lineStyle', value: { fill: dashed ? 'dash' : 'solid', dash: [num(o.dashLength) ?? num(panel.dashLength) ?? 10, num(o.spaceLength) ?? num(panel.spaceLength) ?? 10] } });
  }
  if (o.legend === false || o.hideTooltip === true) {
    props.push({ id: 'custom.hideFrom', value: { legend: o.legend === false, tooltip: o.hideTooltip === true, viz: false } });
  }
  return props;
}

/**
 * Migrates a `graph` panel's options to a `timeseries` panel. The unit and scale of the
 * left axis become the defaults (over any field config the graph already had, as in
 * Grafana); series sent to the right axis get an override with the right axis's unit;
 * existing overrides come first, then `aliasColors`, then `seriesOverrides`.
 */
export function migrateGraph(panel: Json, existing: FieldConfigSource = { defaults: {}, overrides: [] }): GraphMigration {
  const warnings: string[] = [];
  const legacy: Record<string, unknown> = {};
  const [left, right] = yAxes(panel);
  const { config, custom: axisCustom } = axisConfig(left, num(panel.decimals));
  // The graph panel's axes defaulted to the `short` unit.
  if (!config.unit && !existing.defaults.unit) config.unit = 'short';

  const lines = bool(panel.lines, true);
  const bars = bool(panel.bars);
  const points = bool(panel.points);
  const style = drawStyle(lines, bars);
  const hasFillBelowTo = arr(panel.seriesOverrides).some((o) => typeof obj(o).fillBelowTo === 'string');
  const gradient = num(panel.fillGradient) ?? 0;
  let opacity = fillOpacity(panel.fill) ?? 10;
  if (hasFillBelowTo) opacity = 35; // Flot drew bands at a fixed opacity.
  if (gradient > 0) opacity = gradient * 10;
  if (style === 'bars') opacity = 100; // Flot bars were solid.
  const custom: Record<string, unknown> = {
    drawStyle: style,
    lineInterpolation: panel.steppedLine === true ? 'stepAfter' : 'linear',
    lineWidth: num(panel.linewidth) ?? 1,
    fillOpacity: opacity,
    gradientMode: gradient > 0 ? 'opacity' : 'none',
    showPoints: points ? 'always' : style === 'points' ? 'auto' : 'never',
    spanNulls: panel.nullPointMode === 'connected',
    stacking: panel.stack === true ? { mode: panel.percentage === true ? 'percent' : 'normal', group: 'A' } : { mode: 'none', group: 'A' },
    axisPlacement: 'auto',
    ...axisCustom,
  };
  const radius = num(panel.pointradius);
  if (points && radius !== undefined) custom.pointSize = 2 + radius * 2;
  if (panel.dashes === true) custom.lineStyle = { fill: 'dash', dash: [num(panel.dashLength) ?? 10, num(panel.spaceLength) ?? 10] };
  if (panel.nullPointMode === 'null as zero') legacy.nullPointMode = 'null as zero';

  const defaults: FieldConfig = { color: { mode: 'palette-classic' }, ...existing.defaults, ...config, custom: { ...(existing.defaults.custom ?? {}), ...custom } };
  const th = migrateThresholds(arr(panel.thresholds));
  if (th) {
    defaults.thresholds = { mode: 'absolute', steps: th.steps };
    defaults.custom = { ...defaults.custom, thresholdsStyle: { mode: th.style } };
  }

  // Alias colours first: a series override's colour, coming later, wins (as in Grafana).
  const overrides: Override[] = [...existing.overrides];
  for (const [alias, color] of Object.entries(obj(panel.aliasColors))) {
    if (typeof color !== 'string' || !color) continue;
    overrides.push({ matcher: { id: 'byName', options: alias }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: color } }] });
  }
  for (const so of arr(panel.seriesOverrides)) {
    if (!isObject(so) || typeof so.alias !== 'string' || so.alias === '') continue;
    const props = overrideProperties(so, right, panel);
    if (props.length) overrides.push({ matcher: aliasMatcher(so.alias), properties: props });
  }

  const legend = obj(panel.legend);
  const calcs = legend.values === true ? Object.keys(legend).filter((k) => legend[k] === true && k in LEGEND_CALCS).map((k) => LEGEND_CALCS[k]) : [];
  const legendOptions: Record<string, unknown> = {
    showLegend: legend.show !== false,
    displayMode: legend.alignAsTable === true ? 'table' : 'list',
    placement: legend.rightSide === true ? 'right' : 'bottom',
    calcs,
  };
  if (typeof legend.sort === 'string' && LEGEND_SORT[legend.sort]) {
    legendOptions.sortBy = LEGEND_SORT[legend.sort];
    legendOptions.sortDesc = legend.sortDesc === true;
  }
  if (num(legend.sideWidth) !== undefined && legend.rightSide === true) legendOptions.width = num(legend.sideWidth);

  const tooltip = obj(panel.tooltip);
  const tooltipSort = num(tooltip.sort);
  const options = {
    legend: legendOptions,
    tooltip: { mode: tooltip.shared === false ? 'single' : 'multi', sort: tooltipSort === 1 ? 'asc' : tooltipSort === 2 ? 'desc' : 'none' },
  };

  const xaxis = obj(panel.xaxis);
  if (typeof xaxis.mode === 'string' && xaxis.mode !== 'time') {
    warnings.push(`graph panel "${str(panel.title)}": x-axis mode "${xaxis.mode}" is shown as a time series`);
    legacy.xaxisMode = xaxis.mode;
  }
  return { type: 'timeseries', fieldConfig: { defaults, overrides }, options, legacy, warnings };
}

export type { Matcher };
