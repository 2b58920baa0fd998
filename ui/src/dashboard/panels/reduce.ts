// Reduction of series to single values, shared by stat, gauge, bar gauge and pie chart.
import { displayNameFor, parseRegexString, reduceNumber, type FieldConfig } from '../bridge';
import { fieldConfigFor } from '../fieldconfig';
import type { PanelViewProps } from './types';

export interface ReducedValue {
  name: string;
  value: number | null;
  values: (number | null)[];
  fc: FieldConfig;
  /** A label's value shown instead of a number (`reduceOptions.fields` naming a label). */
  text?: string;
}

/**
 * The label `reduceOptions.fields` picks, if it names one: Grafana lists a Prometheus series'
 * labels as fields of their own, so `/^version$/` shows a label's text. Empty, `Value` or
 * `/^Value$/` mean the numbers.
 */
export function pickedLabel(fields: string | undefined, labels: Record<string, string>): string | null {
  if (!fields) return null;
  const re = parseRegexString(fields, true);
  if (!re || re.test('Value')) return null;
  return Object.keys(labels).find((k) => k !== '__name__' && re.test(k)) ?? null;
}

/** One value per series with the panel's `reduceOptions.calcs` (default last non-null). */
export function reduceSeries(p: PanelViewProps): ReducedValue[] {
  const ro = (p.panel.options.reduceOptions ?? {}) as { calcs?: string[]; limit?: number; fields?: string };
  const calc = ro.calcs?.[0] ?? 'lastNotNull';
  const out = p.data.series.map((s) => {
    const fc = fieldConfigFor(p.panel, s.name, s.refId, s.labels);
    const label = pickedLabel(ro.fields, s.labels);
    const r: ReducedValue = { name: displayNameFor(fc, s.name, s.labels), value: reduceNumber(s.values, calc), values: s.values, fc };
    if (label) r.text = s.labels[label];
    return r;
  });
  return ro.limit ? out.slice(0, ro.limit) : out;
}
