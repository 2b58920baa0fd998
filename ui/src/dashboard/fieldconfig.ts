// Field config and value display for the renderers, on top of the model: a series' config
// (defaults plus matching overrides) and a value's text and colour.
import { modelDisplayValue, resolveFieldConfig, type FieldConfig, type Panel } from './bridge';

/** The config for one series (or table column) of `panel`. */
export function fieldConfigFor(panel: Panel, name: string, refId = '', labels?: Record<string, string>): FieldConfig {
  const fc = resolveFieldConfig(panel.fieldConfig, { name, refId, type: 'number', labels });
  return { ...fc, custom: { ...(fc.custom ?? {}) } };
}

/**
 * Text and colour of a value the way stat, gauge, bar gauge and table cells show it (mapping,
 * unit, thresholds); a missing value without mapping or `noValue` reads "No data".
 */
export function displayValue(v: number | null, fc: FieldConfig, fallbackColor: string, seriesIndex = 0): { text: string; color: string } {
  const d = modelDisplayValue(v, fc, { seriesIndex });
  const text = `${d.prefix ?? ''}${d.text}${d.suffix ?? ''}`;
  return { text: text || (v === null ? 'No data' : text), color: d.color || fallbackColor };
}
