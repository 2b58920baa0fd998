// What each panel asks the API: interpolation, intervals, steps, instant vs range, naming.
import { describe, expect, test } from 'vitest';
import { planQueries, seriesName } from '../src/dashboard/query';
import type { Panel, VarScope } from '../src/dashboard/bridge';

function panel(extra: Partial<Panel>): Panel {
  return { id: 1, type: 'timeseries', title: '', gridPos: { x: 0, y: 0, w: 12, h: 8 }, targets: [], fieldConfig: { defaults: {}, overrides: [] }, options: {}, links: [], ...extra };
}
const hour = 3600;

describe('planQueries', () => {
  test('the step follows the panel width, rounded like Grafana, with $__interval and $__rate_interval', () => {
    const p = panel({ targets: [{ refId: 'A', expr: 'rate(x[$__rate_interval]) / $__interval' }] });
    const { queries, intervalMs } = planQueries(p, {}, 0, 6 * hour, 1000);
    // 6h / 1000 px = 21.6 s → 20 s.
    expect(intervalMs).toBe(20_000);
    expect(queries[0].step).toBe(20);
    // max(20 s + 15 s scrape, 4 × 15 s) = 60 s.
    expect(queries[0].expr).toBe('rate(x[60s]) / 20s');
    expect(queries[0].instant).toBe(false);
  });

  test('never below the scrape interval, or the panel minimum interval', () => {
    const p = panel({ targets: [{ refId: 'A', expr: 'up' }] });
    expect(planQueries(p, {}, 0, 300, 1000).queries[0].step).toBe(15);
    const q = planQueries({ ...p, interval: '>1m' }, {}, 0, 300, 1000).queries[0];
    expect(q.step).toBe(60);
  });

  test('maxDataPoints, intervalFactor and a target minimum step', () => {
    const p = panel({ maxDataPoints: 100, targets: [{ refId: 'A', expr: 'up', intervalFactor: 2 }, { refId: 'B', expr: 'up', interval: '10m' }] });
    const [a, b] = planQueries(p, {}, 0, 24 * hour, 1000).queries;
    // 24h / 100 = 864 s → 10m (600 s) ×2.
    expect(a.step).toBe(1200);
    expect(b.step).toBe(600);
  });

  test('variables are interpolated, multi values as a regex alternation', () => {
    const scope: VarScope = { job: { value: 'node' }, inst: { value: ['a:1', 'b.2'], multiOrAll: true } };
    const p = panel({ targets: [{ refId: 'A', expr: 'up{job="$job", instance=~"$inst"}' }] });
    expect(planQueries(p, scope, 0, hour, 500).queries[0].expr).toBe('up{job="node", instance=~"(a:1|b\\\\.2)"}');
  });

  test('hidden and empty targets are skipped; instant targets evaluate at the end', () => {
    const p = panel({ targets: [{ refId: 'A', expr: 'up', hide: true }, { refId: 'B', expr: ' ' }, { refId: 'C', expr: 'up', instant: true, range: false }] });
    const qs = planQueries(p, {}, 1000, 1000 + hour, 500).queries;
    expect(qs.map((q) => q.refId)).toEqual(['C']);
    expect(qs[0].instant).toBe(true);
    expect(qs[0].end).toBe(1000 + hour);
  });

  test('$__range is the range in seconds', () => {
    const p = panel({ targets: [{ refId: 'A', expr: 'increase(x[$__range])' }] });
    expect(planQueries(p, {}, 0, 2 * hour, 500).queries[0].expr).toBe('increase(x[7200s])');
  });

  test('range queries are aligned to the step', () => {
    const p = panel({ targets: [{ refId: 'A', expr: 'up' }] });
    const q = planQueries(p, {}, 1001, 1001 + hour, 240).queries[0];
    expect(q.start % q.step).toBe(0);
    expect(q.end % q.step).toBe(0);
  });
});

describe('seriesName', () => {
  test('legendFormat fills labels', () => {
    expect(seriesName({ job: 'node', mode: 'idle' }, '{{job}} - {{ mode }}', 'x')).toBe('node - idle');
  });
  test('without one: name and labels, or the query for a bare value', () => {
    expect(seriesName({ __name__: 'up', job: 'a' }, undefined, 'up')).toBe('up{job="a"}');
    expect(seriesName({}, '', 'sum(up)')).toBe('sum(up)');
    expect(seriesName({ __name__: 'up' }, '__auto', 'up')).toBe('up');
  });
});

describe('stat fields', () => {
  test('reduceOptions.fields naming a label shows that label', async () => {
    const { pickedLabel } = await import('../src/dashboard/panels/reduce');
    expect(pickedLabel('/^version$/', { version: '1.8', job: 'node' })).toBe('version');
    expect(pickedLabel('', { version: '1.8' })).toBeNull();
    expect(pickedLabel('/^Value$/', { version: '1.8' })).toBeNull();
    expect(pickedLabel('job', { version: '1.8', job: 'node' })).toBe('job');
  });
});

describe('data sources', () => {
  test('queries for other data source types are not sent to Prometheus', async () => {
    const { foreignDatasource } = await import('../src/dashboard/query');
    expect(foreignDatasource({ type: 'loki', uid: 'x' })).toBe('loki');
    expect(foreignDatasource({ type: 'prometheus', uid: 'x' })).toBeNull();
    expect(foreignDatasource({ type: 'prometheus', uid: '${DS}' })).toBeNull();
    expect(foreignDatasource('${DS_PROMETHEUS}')).toBeNull();
    expect(foreignDatasource(null)).toBeNull();
    expect(foreignDatasource({ type: 'datasource', uid: '-- Mixed --' })).toBeNull();
    expect(foreignDatasource({ type: 'datasource', uid: '-- Grafana --' })).toBe('grafana');
    const p = panel({ datasource: { type: 'loki', uid: 'l' }, targets: [{ refId: 'A', expr: '{job="x"}' }, { refId: 'B', expr: 'up', datasource: { type: 'prometheus', uid: 'p' } }] });
    expect(planQueries(p, {}, 0, 3600, 500).queries.map((q) => q.refId)).toEqual(['B']);
  });
});
