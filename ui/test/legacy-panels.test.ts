import { describe, expect, it } from 'vitest';
import { migrateGraph, migrateSinglestat, normalizeDashboard, resolveFieldConfig, singlestatThresholds } from '../src/dashboard/model';

describe('graph → timeseries', () => {
  const graph = {
    type: 'graph',
    title: 'Traffic',
    yaxes: [
      { format: 'bytes', min: '0', max: null, logBase: 1, label: 'in', show: true },
      { format: 'percentunit', min: 0, max: 1, logBase: 2, show: true },
    ],
    decimals: 1,
    lines: true,
    linewidth: 2,
    fill: 3,
    points: false,
    stack: true,
    percentage: false,
    steppedLine: true,
    nullPointMode: 'connected',
    legend: { show: true, values: true, min: true, max: false, avg: true, current: true, total: true, alignAsTable: true, rightSide: true, sideWidth: 300, sort: 'current', sortDesc: true },
    tooltip: { shared: false, sort: 2 },
    seriesOverrides: [
      { alias: 'errors', yaxis: 2, color: '#F00', lines: false, bars: true },
      { alias: '/.*out.*/', transform: 'negative-Y', fill: 0, stack: false, linewidth: 4, legend: false },
      { alias: 'dashed', dashes: true, dashLength: 4, spaceLength: 2 },
    ],
    aliasColors: { total: 'purple' },
    thresholds: [
      { value: 80, op: 'gt', colorMode: 'critical', fill: true, line: true },
      { value: 10, op: 'gt', colorMode: 'warning', fill: false, line: true },
    ],
  };
  const m = migrateGraph(graph);
  const d = m.fieldConfig.defaults;

  it('takes unit, min, decimals and label from the left axis', () => {
    expect(m.type).toBe('timeseries');
    expect(d.unit).toBe('bytes');
    expect(d.min).toBe(0);
    expect(d.max).toBeUndefined();
    expect(d.decimals).toBe(1);
    expect(d.custom?.axisLabel).toBe('in');
    expect(d.custom?.scaleDistribution).toBeUndefined();
  });

  it('maps draw options to custom config', () => {
    expect(d.custom).toMatchObject({
      drawStyle: 'line',
      lineWidth: 2,
      fillOpacity: 30,
      showPoints: 'never',
      lineInterpolation: 'stepAfter',
      spanNulls: true,
      stacking: { mode: 'normal', group: 'A' },
    });
  });

  it('maps legend values to calcs in the order written, table and right placement', () => {
    expect(m.options.legend).toEqual({ showLegend: true, displayMode: 'table', placement: 'right', calcs: ['min', 'mean', 'lastNotNull', 'sum'], sortBy: 'Last *', sortDesc: true, width: 300 });
    expect(m.options.tooltip).toEqual({ mode: 'single', sort: 'desc' });
  });

  it('sends yaxis-2 series to the right axis with its unit and scale', () => {
    const errors = m.fieldConfig.overrides.find((o) => o.matcher.options === 'errors')!;
    expect(errors.matcher.id).toBe('byName');
    const props = Object.fromEntries(errors.properties.map((p) => [p.id, p.value]));
    expect(props).toMatchObject({
      color: { mode: 'fixed', fixedColor: '#F00' },
      'custom.axisPlacement': 'right',
      unit: 'percentunit',
      min: 0,
      max: 1,
      'custom.scaleDistribution': { type: 'log', log: 2 },
      'custom.drawStyle': 'bars',
    });
  });

  it('turns regex aliases, negative-Y, fill, stack, hidden legend and dashes into overrides', () => {
    const out = m.fieldConfig.overrides.find((o) => o.matcher.options === '/.*out.*/')!;
    expect(out.matcher.id).toBe('byRegexp');
    const props = Object.fromEntries(out.properties.map((p) => [p.id, p.value]));
    expect(props).toEqual({
      'custom.transform': 'negative-Y',
      'custom.fillOpacity': 0,
      'custom.lineWidth': 4,
      'custom.stacking': { mode: 'none', group: 'A' },
      'custom.hideFrom': { legend: true, tooltip: false, viz: false },
    });
    const dashed = m.fieldConfig.overrides.find((o) => o.matcher.options === 'dashed')!;
    expect(dashed.properties).toEqual([{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [4, 2] } }]);
  });

  it('puts aliasColors first, so a series override colour wins', () => {
    expect(m.fieldConfig.overrides[0]).toEqual({ matcher: { id: 'byName', options: 'total' }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: 'purple' } }] });
    const both = migrateGraph({ aliasColors: { a: 'blue' }, seriesOverrides: [{ alias: 'a', color: 'red' }] });
    expect(resolveFieldConfig(both.fieldConfig, { name: 'a' }).color).toEqual({ mode: 'fixed', fixedColor: 'red' });
  });

  it('bars are solid, lines:false hides the line, pointradius sizes points', () => {
    const g = migrateGraph({ bars: true, fill: 1, points: true, pointradius: 3, seriesOverrides: [{ alias: 'x', lines: false, pointradius: 1 }] });
    expect(g.fieldConfig.defaults.custom).toMatchObject({ drawStyle: 'bars', fillOpacity: 100, showPoints: 'always', pointSize: 8 });
    expect(g.fieldConfig.overrides[0].properties).toEqual([
      { id: 'custom.lineWidth', value: 0 },
      { id: 'custom.pointSize', value: 4 },
    ]);
    expect(migrateGraph({ lines: false, points: true }).fieldConfig.defaults.custom?.drawStyle).toBe('points');
  });

  it('colours below an "lt" threshold', () => {
    const g = migrateGraph({ thresholds: [{ value: 5, op: 'lt', colorMode: 'critical', fill: true, line: false }, { value: 90, op: 'gt', colorMode: 'warning', fill: true, line: false }] });
    expect(g.fieldConfig.defaults.thresholds?.steps).toEqual([
      { value: null, color: 'red' },
      { value: 5, color: 'transparent' },
      { value: 90, color: 'orange' },
    ]);
    expect(g.fieldConfig.defaults.custom?.thresholdsStyle).toEqual({ mode: 'area' });
  });

  it('turns threshold lines into sorted steps with a style', () => {
    expect(d.thresholds).toEqual({
      mode: 'absolute',
      steps: [
        { value: null, color: 'transparent' },
        { value: 10, color: 'orange' },
        { value: 80, color: 'red' },
      ],
    });
    expect(d.custom?.thresholdsStyle).toEqual({ mode: 'line+area' });
  });

  it('uses log scale from logBase and percent stacking', () => {
    const g = migrateGraph({ yaxes: [{ format: 'short', logBase: 10 }, {}], stack: true, percentage: true, bars: true });
    expect(g.fieldConfig.defaults.custom).toMatchObject({ scaleDistribution: { type: 'log', log: 10 }, stacking: { mode: 'percent', group: 'A' }, drawStyle: 'bars' });
  });

  it('reads the seeds’ `yAxes` spelling and legend off', () => {
    const g = migrateGraph({ yAxes: [{ label: 'Milliseconds', min: 0, format: 'ms' }], legend: { show: false } });
    expect(g.fieldConfig.defaults).toMatchObject({ unit: 'ms', min: 0 });
    expect((g.options.legend as { showLegend: boolean }).showLegend).toBe(false);
  });

  it('lets the axes win over field config the graph already had, keeping its overrides first', () => {
    const { dashboard } = normalizeDashboard({
      panels: [
        {
          type: 'graph',
          yaxes: [{ format: 'bytes' }, {}],
          aliasColors: { a: 'red' },
          fieldConfig: { defaults: { unit: 'ms', links: [{ title: 'x' }] }, overrides: [{ matcher: { id: 'byName', options: 'z' }, properties: [{ id: 'decimals', value: 1 }] }] },
        },
        { type: 'graph', fieldConfig: { defaults: { unit: 'ms' } } },
      ],
    });
    const [withAxis, withoutAxis] = dashboard.panels;
    expect(withAxis.fieldConfig.defaults.unit).toBe('bytes');
    expect(withAxis.fieldConfig.defaults.links).toEqual([{ title: 'x' }]);
    expect(withAxis.fieldConfig.overrides.map((o) => o.matcher.options)).toEqual(['z', 'a']);
    expect(withoutAxis.fieldConfig.defaults.unit).toBe('ms');
  });

  it('warns when the x axis was not time', () => {
    expect(migrateGraph({ title: 'h', xaxis: { mode: 'histogram' } }).warnings).toHaveLength(1);
  });
});

