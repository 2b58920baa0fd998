import { describe, expect, it } from 'vitest';
import { interpolate, normalizeDashboard, referencedVariables, type InterpolationContext, type InterpolationVariable } from '../src/dashboard/model';
import { fixture } from './helpers';

const multi: InterpolationVariable = { name: 'v', value: ['a.b', 'c'], text: ['A', 'C'], multi: true };
const ctx: InterpolationContext = { variables: [multi] };

describe('interpolate: formats', () => {
  const expected: [string, string][] = [
    ['regex', '(a\\.b|c)'],
    ['pipe', 'a.b|c'],
    ['csv', 'a.b,c'],
    ['json', '["a.b","c"]'],
    ['glob', '{a.b,c}'],
    ['raw', 'a.b,c'],
    ['text', 'A + C'],
    ['queryparam', 'var-v=a.b&var-v=c'],
    ['doublequote', '"a.b","c"'],
    ['singlequote', "'a.b','c'"],
    ['sqlstring', "'a.b','c'"],
    ['lucene', '("a.b" OR "c")'],
    ['percentencode', '%7Ba.b%2Cc%7D'],
    ['distributed', 'a.b,v=c'],
  ];
  it.each(expected)('${v:%s}', (format, out) => {
    expect(interpolate(`\${v:${format}}`, ctx)).toBe(out);
    expect(interpolate(`[[v:${format}]]`, ctx)).toBe(out);
  });

  it('escapes inside the quoting formats', () => {
    const c: InterpolationContext = { variables: [{ name: 'q', value: `o'k "x"` }] };
    expect(interpolate('${q:sqlstring}', c)).toBe(`'o''k "x"'`);
    expect(interpolate('${q:singlequote}', c)).toBe(`'o\\'k "x"'`);
    expect(interpolate('${q:doublequote}', c)).toBe(`"o'k \\"x\\""`);
    expect(interpolate('${q:lucene}', { variables: [{ name: 'q', value: 'a:b c' }] })).toBe('a\\:b\\ c');
    expect(interpolate('${q:percentencode}', { variables: [{ name: 'q', value: 'a b/(c)' }] })).toBe('a%20b%2F%28c%29');
    expect(interpolate('${q:regex}', { variables: [{ name: 'q', value: 'x.y*' }] })).toBe('x\\.y\\*');
    expect(interpolate('${q:glob}', { variables: [{ name: 'q', value: 'x' }] })).toBe('x');
    expect(interpolate('${q:lucene}', { variables: [{ name: 'q', value: '-1' }] })).toBe('-1');
    expect(interpolate('${q:lucene}', { variables: [{ name: 'q', value: ['a b'] }] })).toBe('("a\\ b")');
    expect(interpolate('${q:lucene}', { variables: [{ name: 'q', value: [] }] })).toBe('__empty__');
    expect(interpolate('${q:percentencode}', { variables: [{ name: 'q', value: ['x'] }] })).toBe('%7Bx%7D');
    expect(interpolate('${q:html}', { variables: [{ name: 'q', value: ['<b>', 'a&b'] }] })).toBe('&lt;b&gt;, a&amp;b');
  });

  it('formats dates with arguments', () => {
    const c: InterpolationContext = { builtins: {}, variables: [{ name: 't', value: '1700000000123' }] };
    expect(interpolate('${t:date}', c)).toBe('2023-11-14T22:13:20.123Z');
    expect(interpolate('${t:date:iso}', c)).toBe('2023-11-14T22:13:20.123Z');
    expect(interpolate('${t:date:seconds}', c)).toBe('1700000000');
    expect(interpolate('${t:date:ms}', c)).toBe('1700000000123');
  });

  it('defaults to glob without a datasource format', () => {
    expect(interpolate('$v', ctx)).toBe('{a.b,c}');
    expect(interpolate('${v}', ctx)).toBe('{a.b,c}');
    expect(interpolate('[[v]]', ctx)).toBe('{a.b,c}');
  });
});

