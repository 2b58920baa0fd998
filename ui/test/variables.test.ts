import { describe, expect, it } from 'vitest';
import {
  applyVariableRegex,
  autoIntervalBuiltins,
  interpolate,
  buildQueryOptions,
  customOptions,
  dependencyOrder,
  dependents,
  dependsOn,
  interpolatedRegex,
  interpolatedVariableRequest,
  intervalOptions,
  normalizeDashboard,
  optionsFromResponse,
  selectCurrent,
  sortOptions,
  staticOptions,
  variableRequest,
  type Variable,
} from '../src/dashboard/model';
import { fixture } from './helpers';

function v(name: string, query: string, extra: Partial<Variable> = {}): Variable {
  return { name, type: 'query', hide: 0, query, regex: '', sort: 0, multi: false, includeAll: false, current: { value: '', text: '' }, options: [], refresh: 1, ...extra };
}

describe('variableRequest', () => {
  it.each([
    ['label_values(job)', { kind: 'label_values', label: 'job' }],
    ['label_values(node_uname_info, job)', { kind: 'label_values', label: 'job', match: 'node_uname_info' }],
    ['label_values(node_uname_info{job="$job", nodename="$nodename"}, instance)', { kind: 'label_values', label: 'instance', match: 'node_uname_info{job="$job", nodename="$nodename"}' }],
    ['label_names()', { kind: 'label_names' }],
    ['label_names(up{job="x"})', { kind: 'label_names', match: 'up{job="x"}' }],
    ['metrics(node_.*)', { kind: 'metrics', regex: 'node_.*' }],
    ['query_result(sum by (job) (up))', { kind: 'query', expr: 'sum by (job) (up)' }],
    ['up{job="x"}', { kind: 'series', match: 'up{job="x"}' }],
    ['', { kind: 'none' }],
  ])('%s', (q, expected) => {
    expect(variableRequest(q)).toEqual(expected);
  });

  it('reads the newer object form: its query text first, else qryType (0-based)', () => {
    expect(variableRequest({ query: 'label_values(node_uname_info, job)', refId: 'X' })).toEqual({ kind: 'label_values', label: 'job', match: 'node_uname_info' });
    expect(variableRequest({ query: 'label_values(job)', qryType: 3, varQuery: 'up' })).toEqual({ kind: 'label_values', label: 'job' });
    expect(variableRequest({ qryType: 0 })).toEqual({ kind: 'label_names' });
    expect(variableRequest({ qryType: 0, metric: 'up' })).toEqual({ kind: 'label_names', match: 'up' });
    expect(variableRequest({ qryType: 1, label: 'job', metric: 'up' })).toEqual({ kind: 'label_values', label: 'job', match: 'up' });
    expect(variableRequest({ qryType: 1, label: 'job' })).toEqual({ kind: 'label_values', label: 'job' });
    expect(variableRequest({ qryType: 2, metric: 'node_' })).toEqual({ kind: 'metrics', regex: 'node_' });
    expect(variableRequest({ qryType: 3, varQuery: 'up' })).toEqual({ kind: 'query', expr: 'up' });
    expect(variableRequest({ qryType: 4, seriesQuery: 'up{job="a"}' })).toEqual({ kind: 'series', match: 'up{job="a"}' });
    expect(variableRequest({ qryType: 5, classicQuery: 'metrics(x)' })).toEqual({ kind: 'metrics', regex: 'x' });
    expect(variableRequest({ qryType: 9 })).toEqual({ kind: 'none' });
  });

  it('interpolates the variables a query uses before parsing it', () => {
    const ctx = { variables: [{ name: 'job', value: 'node.x' }, { name: 'nodename', value: ['a', 'b'], multi: true }] };
    expect(interpolatedVariableRequest({ query: { query: 'label_values(node_uname_info{job="$job", nodename=~"$nodename"}, instance)' } }, ctx)).toEqual({
      kind: 'label_values',
      label: 'instance',
      match: 'node_uname_info{job="node.x", nodename=~"(a|b)"}',
    });
    expect(interpolatedRegex({ regex: '/$job:(.*)/' }, ctx)).toBe('/node\\.x:(.*)/');
  });

  it('parses every Node Exporter Full variable query', () => {
    for (const name of ['node-exporter-full.json', 'node-exporter-full-rows.json']) {
      const { dashboard } = normalizeDashboard(fixture(name));
      const queries = dashboard.templating.list.filter((x) => x.type === 'query');
      expect(queries.length).toBeGreaterThanOrEqual(3);
      for (const q of queries) expect(variableRequest(q.query).kind).toBe('label_values');
    }
  });
});

