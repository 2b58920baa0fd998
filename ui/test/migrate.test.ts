import { describe, expect, it } from 'vitest';
import { allPanels, normalizeDashboard, type Panel } from '../src/dashboard/model';
import { fixture, insideGrid, overlapping } from './helpers';

/** Warnings that mean something of the dashboard was lost. */
const LOSSY = /dropped|not supported|ignored|shown as/;

function rawPanelCount(panels: unknown[]): number {
  let n = 0;
  for (const p of panels as { panels?: unknown[] }[]) n += 1 + rawPanelCount(p.panels ?? []);
  return n;
}

describe('seed dashboards', () => {
  const seeds = ['cart-recovery.dashboard-business.json', 'cart-recovery.dashboard-overview.json', 'englog.dashboard-overview.json'];
  for (const name of seeds) {
    it(`${name} normalises without loss, on the grid, no overlaps`, () => {
      const raw = fixture(`seeds/${name}`) as { dashboard: { panels: unknown[]; title: string } };
      const { dashboard, warnings } = normalizeDashboard(raw);
      expect(warnings.filter((w) => LOSSY.test(w))).toEqual([]);
      expect(dashboard.title).toBe(raw.dashboard.title);
      expect(dashboard.panels).toHaveLength(raw.dashboard.panels.length);
      for (const p of dashboard.panels) expect(insideGrid(p), `${p.title} ${JSON.stringify(p.gridPos)}`).toBe(true);
      expect(overlapping(dashboard.panels)).toEqual([]);
      const ids = dashboard.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const p of dashboard.panels) {
        expect(p.targets.length).toBeGreaterThan(0);
        p.targets.forEach((t, i) => expect(t.refId).toBe(String.fromCharCode(65 + i)));
      }
    });
  }

  it('keeps the invalid PromQL sum(x[24h]) verbatim', () => {
    // The seed with this expression is the cart-recovery overview.
    const overview = normalizeDashboard(fixture('seeds/cart-recovery.dashboard-overview.json')).dashboard;
    const all = overview.panels.flatMap((p) => p.targets.map((t) => t.expr));
    expect(all).toContain('(sum(ml_predictions_correct_total[24h]) / sum(ml_predictions_total[24h])) * 100');
  });

  it('turns the overview graphs into time series with the yAxes min and label', () => {
    const { dashboard } = normalizeDashboard(fixture('seeds/cart-recovery.dashboard-overview.json'));
    const byTitle = new Map(dashboard.panels.map((p) => [p.title, p]));
    const rates = byTitle.get('Elysia Service Request Rates')!;
    expect(rates.type).toBe('timeseries');
    expect(rates.fieldConfig.defaults.min).toBe(0);
    expect(rates.fieldConfig.defaults.custom?.axisLabel).toBe('Requests/sec');
    expect(byTitle.get('Revenue Recovery')!.fieldConfig.defaults.custom?.axisLabel).toBe('USD');
    expect(dashboard.panels.filter((p) => p.type === 'graph')).toEqual([]);
  });

  it('turns the singlestat with thresholds "0.1,1" into stat steps with its colours', () => {
    const { dashboard } = normalizeDashboard(fixture('seeds/cart-recovery.dashboard-overview.json'));
    const p = dashboard.panels.find((x) => x.title === 'Elysia Services Error Rate %')!;
    expect(p.type).toBe('stat');
    expect(p.fieldConfig.defaults.thresholds).toEqual({
      mode: 'absolute',
      steps: [
        { value: null, color: 'green' },
        { value: 0.1, color: 'yellow' },
        { value: 1, color: 'red' },
      ],
    });
    expect(p.options.reduceOptions).toMatchObject({ calcs: ['mean'] });
  });

  it('keeps englog time, refresh, timezone and stat thresholds', () => {
    const { dashboard } = normalizeDashboard(fixture('seeds/englog.dashboard-overview.json'));
    expect(dashboard.time).toEqual({ from: 'now-1h', to: 'now' });
    expect(dashboard.refresh).toBe('10s');
    expect(dashboard.timezone).toBe('UTC');
    const p95 = dashboard.panels.find((p) => p.title === 'Response Time P95')!;
    expect(p95.fieldConfig.defaults.unit).toBe('s');
    expect(p95.fieldConfig.defaults.thresholds?.steps.map((s) => s.value)).toEqual([null, 0.5, 2]);
  });

  it('lays out stat panels 6×4 and others 12×8, left to right', () => {
    const { dashboard } = normalizeDashboard(fixture('seeds/englog.dashboard-overview.json'));
    const stats = dashboard.panels.filter((p) => p.type === 'stat');
    expect(stats.map((p) => p.gridPos)).toEqual([
      { x: 0, y: 0, w: 6, h: 4 },
      { x: 6, y: 0, w: 6, h: 4 },
      { x: 12, y: 0, w: 6, h: 4 },
    ]);
    const series = dashboard.panels.filter((p) => p.type === 'timeseries');
    expect(series[0].gridPos).toEqual({ x: 0, y: 4, w: 12, h: 8 });
    expect(series[1].gridPos).toEqual({ x: 12, y: 4, w: 12, h: 8 });
    expect(series[2].gridPos).toEqual({ x: 0, y: 12, w: 12, h: 8 });
  });

  it('accepts the piechart, bargauge and table panels unchanged', () => {
    const { dashboard } = normalizeDashboard(fixture('seeds/cart-recovery.dashboard-business.json'));
    expect(dashboard.panels.map((p) => p.type).sort()).toEqual(['bargauge', 'piechart', 'table']);
    expect(dashboard.panels.every((p) => p.id > 0)).toBe(true);
  });
});

