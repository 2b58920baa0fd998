// One value as a panel shows it: value mapping first, then unit formatting, then the colour
// from the mapping, the thresholds or the field's colour mode — the order Grafana's display
// processor follows, so stat, gauge, table and legend values agree with Grafana.

import { resolveColor, seriesColor } from './colors';
import { applyMappings } from './mappings';
import { activeThreshold } from './thresholds';
import type { FieldConfig } from './types';
import { formatValue, type FormatOptions } from './units';

export interface DisplayValue {
  /** The formatted number (or mapped text), without prefix/suffix. */
  text: string;
  prefix?: string;
  suffix?: string;
  /** CSS colour for the value. */
  color: string;
  /** The raw number (NaN for null). */
  numeric: number;
  /** Present when a value mapping decided the text or colour. */
  mapped?: boolean;
}

export interface DisplayOptions extends FormatOptions {
  /** Data min/max, used by percentage thresholds when the field sets none. */
  dataMin?: number;
  dataMax?: number;
  /** Index of the series, for palette colour modes. */
  seriesIndex?: number;
}

function fieldColor(value: number, config: FieldConfig, opts: DisplayOptions): string {
  const mode = config.color?.mode ?? 'thresholds';
  if (mode === 'fixed' || mode === 'shades') return resolveColor(config.color?.fixedColor);
  if (mode === 'thresholds' || !mode.startsWith('palette')) {
    if (Number.isNaN(value)) return resolveColor(config.thresholds?.steps[0]?.color);
    const step = activeThreshold(value, config.thresholds, config.min ?? opts.dataMin, config.max ?? opts.dataMax);
    return resolveColor(step?.color ?? 'green');
  }
  return seriesColor(opts.seriesIndex ?? 0);
}

/**
 * The display of one value under a field config: a matching value mapping gives the text
 * and/or colour; otherwise the unit formats the number with the configured decimals; a
 * null/NaN value without mapping shows the field's `noValue` (empty when unset).
 */
export function displayValue(value: number | null | undefined, config: FieldConfig, opts: DisplayOptions = {}): DisplayValue {
  const numeric = value === null || value === undefined ? NaN : value;
  const mapping = applyMappings(value ?? null, config.mappings);
  let formatted: { text: string; prefix?: string; suffix?: string };
  if (mapping?.text !== undefined && mapping.text !== '') {
    formatted = { text: mapping.text };
  } else if (Number.isNaN(numeric)) {
    formatted = { text: config.noValue ?? '' };
  } else {
    formatted = formatValue(numeric, config.unit, config.decimals, opts);
  }
  const color = mapping?.color ? resolveColor(mapping.color) : fieldColor(numeric, config, opts);
  const out: DisplayValue = { ...formatted, color, numeric };
  if (mapping) out.mapped = true;
  return out;
}