describe('optionsFromResponse', () => {
  it('renders query_result like Grafana', () => {
    const opts = optionsFromResponse({ kind: 'query', expr: 'up' }, { kind: 'vector', data: [{ metric: { __name__: 'up', instance: 'a:1', job: 'n' }, value: [1700000000, '1'] }] });
    expect(opts).toEqual(['up{instance="a:1",job="n"} 1 1700000000000']);
  });
  it('filters metric names by the metrics() regex', () => {
    expect(optionsFromResponse({ kind: 'metrics', regex: '^node_' }, { kind: 'strings', data: ['node_a', 'up', 'node_b'] })).toEqual(['node_a', 'node_b']);
  });
  it('takes label values from a label or series answer', () => {
    expect(optionsFromResponse({ kind: 'label_values', label: 'job' }, { kind: 'strings', data: ['a', 'b'] })).toEqual(['a', 'b']);
    expect(optionsFromResponse({ kind: 'label_values', label: 'job', match: 'up' }, { kind: 'series', data: [{ job: 'x' }, { foo: 'y' }] })).toEqual(['x']);
  });
  it('renders series', () => {
    expect(optionsFromResponse({ kind: 'series', match: 'up' }, { kind: 'series', data: [{ __name__: 'up', job: 'a' }] })).toEqual(['up{job="a"}']);
  });
});

describe('regex and sort', () => {
  it('takes the first capture group and removes duplicates (Node Exporter Full `node`)', () => {
    expect(applyVariableRegex(['host1:9100', 'host2:9100', 'host1:9101'], '/([^:]+):.*/')).toEqual([
      { text: 'host1', value: 'host1' },
      { text: 'host2', value: 'host2' },
    ]);
  });
  it('uses named groups text and value', () => {
    expect(applyVariableRegex(['web-01=10.0.0.1'], '/(?<text>[^=]+)=(?<value>.*)/')).toEqual([{ text: 'web-01', value: '10.0.0.1' }]);
  });
  it('drops non-matching values, keeps whole matches without groups', () => {
    expect(applyVariableRegex(['a1', 'b2', 'a3'], '/^a/')).toEqual([
      { text: 'a1', value: 'a1' },
      { text: 'a3', value: 'a3' },
    ]);
  });
  it('makes one option per match of a global regex', () => {
    expect(applyVariableRegex(['x=1 y=2'], '/(\\w)=/g').map((o) => o.value)).toEqual(['x', 'y']);
  });
  it('natural sort compares numbers inside the text', () => {
    const hosts = ['node10', 'node9', 'node100'].map((t) => ({ text: t, value: t }));
    expect(sortOptions(hosts, 7).map((o) => o.text)).toEqual(['node9', 'node10', 'node100']);
    expect(sortOptions(hosts, 8).map((o) => o.text)).toEqual(['node100', 'node10', 'node9']);
  });
  it('anchors a bare pattern', () => {
    expect(applyVariableRegex(['abc', 'xabc'], 'abc').map((o) => o.value)).toEqual(['abc']);
  });

  const opts = ['b10', 'a2', 'C1', 'b1'].map((t) => ({ text: t, value: t }));
  it.each([
    [0, ['b10', 'a2', 'C1', 'b1']],
    [1, ['C1', 'a2', 'b1', 'b10']],
    [2, ['b10', 'b1', 'a2', 'C1']],
    [3, ['C1', 'b1', 'a2', 'b10']],
    [4, ['b10', 'a2', 'b1', 'C1']],
    [5, ['a2', 'b1', 'b10', 'C1']],
    [6, ['C1', 'b10', 'b1', 'a2']],
    [7, ['a2', 'b1', 'b10', 'C1']],
  ])('sort %i', (sort, expected) => {
    expect(sortOptions(opts, sort).map((o) => o.text)).toEqual(expected);
  });

  it('builds options with regex, sort and All (Node Exporter Full `port`)', () => {
    const port = v('port', 'label_values(up, instance)', { regex: '/[^:]+:(.*)/', sort: 3, includeAll: true });
    expect(buildQueryOptions(port, ['h:9100', 'h:80', 'h:443']).map((o) => o.value)).toEqual(['$__all', '80', '443', '9100']);
  });
});