describe('singlestat → stat/gauge', () => {
  it('builds steps from thresholds and colours', () => {
    expect(singlestatThresholds('0.1,1', ['green', 'yellow', 'red'])).toEqual([
      { value: null, color: 'green' },
      { value: 0.1, color: 'yellow' },
      { value: 1, color: 'red' },
    ]);
    expect(singlestatThresholds('', ['green'])).toBeNull();
    // Without colours, singlestat's own defaults.
    expect(singlestatThresholds(' 5 , 10 ', [])).toHaveLength(3);
    // One step per colour: a colour with no threshold is dropped, a threshold with no colour too.
    expect(singlestatThresholds('5', ['a', 'b', 'c'])).toEqual([{ value: null, color: 'a' }, { value: 5, color: 'b' }]);
    expect(singlestatThresholds('5,10,20', ['a', 'b'])).toEqual([{ value: null, color: 'a' }, { value: 5, color: 'b' }]);
  });

  it.each([
    ['avg', 'mean'],
    ['current', 'lastNotNull'],
    ['max', 'max'],
    ['min', 'min'],
    ['total', 'sum'],
    ['first', 'first'],
    ['delta', 'delta'],
    ['diff', 'diff'],
    ['range', 'range'],
    ['last_time', 'lastNotNull'],
  ])('valueName %s → %s', (valueName, calc) => {
    const m = migrateSinglestat({ valueName });
    expect((m.options.reduceOptions as { calcs: string[] }).calcs).toEqual([calc]);
  });

  it('maps format, decimals, sparkline, colour mode and maps', () => {
    const m = migrateSinglestat({
      format: 'bytes',
      decimals: 2,
      sparkline: { show: true },
      colorBackground: true,
      mappingType: 1,
      valueMaps: [{ op: '=', value: '1', text: 'UP' }, { op: '=', value: '0', text: 'DOWN' }],
      rangeMaps: [{ from: '0', to: '10', text: 'low' }],
      nullText: 'none',
    });
    expect(m.type).toBe('stat');
    expect(m.fieldConfig.defaults).toMatchObject({ unit: 'bytes', decimals: 2, noValue: 'none', mappings: [{ type: 'value', options: { '1': { text: 'UP' }, '0': { text: 'DOWN' } } }] });
    expect(m.options).toMatchObject({ graphMode: 'area', colorMode: 'background' });
    const ranged = migrateSinglestat({ mappingType: 2, rangeMaps: [{ from: '0', to: '10', text: 'low' }], colorValue: true });
    expect(ranged.fieldConfig.defaults.mappings).toEqual([{ type: 'range', options: { from: 0, to: 10, result: { text: 'low' } } }]);
    expect(ranged.options.colorMode).toBe('value');
    expect(migrateSinglestat({}).options.colorMode).toBe('none');
    // No mappingType: guessed from the list that has entries.
    expect(migrateSinglestat({ rangeMaps: [{ from: '1', to: '2', text: 'r' }] }).fieldConfig.defaults.mappings).toHaveLength(1);
    expect(migrateSinglestat({ tableColumn: 'Value #A' }).options.reduceOptions).toMatchObject({ fields: '/^Value #A$/' });
  });

  it('turns prefix/postfix on a plain number into a custom unit', () => {
    expect(migrateSinglestat({ format: 'none', postfix: ' req' }).fieldConfig.defaults.unit).toBe('suffix:req');
    expect(migrateSinglestat({ prefix: '$' }).fieldConfig.defaults.unit).toBe('prefix:$');
    const kept = migrateSinglestat({ format: 'bytes', postfix: '/day' });
    expect(kept.fieldConfig.defaults.unit).toBe('bytes');
    expect(kept.legacy.postfix).toBe('/day');
  });

  it('becomes a gauge with min/max when the gauge was shown', () => {
    const m = migrateSinglestat({ gauge: { show: true, minValue: 10, maxValue: 50, thresholdMarkers: true, thresholdLabels: true }, thresholds: '20,40', colors: ['a', 'b', 'c'] });
    expect(m.type).toBe('gauge');
    expect(m.fieldConfig.defaults).toMatchObject({ min: 10, max: 50 });
    expect(m.options).toMatchObject({ showThresholdMarkers: true, showThresholdLabels: true });
    expect(m.fieldConfig.defaults.thresholds?.steps.map((s) => s.color)).toEqual(['a', 'b', 'c']);
  });

  it('keeps an explicit fieldConfig of a singlestat over the migrated one', () => {
    const { dashboard } = normalizeDashboard({ panels: [{ type: 'singlestat', format: 'bytes', fieldConfig: { defaults: { unit: 'short' } } }] });
    expect(dashboard.panels[0].fieldConfig.defaults.unit).toBe('short');
  });
});

