import { describe, expect, it } from 'vitest';
import { mergeDefaults, normalizeDashboard } from '../src/dashboard/model';
import { fixture } from './helpers';

describe('panel defaults', () => {
  const englog = normalizeDashboard(fixture('seeds/englog.dashboard-overview.json')).dashboard;
  const byTitle = (t: string) => englog.panels.find((p) => p.title === t)!;

  it('fills a bare stat panel with Grafana’s stat options', () => {
    expect(byTitle('API Request Rate').options).toMatchObject({
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: 'value',
      graphMode: 'area',
      justifyMode: 'auto',
      textMode: 'auto',
    });
  });

  it('gives pre-8 percent stats a 0–100 range', () => {
    expect(byTitle('Error Rate').fieldConfig.defaults).toMatchObject({ unit: 'percent', min: 0, max: 100 });
    const modern = normalizeDashboard({ panels: [{ type: 'stat', pluginVersion: '10.4.0', fieldConfig: { defaults: { unit: 'percentunit' } } }] }).dashboard.panels[0];
    expect(modern.fieldConfig.defaults.min).toBeUndefined();
    const old = normalizeDashboard({ panels: [{ type: 'gauge', pluginVersion: '7.5.0', fieldConfig: { defaults: { unit: 'percentunit', max: 2 } } }] }).dashboard.panels[0];
    expect(old.fieldConfig.defaults).toMatchObject({ min: 0, max: 2 });
  });

  it('fills a bare time series with legend, tooltip and draw defaults', () => {
    const p = byTitle('Active Users');
    expect(p.options).toMatchObject({ legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] }, tooltip: { mode: 'single' } });
    expect(p.fieldConfig.defaults.custom).toMatchObject({ drawStyle: 'line', lineWidth: 1, fillOpacity: 0, showPoints: 'auto', pointSize: 5 });
    expect(p.fieldConfig.defaults.color).toEqual({ mode: 'palette-classic' });
    expect(p.fieldConfig.defaults.thresholds?.steps).toEqual([
      { value: null, color: 'green' },
      { value: 80, color: 'red' },
    ]);
  });

  it('keeps what the panel says over the defaults', () => {
    const p = byTitle('API Request Rate');
    expect(p.fieldConfig.defaults.thresholds?.steps.map((s) => s.value)).toEqual([null, 50, 100]);
    const custom = normalizeDashboard({ panels: [{ type: 'timeseries', options: { legend: { placement: 'right' } }, fieldConfig: { defaults: { custom: { fillOpacity: 25 } } } }] }).dashboard.panels[0];
    expect(custom.options.legend).toMatchObject({ placement: 'right', showLegend: true });
    expect(custom.fieldConfig.defaults.custom).toMatchObject({ fillOpacity: 25, lineWidth: 1 });
  });

  it('gives seed graphs the short unit and seed singlestats the N/A mapping', () => {
    const overview = normalizeDashboard(fixture('seeds/cart-recovery.dashboard-overview.json')).dashboard;
    const graph = overview.panels.find((p) => p.title === 'Event Processing Rate (Ingestion Service)')!;
    expect(graph.fieldConfig.defaults.unit).toBe('short');
    const single = overview.panels.find((p) => p.title === 'Elysia Services Error Rate %')!;
    expect(single.fieldConfig.defaults.mappings).toEqual([{ type: 'special', options: { match: 'null', result: { text: 'N/A' } } }]);
  });

  it('renames options Grafana renamed (tooltipOptions, hidden legend, table display mode)', () => {
    const { dashboard } = normalizeDashboard({
      panels: [
        { type: 'timeseries', options: { tooltipOptions: { mode: 'multi' }, legend: { displayMode: 'hidden', placement: 'bottom' } } },
        { type: 'table', fieldConfig: { defaults: { custom: { displayMode: 'lcd-gauge', align: 'left' } }, overrides: [{ matcher: { id: 'byName', options: 'x' }, properties: [{ id: 'custom.displayMode', value: 'color-background' }] }] } },
      ],
    });
    const [ts, table] = dashboard.panels;
    expect(ts.options.tooltip).toMatchObject({ mode: 'multi' });
    expect(ts.options).not.toHaveProperty('tooltipOptions');
    expect(ts.options.legend).toMatchObject({ showLegend: false, displayMode: 'list' });
    expect(table.fieldConfig.defaults.custom).toEqual({ align: 'left', cellOptions: { type: 'gauge', mode: 'lcd' } });
    expect(table.fieldConfig.overrides[0].properties[0]).toEqual({ id: 'custom.cellOptions', value: { type: 'color-background', mode: 'gradient' } });
  });

  it('mergeDefaults merges objects and lets arrays and scalars win', () => {
    expect(mergeDefaults({ a: { b: 1, c: 2 }, d: [1], e: 1 }, { a: { b: 5 }, d: [], e: undefined })).toEqual({ a: { b: 5, c: 2 }, d: [], e: 1 });
  });
});
