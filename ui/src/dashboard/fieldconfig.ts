// A series' effective field config: the panel's defaults with the overrides whose matcher
// picks that series (by name, regex, query refId), applied in order like Grafana does.
import { activeThreshold, applyMappings, formatValueString, resolveColor, type FieldConfig, type Panel } from './bridge';

function matches(m: { id: string; options?: unknown }, name: string, refId: string): boolean {
  const opt = m.options;
  switch (m.id) {
    case 'byName':
      return typeof opt === 'string' && opt === name;
    case 'byRegexp': {
      if (typeof opt !== 'string') return false;
      const lit = /^\/(.*)\/([gimsuy]*)$/s.exec(opt);
      try {
        const re = lit ? new RegExp(lit[1], lit[2].replace('g', '')) : new RegExp(`^(?:${opt})$`);
        return re.test(name);
      } catch {
        return false;
      }
    }
    case 'byFrameRefID':
      return opt === refId;
    case 'byNames':
      return !!opt && typeof opt === 'object' && Array.isArray((opt as { names?: unknown }).names) && ((opt as { names: string[] }).names).includes(name);
    default:
      return false;
  }
}

/** The config for one series (or table column) of `panel`. */
export function fieldConfigFor(panel: Panel, name: string, refId = ''): FieldConfig {
  const fc: FieldConfig = { ...panel.fieldConfig.defaults, custom: { ...(panel.fieldConfig.defaults.custom ?? {}) } };
  for (const o of panel.fieldConfig.overrides ?? []) {
    if (!o?.matcher || !matches(o.matcher, name, refId)) continue;
    for (const p of o.properties ?? []) {
      if (p.id.startsWith('custom.')) fc.custom![p.id.slice(7)] = p.value;
      else (fc as Record<string, unknown>)[p.id] = p.value;
    }
  }
  return fc;
}

/** Text and colour of a value the way stat, gauge, bar gauge and table cells show it. */
export function displayValue(v: number | null, fc: FieldConfig, fallbackColor: string): { text: string; color: string } {
  const mapped = applyMappings(v, fc.mappings);
  const text = mapped?.text ?? (v === null ? fc.noValue ?? 'No data' : formatValueString(v, fc.unit, fc.decimals));
  let color = fallbackColor;
  if (mapped?.color) color = resolveColor(mapped.color);
  else if (fc.color?.mode === 'fixed' && fc.color.fixedColor) color = resolveColor(fc.color.fixedColor);
  else if (v !== null && (!fc.color || fc.color.mode === 'thresholds' || fc.thresholds)) {
    const step = activeThreshold(v, fc.thresholds, fc.min, fc.max);
    if (step) color = resolveColor(step.color);
  }
  return { text, color };
}

/** Formats a number with the config's unit and decimals. */
export function formatter(fc: FieldConfig): (v: number) => string {
  return (v) => formatValueString(v, fc.unit, fc.decimals);
}