describe('Node Exporter Full (current)', () => {
  const raw = fixture('node-exporter-full.json') as { panels: unknown[] };
  const { dashboard, warnings } = normalizeDashboard(raw);

  it('keeps every panel, rows and collapsed children included', () => {
    expect(warnings.filter((w) => LOSSY.test(w))).toEqual([]);
    expect(allPanels(dashboard)).toHaveLength(rawPanelCount(raw.panels));
    expect(allPanels(dashboard)).toHaveLength(141);
    expect(dashboard.schemaVersion).toBe(41);
    const rows = dashboard.panels.filter((p) => p.type === 'row');
    expect(rows).toHaveLength(16);
    const collapsed = rows.filter((r) => r.collapsed);
    expect(collapsed.length).toBe(14);
    for (const r of collapsed) expect(r.panels!.length).toBeGreaterThan(0);
    const rawRows = (raw.panels as { type: string; title: string; panels?: unknown[] }[]).filter((p) => p.type === 'row');
    for (const rr of rawRows) {
      const r = rows.find((x) => x.title === rr.title)!;
      expect(r.panels?.length ?? 0).toBe(rr.panels?.length ?? 0);
    }
  });

  it('keeps gridPos, inside 24 columns, with no overlap at top level or inside a row', () => {
    for (const p of allPanels(dashboard)) expect(insideGrid(p)).toBe(true);
    expect(overlapping(dashboard.panels)).toEqual([]);
    for (const r of dashboard.panels.filter((p) => p.collapsed)) expect(overlapping(r.panels!)).toEqual([]);
    const first = (raw.panels as { gridPos: unknown }[])[0].gridPos;
    expect(dashboard.panels[0].gridPos).toEqual(first);
  });

  it('keeps ids unique and targets verbatim', () => {
    const ids = allPanels(dashboard).map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cores = allPanels(dashboard).find((p) => p.title === 'CPU Cores')!;
    expect(cores.targets[0]).toMatchObject({ refId: 'A', instant: true, range: false, legendFormat: '__auto' });
    expect(cores.targets[0].expr).toBe('count(count(node_cpu_seconds_total{instance="$node",job="$job"}) by (cpu))');
  });

  it('types the variables (datasource, job, nodename, node)', () => {
    expect(dashboard.templating.list.map((v) => `${v.name}:${v.type}`)).toEqual(['ds_prometheus:datasource', 'job:query', 'nodename:query', 'node:query']);
    const node = dashboard.templating.list[3];
    expect(node.sort).toBe(1);
    expect(node.current).toEqual({ value: '', text: '' });
  });
});

