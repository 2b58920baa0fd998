// Per-series field config: a panel's `fieldConfig.defaults` with the `overrides` that match
// one series applied on top, which is what decides a series' unit, colour, axis and so on.

import { parseRegexString } from './regex';
import { reduceNumber } from './reduce';
import type { FieldConfig, FieldConfigSource, Matcher, Override, Thresholds, ValueMapping } from './types';

/** What the override matchers can test about one series (field). */
export interface SeriesDescriptor {
  /** The displayed name (legendFormat applied). */
  name: string;
  refId?: string;
  /** Grafana field type: `number` for Prometheus values, `time`, `string`, `boolean`. */
  type?: string;
  labels?: Record<string, string>;
  /** The values, for `byValue` matchers. */
  values?: readonly (number | null)[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  gt: (a, b) => a > b,
  gte: (a, b) => a >= b,
  lt: (a, b) => a < b,
  lte: (a, b) => a <= b,
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
};

/** True when an override's matcher selects this series. */
export function matcherMatches(matcher: Matcher, series: SeriesDescriptor): boolean {
  const opt = matcher.options;
  switch (matcher.id) {
    case 'byName':
      return typeof opt === 'string' && opt === series.name;
    case 'byRegexp': {
      if (typeof opt !== 'string') return false;
      const re = parseRegexString(opt, true);
      return re !== null && re.test(series.name);
    }
    case 'byNames': {
      const names = isRecord(opt) && Array.isArray(opt.names) ? (opt.names as unknown[]) : [];
      const include = !isRecord(opt) || opt.mode !== 'exclude';
      const hit = names.includes(series.name);
      return include ? hit : !hit;
    }
    case 'byFrameRefID':
      return typeof opt === 'string' && opt === series.refId;
    case 'byType':
      return typeof opt === 'string' && opt === (series.type ?? 'number');
    case 'byValue': {
      if (!isRecord(opt) || !series.values) return false;
      const reducer = typeof opt.reducer === 'string' ? opt.reducer : 'mean';
      const op = typeof opt.op === 'string' ? opt.op : 'gte';
      const target = typeof opt.value === 'number' ? opt.value : Number(opt.value);
      const v = reduceNumber(series.values, reducer);
      const cmp = COMPARE[op];
      return v !== null && cmp !== undefined && cmp(v, target);
    }
  }
  return false;
}

/** Sets one override property (`unit`, `custom.lineWidth`, `color`…) on a config. */
export function setConfigProperty(config: FieldConfig, id: string, value: unknown): void {
  if (id.startsWith('custom.')) {
    const key = id.slice('custom.'.length);
    config.custom = { ...(config.custom ?? {}) };
    if (value === undefined) delete config.custom[key];
    else config.custom[key] = value;
    return;
  }
  const target = config as Record<string, unknown>;
  if (value === undefined) delete target[id];
  else target[id] = value;
}

function cloneConfig(c: FieldConfig): FieldConfig {
  return {
    ...c,
    custom: c.custom ? { ...c.custom } : undefined,
    thresholds: c.thresholds ? { ...c.thresholds, steps: [...c.thresholds.steps] } : undefined,
    mappings: c.mappings ? [...c.mappings] : undefined,
  };
}

/**
 * The effective config of one series: defaults, then each matching override in order (a
 * later override wins over an earlier one, as in Grafana).
 */
export function resolveFieldConfig(source: FieldConfigSource, series: SeriesDescriptor): FieldConfig {
  const config = cloneConfig(source.defaults ?? {});
  if (!config.custom) delete config.custom;
  for (const o of source.overrides ?? []) {
    if (!matcherMatches(o.matcher, series)) continue;
    for (const p of o.properties ?? []) setConfigProperty(config, p.id, p.value);
  }
  return config;
}

/** The overrides that select a series (for editors and debugging). */
export function matchingOverrides(source: FieldConfigSource, series: SeriesDescriptor): Override[] {
  return (source.overrides ?? []).filter((o) => matcherMatches(o.matcher, series));
}

/** Reads a `custom.*` option with a fallback, typed by the fallback. */
export function customOption<T>(config: FieldConfig, key: string, fallback: T): T {
  const v = config.custom?.[key];
  return v === undefined || v === null ? fallback : (v as T);
}

/** True when `custom.transform` asks for the series to be drawn below the axis. */
export function isNegativeY(config: FieldConfig): boolean {
  return config.custom?.transform === 'negative-Y';
}

/** Which axis a series goes on: `left` (default/auto), `right` or `hidden`. */
export function axisPlacement(config: FieldConfig): 'left' | 'right' | 'hidden' {
  const p = config.custom?.axisPlacement;
  return p === 'right' || p === 'hidden' ? p : 'left';
}

/** Where a series is hidden: legend, tooltip, viz (Grafana's `custom.hideFrom`). */
export function hiddenFrom(config: FieldConfig): { legend: boolean; tooltip: boolean; viz: boolean } {
  const h = config.custom?.hideFrom;
  const r = isRecord(h) ? h : {};
  return { legend: r.legend === true, tooltip: r.tooltip === true, viz: r.viz === true };
}

export type { Thresholds, ValueMapping };