describe('grafana-piechart-panel → piechart', () => {
  it('carries pie type, reducer, unit, legend and alias colours', () => {
    const { dashboard } = normalizeDashboard({
      panels: [
        {
          type: 'grafana-piechart-panel',
          pieType: 'donut',
          valueName: 'total',
          format: 'currencyUSD',
          decimals: 1,
          legendType: 'Right side',
          legend: { show: true, values: true, percentage: true },
          aliasColors: { email: '#FF0000' },
          targets: [{ expr: 'sum by (channel) (x)' }],
        },
      ],
    });
    const p = dashboard.panels[0];
    expect(p.type).toBe('piechart');
    expect(p.options).toMatchObject({ pieType: 'donut', reduceOptions: { calcs: ['sum'] }, legend: { showLegend: true, placement: 'right', values: ['value', 'percent'] } });
    expect(p.fieldConfig.defaults).toMatchObject({ unit: 'currencyUSD', decimals: 1 });
    expect(p.fieldConfig.overrides).toEqual([{ matcher: { id: 'byName', options: 'email' }, properties: [{ id: 'color', value: { mode: 'fixed', fixedColor: '#FF0000' } }] }]);
  });
  it('leaves a core piechart (the business seed) as written', () => {
    const { dashboard } = normalizeDashboard({ panels: [{ type: 'piechart', options: { pieType: 'pie', legend: { placement: 'bottom' } } }] });
    expect(dashboard.panels[0].options).toMatchObject({ pieType: 'pie', legend: { placement: 'bottom', showLegend: true } });
  });
});

