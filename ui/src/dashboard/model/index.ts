// The dashboard model's public API: what panel renderers, the dashboard page and the
// variable bar import. Everything here is pure (no DOM, no fetch) so it is unit-tested.

export type * from './types';

// Normalisation of any Grafana dashboard JSON into the one model shape.
export { normalizeDashboard, normalizeTargets, normalizeVariable, allPanels } from './migrate';
export type { NormalizeResult } from './migrate';
export { migrateGraph, aliasMatcher } from './graph';
export { migrateOldPiechart } from './piechart';
export { migrateAngularTable, isAngularTable } from './table';
export { migrateSinglestat, singlestatThresholds, VALUE_NAME_CALCS } from './singlestat';
export { normalizeMappings, normalizeThresholds } from './legacy';
export { expandRepeats, repeatValues } from './repeat';
export type { RepeatValue } from './repeat';
export { modernizePanelOptions } from './modernize';
export { applyPanelDefaults, mergeDefaults, PANEL_OPTION_DEFAULTS } from './defaults';
export { GRID_COLUMNS, pixelsToGridHeight, overlaps, defaultSize, AutoPlacer, RowPlacer } from './layout';

// Template variables and interpolation.
export {
  variableRequest,
  interpolatedVariableRequest,
  interpolatedRegex,
  variableQueryText,
  optionsFromResponse,
  renderQueryResult,
  renderSeries,
  applyVariableRegex,
  sortOptions,
  customOptions,
  intervalOptions,
  autoIntervalBuiltins,
  withAllOption,
  selectCurrent,
  dependsOn,
  dependencyOrder,
  dependents,
  buildQueryOptions,
  staticOptions,
} from './variables';
export type { VariableRequest, VariableResponse, PromSample } from './variables';
export {
  interpolate,
  referencedVariables,
  prometheusFormat,
  prometheusRegularEscape,
  prometheusSpecialRegexEscape,
  toInterpolationVariable,
  FORMATS,
  ALL_VALUE,
  ALL_TEXT,
} from './interpolate';
export type { InterpolationContext, InterpolationVariable, MultiFormat, VariableValue, FormatFunction } from './interpolate';

// Query intervals.
export { computeQueryInterval, calculateInterval, alignRange, builtinVariables, parseIntervalMs, secondsToHms, MAX_SOURCE_POINTS, DEFAULT_SCRAPE_INTERVAL_MS } from './intervals';
export type { IntervalInput, IntervalResult } from './intervals';

// Display: units, field config, thresholds, mappings, reducers, colours, names.
export { formatValue, formatValueString, formattedToString, formatDateTime, toFixed, autoDecimals, isKnownUnit, relativeTime } from './units';
export type { FormattedValue, FormatOptions } from './units';
export { resolveFieldConfig, matcherMatches, matchingOverrides, setConfigProperty, customOption, isNegativeY, axisPlacement, hiddenFrom } from './fieldconfig';
export type { SeriesDescriptor } from './fieldconfig';
export { activeThreshold, activeStep, sortThresholdSteps, DEFAULT_THRESHOLDS } from './thresholds';
export { applyMappings } from './mappings';
export { displayValue } from './display';
export type { DisplayValue, DisplayOptions } from './display';
export { reduce, reduceNumber, REDUCER_IDS } from './reduce';
export type { ReducerId } from './reduce';
export { resolveColor, seriesColor, CLASSIC_PALETTE, TEXT_COLOR } from './colors';
export { seriesName, renderLegendFormat, defaultSeriesName, renderDisplayName, displayNameFor } from './legend';
export type { Labels } from './legend';
export { parseRegexString, escapeRegex } from './regex';