describe('custom, interval, constant, textbox, datasource', () => {
  it('splits custom values with escapes and key : value pairs', () => {
    expect(customOptions('a, b\\,c ,Prod : prod-1,x')).toEqual([
      { text: 'a', value: 'a' },
      { text: 'b,c', value: 'b,c' },
      { text: 'Prod', value: 'prod-1' },
      { text: 'x', value: 'x' },
    ]);
  });
  it('computes the auto interval from range, count and minimum', () => {
    const iv = { name: 'iv', query: '1m,10m,1h', auto: true, auto_count: 30, auto_min: '10s' };
    // 1 h / 30 = 120 s → rounds to 2 m.
    expect(intervalOptions(iv, 3600000)).toEqual({
      options: [
        { text: 'auto', value: '$__auto_interval_iv' },
        { text: '1m', value: '1m' },
        { text: '10m', value: '10m' },
        { text: '1h', value: '1h' },
      ],
      autoValue: '2m',
    });
    // 5 min / 30 = 10 s, at least 1 min.
    expect(intervalOptions({ ...iv, auto_min: '1m' }, 300000).autoValue).toBe('1m');
    expect(intervalOptions({ ...iv, auto: false }, 300000).autoValue).toBeUndefined();
  });
  it('interpolates an interval variable set to auto', () => {
    const { dashboard } = normalizeDashboard({
      templating: { list: [{ name: 'iv', type: 'interval', query: '1m,10m', auto: true, auto_count: 30, auto_min: '10s', current: { text: 'auto', value: '$__auto_interval_iv' } }] },
    });
    const vars = dashboard.templating.list;
    const builtins = autoIntervalBuiltins(vars, 6 * 3600000);
    // 6 h / 30 = 720 s → rounds to 10 m.
    expect(builtins).toEqual({ __auto_interval_iv: '10m' });
    expect(interpolate('rate(x[$iv])', { variables: vars, builtins })).toBe('rate(x[10m])');
  });
  it('gives the static types their options', () => {
    expect(staticOptions(v('k', '42', { type: 'constant' }), 0)).toEqual([{ text: '42', value: '42' }]);
    expect(staticOptions(v('t', 'default', { type: 'textbox' }), 0)).toEqual([{ text: 'default', value: 'default' }]);
    expect(staticOptions(v('t', 'default', { type: 'textbox', current: { value: 'typed', text: 'typed' } }), 0)).toEqual([{ text: 'typed', value: 'typed' }]);
    expect(staticOptions(v('ds', 'prometheus', { type: 'datasource' }), 0)).toHaveLength(1);
    expect(staticOptions(v('c', 'a,b', { type: 'custom', includeAll: true }), 0)!.map((o) => o.value)).toEqual(['$__all', 'a', 'b']);
    expect(staticOptions(v('q', 'up'), 0)).toBeNull();
  });
});

describe('current selection', () => {
  const options = ['a', 'b', 'c'].map((x) => ({ text: x.toUpperCase(), value: x }));
  it('keeps a value still offered', () => {
    expect(selectCurrent({ multi: false, includeAll: false, current: { value: 'b', text: 'B' } }, options)).toEqual({ value: 'b', text: 'B' });
  });
  it('finds a single selection by its text first', () => {
    expect(selectCurrent({ multi: false, includeAll: false, current: { value: 'old-value', text: 'C' } }, options)).toEqual({ value: 'c', text: 'C' });
  });
  it('falls back to the first option', () => {
    expect(selectCurrent({ multi: false, includeAll: false, current: { value: 'gone', text: 'gone' } }, options)).toEqual({ value: 'a', text: 'A' });
    expect(selectCurrent({ multi: false, includeAll: false, current: { value: '', text: '' } }, [])).toEqual({ value: '', text: '' });
  });
  it('keeps the surviving values of a multi selection', () => {
    expect(selectCurrent({ multi: true, includeAll: false, current: { value: ['c', 'gone', 'a'], text: [] } }, options)).toEqual({ value: ['a', 'c'], text: ['A', 'C'] });
    expect(selectCurrent({ multi: true, includeAll: false, current: { value: ['gone'], text: [] } }, options)).toEqual({ value: ['a'], text: ['A'] });
  });
  it('keeps All', () => {
    const withAll = [{ text: 'All', value: '$__all' }, ...options];
    expect(selectCurrent({ multi: true, includeAll: true, current: { value: ['$__all'], text: ['All'] } }, withAll)).toEqual({ value: ['$__all'], text: ['All'] });
  });
});

describe('dependencies', () => {
  it('orders Node Exporter Full: job, nodename, node', () => {
    const { dashboard } = normalizeDashboard(fixture('node-exporter-full.json'));
    const vars = dashboard.templating.list;
    const node = vars.find((x) => x.name === 'node')!;
    expect(dependsOn(node, vars).sort()).toEqual(['ds_prometheus', 'job', 'nodename']);
    const { order, cycles } = dependencyOrder([...vars].reverse());
    expect(cycles).toEqual([]);
    expect(order.indexOf('job')).toBeLessThan(order.indexOf('nodename'));
    expect(order.indexOf('nodename')).toBeLessThan(order.indexOf('node'));
    expect(dependents('job', vars)).toEqual(['nodename', 'node']);
  });
  it('orders the rows-era chain job → name → node → port', () => {
    const { dashboard } = normalizeDashboard(fixture('node-exporter-full-rows.json'));
    const { order } = dependencyOrder(dashboard.templating.list);
    expect(order.filter((n) => n !== 'DS_PROMETHEUS')).toEqual(['job', 'name', 'node', 'port']);
  });
  it('reports cycles instead of looping', () => {
    const vars = [v('a', 'label_values(x{b="$b"}, a)'), v('b', 'label_values(x{a="$a"}, b)'), v('c', 'label_values(c)')];
    const { order, cycles } = dependencyOrder(vars);
    expect(cycles).toHaveLength(1);
    expect([...cycles[0]].sort()).toEqual(['a', 'b']);
    expect([...order].sort()).toEqual(['a', 'b', 'c']);
    expect(order[0]).toBe('c');
  });
  it('ignores self references and unknown names', () => {
    const a = v('a', 'label_values(x{a="$a", z="$zzz"}, a)');
    expect(dependsOn(a, [a])).toEqual([]);
  });
});
