// The old `grafana-piechart-panel` plugin as the core `piechart` panel: pie or donut, the
// reducer, unit and decimals, legend side and values, alias colours as overrides — the
// settings Grafana's own piechart migration carries over.

import { VALUE_NAME_CALCS } from './singlestat';
import { num, obj, optStr, str, type Json } from './json';
import type { FieldConfigSource, Override } from './types';

export interface PiechartMigration {
  fieldConfig: FieldConfigSource;
  options: Record<string, unknown>;
}

/** Migrates the old plugin's options; panels already in the core format pass unchanged. */
export function migrateOldPiechart(panel: Json, existing: FieldConfigSource): PiechartMigration {
  const legend = obj(panel.legend);
  const values: string[] = [];
  if (legend.values === true) values.push('value');
  if (legend.percentage === true) values.push('percent');
  const placement = panel.legendType === 'Right side' ? 'right' : 'bottom';
  const options: Record<string, unknown> = {
    pieType: panel.pieType === 'donut' ? 'donut' : 'pie',
    reduceOptions: { calcs: [VALUE_NAME_CALCS[str(panel.valueName, 'current')] ?? 'lastNotNull'], fields: '', values: false },
    legend: { showLegend: legend.show !== false && panel.legendType !== 'On graph', displayMode: 'list', placement, values },
    displayLabels: panel.legendType === 'On graph' ? ['name'] : [],
  };
  const defaults = { ...existing.defaults };
  const unit = optStr(panel.format);
  if (unit && !defaults.unit) defaults.unit = unit;
  const decimals = num(panel.decimals);
  if (decimals !== undefined && defaults.decimals === undefined) defaults.decimals = decimals;
  const overrides: Override[] = [...existing.overrides];
  for (const [alias, color] of Object.entries(obj(panel.aliasColors))) {
    if (typeof color === 'string' && color) overrides.push({ matcher: { id: 'byName', options: alias }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: color } }] });
  }
  return { fieldConfig: { defaults, overrides }, options };
}
