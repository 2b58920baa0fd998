// The one place the dashboard UI takes the dashboard model from. Branch `model` is building
// ui/src/dashboard/model/; until each function lands there, ./standin/ supplies a small version
// with the same name and signature, so moving over is an import change here and nowhere else.
export type * from './standin/types';
export { normalizeDashboard } from './standin/normalize';
export { resolveColor, seriesColor, activeThreshold, applyMappings, reduceNumber, formatValueString } from './standin/fields';
export { interpolate, variableRequest, applyVariableRegex, sortOptions, renderLegend } from './standin/variables';
export type { ScopedValue, VarScope, VariableRequest } from './standin/variables';