describe('Node Exporter Full (rows[] era, schema 14)', () => {
  const raw = fixture('node-exporter-full-rows.json') as { rows: { title: string; collapse: boolean; panels: { span: number; type: string }[] }[] };
  const { dashboard, warnings } = normalizeDashboard(raw);
  const rawCount = raw.rows.reduce((n, r) => n + r.panels.length, 0);

  it('becomes row panels with titles, panels all kept', () => {
    expect(warnings.filter((w) => LOSSY.test(w))).toEqual([]);
    const rows = dashboard.panels.filter((p) => p.type === 'row');
    expect(rows.map((r) => r.title)).toEqual(raw.rows.map((r) => r.title));
    expect(allPanels(dashboard).filter((p) => p.type !== 'row')).toHaveLength(rawCount);
    for (const [i, r] of raw.rows.entries()) {
      const row = rows[i];
      expect(row.collapsed).toBe(r.collapse);
      if (r.collapse) expect(row.panels).toHaveLength(r.panels.length);
    }
  });

  it('converts spans to widths and heights to grid rows, without overlaps', () => {
    for (const p of allPanels(dashboard)) expect(insideGrid(p)).toBe(true);
    expect(overlapping(dashboard.panels)).toEqual([]);
    for (const r of dashboard.panels.filter((p) => p.collapsed)) expect(overlapping(r.panels!)).toEqual([]);
    // The first row is 151 px high: ceil(151 / 38) = 4; its singlestats have span 2 → w 4.
    const first = dashboard.panels.filter((p) => p.gridPos.y === 1);
    expect(first.length).toBe(6);
    for (const p of first) expect(p.gridPos).toMatchObject({ w: 4, h: 4 });
    expect(first.map((p) => p.gridPos.x)).toEqual([0, 4, 8, 12, 16, 20]);
    // The collapsed rows' panels sit inside each collapsed row.
    const collapsed = dashboard.panels.filter((p) => p.type === 'row' && p.collapsed);
    for (const r of collapsed) for (const c of r.panels!) expect(c.gridPos.y).toBeGreaterThan(r.gridPos.y);
  });

  it('migrates graphs to time series with units from yaxes and legend calcs', () => {
    const all = allPanels(dashboard);
    expect(all.filter((p) => p.type === 'graph' || p.type === 'singlestat')).toEqual([]);
    const cpu = all.find((p) => p.title === 'CPU Basic')!;
    expect(cpu.type).toBe('timeseries');
    expect(cpu.fieldConfig.defaults.unit).toBe('short');
    expect(cpu.fieldConfig.defaults.decimals).toBe(2);
    expect(cpu.fieldConfig.defaults.custom).toMatchObject({ fillOpacity: 40, lineWidth: 1, stacking: { mode: 'percent', group: 'A' } });
    const busyIowait = cpu.fieldConfig.overrides.find((o) => o.matcher.options === 'Busy Iowait')!;
    expect(busyIowait.matcher.id).toBe('byName');
    expect(busyIowait.properties[0]).toEqual({ id: 'color', value: { mode: 'fixed', fixedColor: '#890F02' } });
    const units = new Set(all.filter((p) => p.type === 'timeseries').map((p) => p.fieldConfig.defaults.unit));
    for (const u of ['bytes', 'Bps', 's', 'percent', 'celsius', 'iops']) expect(units.has(u)).toBe(true);
    const table = all.find((p) => p.options.legend && (p.options.legend as { displayMode: string }).displayMode === 'table')!;
    expect((table.options.legend as { calcs: string[] }).calcs.length).toBeGreaterThan(0);
  });

  it('turns regex aliases into byRegexp overrides with negative-Y', () => {
    const all = allPanels(dashboard);
    const withNeg = all.filter((p) => p.fieldConfig.overrides.some((o) => o.properties.some((q) => q.id === 'custom.transform' && q.value === 'negative-Y')));
    expect(withNeg.length).toBeGreaterThan(0);
    const o = withNeg[0].fieldConfig.overrides.find((x) => x.properties.some((q) => q.id === 'custom.transform'))!;
    expect(o.matcher.id).toBe('byRegexp');
    expect(String(o.matcher.options)).toMatch(/^\/.*\/$/);
  });

  it('migrates the singlestats to gauges and stats with thresholds and N/A mappings', () => {
    const all = allPanels(dashboard);
    const busy = all.find((p) => p.title === 'CPU Busy')!;
    expect(busy.type).toBe('gauge');
    expect(busy.fieldConfig.defaults).toMatchObject({ unit: 'percent', min: 0, max: 100 });
    expect(busy.fieldConfig.defaults.thresholds?.steps).toEqual([
      { value: null, color: 'rgba(50, 172, 45, 0.97)' },
      { value: 85, color: 'rgba(237, 129, 40, 0.89)' },
      { value: 95, color: 'rgba(245, 54, 54, 0.9)' },
    ]);
    expect(busy.fieldConfig.defaults.mappings).toEqual([{ type: 'special', options: { match: 'null', result: { text: 'N/A' } } }]);
    expect(busy.options.reduceOptions).toMatchObject({ calcs: ['lastNotNull'] });
    expect(busy.maxDataPoints).toBe(100);
    expect(all.filter((p) => p.type === 'stat').length + all.filter((p) => p.type === 'gauge').length).toBe(12);
  });

  it('drops the old computed target step but keeps intervalFactor', () => {
    const cpu = allPanels(dashboard).find((p) => p.title === 'CPU Basic')!;
    expect(cpu.targets[0]).toMatchObject({ refId: 'B', intervalFactor: 2, format: 'time_series', legendFormat: 'Busy System' });
    expect(cpu.targets[0]).not.toHaveProperty('step');
  });
});

