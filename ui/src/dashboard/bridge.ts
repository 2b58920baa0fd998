// The one place the dashboard UI takes the dashboard model (./model, branch `model`) from,
// with the adapter the UI needs on top: dashboard variables, panel-repeat values and
// built-ins as one `VarScope`.
import * as model from './model';
import type { Dashboard } from './model';


export type * from './model';
export {
  resolveColor,
  seriesColor,
  activeThreshold,
  applyMappings,
  reduceNumber,
  formatValueString,
  resolveFieldConfig,
  displayValue as modelDisplayValue,
  seriesName,
  computeQueryInterval,
  builtinVariables,
  alignRange,
  interpolatedVariableRequest,
  interpolatedRegex,
  optionsFromResponse,
  buildQueryOptions,
  staticOptions,
  selectCurrent,
  allPanels,
  expandRepeats,
  displayNameFor,
  parseRegexString,
  autoIntervalBuiltins,
  variableQueryText,
  referencedVariables,
} from './model';
export type { VariableRequest, VariableResponse, InterpolationContext } from './model';

/** A variable's value in one scope: what `$name` expands to. */
export interface ScopedValue {
  /** Selected value(s); `$__all` when All is selected. */
  value: string | string[];
  text?: string | string[];
  /** Every option's value, for expanding All without an allValue. */
  all?: string[];
  allValue?: string | null;
  /** Multi/All values are regex-escaped and joined as `(a|b)` in queries. */
  multiOrAll?: boolean;
}
/** Variables by name, as a panel sees them (dashboard variables, repeat values, built-ins). */
export type VarScope = Record<string, ScopedValue>;

/** The model's interpolation context for a scope. */
export function contextOf(scope: VarScope): model.InterpolationContext {
  return {
    variables: Object.entries(scope).map(([name, v]) => ({
      name,
      value: v.value,
      text: v.text,
      multi: !!v.multiOrAll,
      includeAll: !!v.multiOrAll,
      allValue: v.allValue ?? null,
      options: v.all,
    })),
  };
}

/**
 * Expands variables in `text` the Prometheus data source's way (label-value escaping, `(a|b)`
 * for several values), or with an explicit format such as `text` for titles.
 */
export function interpolate(text: string, scope: VarScope, format?: string): string {
  return model.interpolate(text, contextOf(scope), format ?? model.prometheusFormat);
}

/** The model's normalised dashboard, with the notes of what its migration could not carry over. */
export function normalizeDashboard(raw: unknown): { dashboard: Dashboard; warnings: string[] } {
  return model.normalizeDashboard(raw);
}
