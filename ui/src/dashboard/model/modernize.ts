// Small option renames Grafana made between schema 30 and 38 on panels that were already
// React panels: `tooltipOptions` → `tooltip`, a hidden legend → `showLegend: false`, table
// `displayMode` → `cellOptions`. Applied so renderers only know the current names.

import type { Panel } from './types';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Table cell display modes of Grafana < 10 as the cell options that replaced them. */
const CELL_OPTIONS: Record<string, Record<string, string>> = {
  auto: { type: 'auto' },
  'color-background': { type: 'color-background', mode: 'gradient' },
  'color-background-solid': { type: 'color-background', mode: 'basic' },
  'color-text': { type: 'color-text' },
  'gradient-gauge': { type: 'gauge', mode: 'gradient' },
  'lcd-gauge': { type: 'gauge', mode: 'lcd' },
  basic: { type: 'gauge', mode: 'basic' },
  'json-view': { type: 'json-view' },
  image: { type: 'image' },
};

function migrateCustomDisplayMode(custom: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!custom || typeof custom.displayMode !== 'string') return custom;
  const { displayMode, ...rest } = custom;
  const cell = CELL_OPTIONS[displayMode as string];
  if (!cell || isRecord(rest.cellOptions)) return rest;
  return { ...rest, cellOptions: { ...cell } };
}

/** Applies the renames to one panel (in place) and returns it. */
export function modernizePanelOptions(panel: Panel): Panel {
  const o = panel.options;
  if (isRecord(o.tooltipOptions) && !isRecord(o.tooltip)) {
    o.tooltip = o.tooltipOptions;
    delete o.tooltipOptions;
  }
  if (isRecord(o.legend) && o.legend.displayMode === 'hidden') {
    o.legend = { ...o.legend, displayMode: 'list', showLegend: false };
  }
  if (panel.type === 'table') {
    const d = panel.fieldConfig.defaults;
    d.custom = migrateCustomDisplayMode(d.custom);
    for (const ov of panel.fieldConfig.overrides) {
      for (const p of ov.properties) {
        if (p.id === 'custom.displayMode' && typeof p.value === 'string' && CELL_OPTIONS[p.value]) {
          p.id = 'custom.cellOptions';
          p.value = { ...CELL_OPTIONS[p.value] };
        }
      }
    }
  }
  return panel;
}