describe('odd input', () => {
  it.each([null, undefined, 42, 'not json', [], { panels: 'x' }, { rows: [{ panels: [null, 3] }] }, { dashboard: { panels: [{}] } }])('never throws on %j', (input) => {
    const r = normalizeDashboard(input);
    expect(Array.isArray(r.dashboard.panels)).toBe(true);
    expect(r.dashboard.time).toEqual({ from: 'now-6h', to: 'now' });
  });

  it('gives defaults to missing fields', () => {
    const { dashboard } = normalizeDashboard({ panels: [{ type: 'timeseries', targets: [{ expr: 'up' }, { refId: 'A', expr: 'x' }] }] });
    expect(dashboard.title).toBe('Untitled dashboard');
    expect(dashboard.panels[0].targets.map((t) => t.refId)).toEqual(['B', 'A']);
    expect(dashboard.panels[0].gridPos).toEqual({ x: 0, y: 0, w: 12, h: 8 });
  });

  it('places panels without gridPos below those with one', () => {
    const { dashboard } = normalizeDashboard({
      panels: [
        { id: 1, type: 'timeseries', gridPos: { x: 0, y: 0, w: 24, h: 9 } },
        { id: 2, type: 'stat' },
        { id: 3, type: 'stat' },
        { id: 4, type: 'timeseries' },
        { id: 5, type: 'timeseries' },
      ],
    });
    expect(dashboard.panels.map((p) => p.gridPos)).toEqual([
      { x: 0, y: 0, w: 24, h: 9 },
      { x: 0, y: 9, w: 6, h: 4 },
      { x: 6, y: 9, w: 6, h: 4 },
      { x: 12, y: 9, w: 12, h: 8 },
      { x: 0, y: 17, w: 12, h: 8 },
    ]);
    expect(overlapping(dashboard.panels)).toEqual([]);
  });

  it('reassigns duplicate and missing ids without stealing existing ones', () => {
    const { dashboard } = normalizeDashboard({ panels: [{ type: 'stat' }, { id: 1, type: 'stat' }, { id: 1, type: 'stat' }] });
    const ids = dashboard.panels.map((p: Panel) => p.id);
    expect(new Set(ids).size).toBe(3);
    expect(dashboard.panels[1].id).toBe(1);
  });

  it('renames the piechart plugin and warns on ad hoc variables', () => {
    const r = normalizeDashboard({ panels: [{ type: 'grafana-piechart-panel' }], templating: { list: [{ name: 'f', type: 'adhoc' }, { name: 'x', type: 'custom', query: 'a,b', multi: true, current: { value: 'a', text: 'a' } }] } });
    expect(r.dashboard.panels[0].type).toBe('piechart');
    expect(r.warnings.some((w) => w.includes('ad hoc'))).toBe(true);
    expect(r.dashboard.templating.list).toHaveLength(1);
    expect(r.dashboard.templating.list[0].current).toEqual({ value: ['a'], text: ['a'] });
  });

  it('converts rows: hidden titles and one row give no row panels; spans and heights follow Grafana', () => {
    const { dashboard } = normalizeDashboard({
      schemaVersion: 14,
      rows: [{ height: '300px', panels: [{ id: 1, span: 6, type: 'graph' }, { id: 2, span: 6, type: 'graph' }, { id: 3, type: 'graph' }] }],
    });
    expect(dashboard.panels.filter((p) => p.type === 'row')).toEqual([]);
    // 300 px → ceil(300/38) = 8 rows; third panel (default span 4 → w 8) wraps below.
    expect(dashboard.panels.map((p) => p.gridPos)).toEqual([
      { x: 0, y: 0, w: 12, h: 8 },
      { x: 12, y: 0, w: 12, h: 8 },
      { x: 0, y: 8, w: 8, h: 8 },
    ]);
  });

  it('old "never refresh" query variables load with the dashboard (schema 29)', () => {
    const vars = (schemaVersion: number) =>
      normalizeDashboard({ schemaVersion, templating: { list: [{ name: 'q', type: 'query', query: 'label_values(job)', refresh: 0, options: [{ text: 'a', value: 'a' }] }] } }).dashboard.templating.list[0];
    expect(vars(20)).toMatchObject({ refresh: 1, options: [] });
    expect(vars(30)).toMatchObject({ refresh: 0, options: [{ text: 'a', value: 'a' }] });
  });

  it('keeps transformations as written', () => {
    const { dashboard } = normalizeDashboard({ panels: [{ type: 'table', transformations: [{ id: 'merge', options: {} }, { id: 'organize', options: { excludeByName: { Time: true } }, disabled: true }, { nope: 1 }] }] });
    expect(dashboard.panels[0].transformations).toEqual([
      { id: 'merge', options: {} },
      { id: 'organize', options: { excludeByName: { Time: true } }, disabled: true },
    ]);
  });

  it('migrates old fieldOptions of a gauge into fieldConfig', () => {
    const { dashboard } = normalizeDashboard({
      panels: [{ type: 'gauge', options: { fieldOptions: { calcs: ['max'], defaults: { unit: 'bytes' }, thresholds: [{ color: 'green', value: null }, { color: 'red', value: 10 }] } } }],
    });
    const p = dashboard.panels[0];
    expect(p.fieldConfig.defaults.unit).toBe('bytes');
    expect(p.fieldConfig.defaults.thresholds?.steps).toEqual([{ value: null, color: 'green' }, { value: 10, color: 'red' }]);
    expect(p.options.reduceOptions).toMatchObject({ calcs: ['max'] });
    expect(p.options).not.toHaveProperty('fieldOptions');
  });
});