describe('angular table → table', () => {
  const { dashboard } = normalizeDashboard({
    panels: [
      {
        type: 'table-old',
        transform: 'timeseries_aggregations',
        columns: [{ text: 'Avg', value: 'avg' }, { text: 'Current', value: 'current' }],
        sort: { col: 1, desc: true },
        styles: [
          { pattern: 'Time', type: 'date', dateFormat: 'YYYY-MM-DD HH:mm' },
          { pattern: '/.*/', type: 'number', unit: 'bytes', decimals: 1, colorMode: 'cell', thresholds: ['10', '20'], colors: ['green', 'orange', 'red'] },
          { pattern: '/^inst/', alias: 'Instance', type: 'string', align: 'left' },
          { pattern: 'secret', type: 'hidden' },
        ],
      },
    ],
  });
  const p = dashboard.panels[0];
  it('becomes a table with the catch-all style as defaults', () => {
    expect(p.type).toBe('table');
    expect(p.fieldConfig.defaults).toMatchObject({ unit: 'bytes', decimals: 1, custom: { cellOptions: { type: 'color-background' } } });
    expect(p.fieldConfig.defaults.thresholds?.steps).toEqual([
      { value: null, color: 'green' },
      { value: 10, color: 'orange' },
      { value: 20, color: 'red' },
    ]);
  });
  it('turns the other styles into overrides', () => {
    const byPattern = new Map(p.fieldConfig.overrides.map((o) => [o.matcher.options, o]));
    expect(byPattern.get('Time')!.properties).toEqual([{ id: 'unit', value: 'time:YYYY-MM-DD HH:mm' }]);
    expect(byPattern.get('/^inst/')!.matcher.id).toBe('byRegexp');
    expect(byPattern.get('/^inst/')!.properties).toEqual([
      { id: 'displayName', value: 'Instance' },
      { id: 'custom.align', value: 'left' },
    ]);
    expect(byPattern.get('secret')!.properties).toEqual([{ id: 'custom.hidden', value: true }]);
  });
  it('turns the transform and sort into a transformation and sortBy', () => {
    expect(p.transformations).toEqual([{ id: 'reduce', options: { reducers: ['mean', 'lastNotNull'], includeTimeField: false } }]);
    expect(p.options.sortBy).toEqual([{ displayName: 'Current', desc: true }]);
  });
});