describe('interpolate: Prometheus', () => {
  it('joins multi values as a regex group, escaped for a PromQL string', () => {
    const out = interpolate('up{instance=~"$v"}', ctx, 'prometheus');
    expect(out).toBe('up{instance=~"(a\\\\.b|c)"}');
  });

  it('escapes a single-valued variable only for quotes and backslashes', () => {
    const c: InterpolationContext = { variables: [{ name: 'job', value: "it's.x\\y" }] };
    expect(interpolate('up{job="$job"}', c, 'prometheus')).toBe('up{job="it\\\\\'s.x\\\\y"}');
  });

  it('a multi variable with one value is regex-escaped without parentheses', () => {
    const c: InterpolationContext = { variables: [{ name: 'i', value: ['h.1'], multi: true }] };
    expect(interpolate('$i', c, 'prometheus')).toBe('h\\\\.1');
  });

  it('All without allValue is every option; with allValue it is inserted as is', () => {
    const all: InterpolationVariable = { name: 'i', value: '$__all', includeAll: true, multi: true, options: ['x', 'y.z'] };
    expect(interpolate('$i', { variables: [all] }, 'prometheus')).toBe('(x|y\\\\.z)');
    expect(interpolate('${i:csv}', { variables: [all] })).toBe('x,y.z');
    expect(interpolate('${i:text}', { variables: [all] })).toBe('All');
    const custom = { ...all, allValue: '.*' };
    expect(interpolate('$i', { variables: [custom] }, 'prometheus')).toBe('.*');
    expect(interpolate('${i:regex}', { variables: [custom] })).toBe('.*');
    expect(interpolate('${i:text}', { variables: [custom] })).toBe('All');
    // percentencode (like text) formats the allValue instead of inserting it raw.
    expect(interpolate('${i:percentencode}', { variables: [custom] })).toBe('.%2A');
  });

  it('takes variables straight from a normalised dashboard', () => {
    const { dashboard } = normalizeDashboard({
      templating: {
        list: [
          { name: 'job', type: 'custom', query: 'node,api', current: { value: 'node', text: 'node' } },
          { name: 'inst', type: 'custom', query: 'a,b', multi: true, includeAll: true, current: { value: ['$__all'], text: ['All'] }, options: [{ text: 'All', value: '$__all' }, { text: 'a', value: 'a' }, { text: 'b', value: 'b' }] },
          { name: 'k', type: 'constant', query: '42' },
        ],
      },
    });
    const c = { variables: dashboard.templating.list };
    expect(interpolate('up{job="$job",instance=~"$inst"} * $k', c, 'prometheus')).toBe('up{job="node",instance=~"(a|b)"} * 42');
  });
});

describe('interpolate: built-ins, scope and unknowns', () => {
  const c: InterpolationContext = {
    variables: [{ name: 'job', value: 'node' }],
    builtins: { __interval: '30s', __interval_ms: 30000, __rate_interval: '60s', __range: '3600s', __dashboard: 'Home' },
    scoped: { job: 'scoped-job', host: { value: 'h1', text: 'Host 1' } },
  };
  it('replaces built-ins raw', () => {
    expect(interpolate('rate(x[$__rate_interval]) / $__interval_ms [${__interval}] $__range', c)).toBe('rate(x[60s]) / 30000 [30s] 3600s');
    expect(interpolate('$__dashboard', c)).toBe('Home');
    const range: InterpolationContext = { builtins: { __from: 1700000000123, __to: 1700003600000 } };
    expect(interpolate('${__from:date:seconds}-${__to}', range)).toBe('1700000000-1700003600000');
  });
  it('lets panel-repeat scope win over dashboard variables', () => {
    expect(interpolate('$job/$host/${host:text}', c)).toBe('scoped-job/h1/Host 1');
  });
  it('regex-escapes a repeated copy of a multi-value variable for Prometheus', () => {
    const rc: InterpolationContext = { variables: [{ name: 'inst', value: ['a.b', 'c'], multi: true }], scoped: { inst: { value: 'a.b', text: 'a.b' } } };
    expect(interpolate('up{instance=~"$inst"}', rc, 'prometheus')).toBe('up{instance=~"a\\\\.b"}');
  });
  it('leaves unknown variables alone', () => {
    expect(interpolate('$nope ${nope} [[nope]] ${nope:csv} $', c)).toBe('$nope ${nope} [[nope]] ${nope:csv} $');
  });
  it('handles $var next to other text', () => {
    expect(interpolate('instance=~"$job:$job"', { variables: [{ name: 'job', value: 'n' }] })).toBe('instance=~"n:n"');
  });
  it('lists referenced variables', () => {
    expect(referencedVariables('a $x ${y:csv} [[z]] $x $__interval')).toEqual(['x', 'y', 'z', '__interval']);
  });
});

describe('interpolate: Node Exporter Full queries', () => {
  it('fills $node:$port of the rows-era dashboard', () => {
    const { dashboard } = normalizeDashboard(fixture('node-exporter-full-rows.json'));
    const vars = dashboard.templating.list.map((v) => ({ ...v, current: { value: v.name === 'node' ? 'host1' : v.name === 'port' ? '9100' : 'node', text: '' } }));
    const expr = 'up{instance=~"$node:$port",job=~"$job"}';
    expect(interpolate(expr, { variables: vars }, 'prometheus')).toBe('up{instance=~"host1:9100",job=~"node"}');
  });
});
