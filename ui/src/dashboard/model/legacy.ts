// Normalisation of field-config pieces whose shape changed across Grafana versions:
// thresholds (array → object, missing base value), value mappings (the old numeric
// `type: 1/2` forms, singlestat's valueMaps/rangeMaps) — one current shape for renderers.

import { arr, isObject, num, obj, str } from './json';
import { sortThresholdSteps } from './thresholds';
import type { MappingResult, SpecialMatch, ThresholdStep, Thresholds, ValueMapping } from './types';

/** Threshold steps from any era: `{mode, steps}` or a bare array; a missing value is the base. */
export function normalizeThresholds(input: unknown): Thresholds | undefined {
  if (input === undefined || input === null) return undefined;
  const raw = Array.isArray(input) ? { mode: 'absolute', steps: input } : obj(input);
  const steps: ThresholdStep[] = arr(raw.steps).map((s) => {
    const o = obj(s);
    const v = o.value === null || o.value === undefined || o.value === '' ? null : num(o.value) ?? null;
    return { value: v === -Infinity ? null : v, color: str(o.color, 'green') };
  });
  if (steps.length === 0) return undefined;
  const sorted = sortThresholdSteps(steps);
  sorted[0] = { ...sorted[0], value: null };
  return { mode: raw.mode === 'percentage' ? 'percentage' : 'absolute', steps: sorted };
}

function result(o: Record<string, unknown>): MappingResult {
  const r: MappingResult = {};
  if (typeof o.text === 'string') r.text = o.text;
  if (typeof o.color === 'string') r.color = o.color;
  if (typeof o.index === 'number') r.index = o.index;
  return r;
}

const SPECIALS: readonly string[] = ['null', 'nan', 'null+nan', 'true', 'false', 'empty'];

/**
 * Value mappings in the current shape from any era: current objects pass (checked), old
 * `{type:1, value, text}` / `{type:2, from, to, text}` are converted, value "null" becomes a
 * special null mapping. Old plain value maps are merged into one value mapping, first.
 */
export function normalizeMappings(input: unknown): ValueMapping[] {
  const out: ValueMapping[] = [];
  const merged: Record<string, MappingResult> = {};
  for (const item of arr(input)) {
    if (!isObject(item)) continue;
    const t = item.type;
    const options = obj(item.options);
    if (t === 'value') {
      const opts: Record<string, MappingResult> = {};
      for (const [k, v] of Object.entries(options)) opts[k] = result(obj(v));
      out.push({ type: 'value', options: opts });
    } else if (t === 'range') {
      out.push({ type: 'range', options: { from: num(options.from) ?? null, to: num(options.to) ?? null, result: result(obj(options.result)) } });
    } else if (t === 'regex') {
      out.push({ type: 'regex', options: { pattern: str(options.pattern), result: result(obj(options.result)) } });
    } else if (t === 'special') {
      const match = str(options.match);
      if (SPECIALS.includes(match)) out.push({ type: 'special', options: { match: match as SpecialMatch, result: result(obj(options.result)) } });
    } else if (t === 1 || t === '1' || (t === undefined && 'value' in item)) {
      const value = str(item.value);
      const text = str(item.text);
      if (value === 'null') out.push({ type: 'special', options: { match: 'null', result: { text } } });
      else if (item.value !== undefined && item.value !== null) merged[value] = { text };
    } else if (t === 2 || t === '2' || (t === undefined && 'from' in item)) {
      const from = str(item.from);
      const to = str(item.to);
      const text = str(item.text);
      if (from === 'null' && to === 'null') out.push({ type: 'special', options: { match: 'null', result: { text } } });
      else out.push({ type: 'range', options: { from: num(item.from) ?? null, to: num(item.to) ?? null, result: { text } } });
    }
  }
  if (Object.keys(merged).length) out.unshift({ type: 'value', options: merged });
  return out;
}

/** Singlestat's value/range maps (chosen by `mappingType`) as current mappings. */
export function singlestatMappings(panel: Record<string, unknown>): ValueMapping[] {
  // Without a mappingType Grafana guesses from which list has entries.
  const type = num(panel.mappingType) ?? (arr(panel.valueMaps).length ? 1 : arr(panel.rangeMaps).length ? 2 : 1);
  const valueMaps = arr(panel.valueMaps).map((m) => ({ ...obj(m), type: 1 }));
  const rangeMaps = arr(panel.rangeMaps).map((m) => ({ ...obj(m), type: 2 }));
  return normalizeMappings(type === 2 ? rangeMaps : valueMaps);
}
