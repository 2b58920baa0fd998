// Reduction of series to single values, shared by stat, gauge, bar gauge and pie chart.
import { reduceNumber } from '../bridge';
import type { PanelViewProps } from './types';
import { fieldConfigFor } from '../fieldconfig';
import type { FieldConfig } from '../bridge';

export interface ReducedValue {
  name: string;
  value: number | null;
  values: (number | null)[];
  fc: FieldConfig;
}

/** One value per series with the panel's `reduceOptions.calcs` (default last non-null). */
export function reduceSeries(p: PanelViewProps): ReducedValue[] {
  const ro = (p.panel.options.reduceOptions ?? {}) as { calcs?: string[]; limit?: number };
  const calc = ro.calcs?.[0] ?? 'lastNotNull';
  const out = p.data.series.map((s) => {
    const fc = fieldConfigFor(p.panel, s.name, s.refId);
    return { name: fc.displayName ?? s.name, value: reduceNumber(s.values, calc), values: s.values, fc };
  });
  return ro.limit ? out.slice(0, ro.limit) : out;
}
