import { describe, expect, it } from 'vitest';
import {
  activeThreshold,
  allPanels,
  applyMappings,
  axisPlacement,
  CLASSIC_PALETTE,
  defaultSeriesName,
  displayNameFor,
  displayValue,
  hiddenFrom,
  isNegativeY,
  normalizeDashboard,
  normalizeMappings,
  reduce,
  renderDisplayName,
  resolveColor,
  resolveFieldConfig,
  seriesColor,
  seriesName,
  type FieldConfig,
  type FieldConfigSource,
  type Thresholds,
  type ValueMapping,
} from '../src/dashboard/model';
import { fixture } from './helpers';

describe('resolveFieldConfig', () => {
  const source: FieldConfigSource = {
    defaults: { unit: 'bytes', decimals: 1, custom: { lineWidth: 1, fillOpacity: 10 } },
    overrides: [
      { matcher: { id: 'byName', options: 'rx' }, properties: [{ id: 'unit', value: 'Bps' }, { id: 'custom.transform', value: 'negative-Y' }] },
      { matcher: { id: 'byRegexp', options: '/^tx.*/' }, properties: [{ id: 'custom.axisPlacement', value: 'right' }, { id: 'color', value: { mode: 'fixed', fixedColor: 'red' } }] },
      { matcher: { id: 'byRegexp', options: 'tx' }, properties: [{ id: 'displayName', value: 'exact tx' }] },
      { matcher: { id: 'byFrameRefID', options: 'B' }, properties: [{ id: 'custom.hideFrom', value: { legend: true, tooltip: false, viz: false } }] },
      { matcher: { id: 'byType', options: 'number' }, properties: [{ id: 'min', value: 0 }] },
      { matcher: { id: 'byNames', options: { mode: 'include', names: ['a', 'b'] } }, properties: [{ id: 'decimals', value: 3 }] },
      { matcher: { id: 'byValue', options: { reducer: 'max', op: 'gte', value: 100 } }, properties: [{ id: 'custom.lineWidth', value: 3 }] },
      { matcher: { id: 'byName', options: 'rx' }, properties: [{ id: 'unit', value: 'bps' }] },
    ],
  };

  it('applies matching overrides in order, later winning', () => {
    const rx = resolveFieldConfig(source, { name: 'rx', refId: 'A' });
    expect(rx.unit).toBe('bps');
    expect(isNegativeY(rx)).toBe(true);
    expect(rx.decimals).toBe(1);
    expect(rx.min).toBe(0);
    expect(rx.custom).toMatchObject({ lineWidth: 1, fillOpacity: 10 });
  });

  it('matches regexes (slashed unanchored, bare anchored)', () => {
    const tx = resolveFieldConfig(source, { name: 'tx0' });
    expect(axisPlacement(tx)).toBe('right');
    expect(tx.color).toEqual({ mode: 'fixed', fixedColor: 'red' });
    expect(tx.displayName).toBeUndefined();
    expect(resolveFieldConfig(source, { name: 'tx' }).displayName).toBe('exact tx');
  });

  it('matches refId, names list and value', () => {
    expect(hiddenFrom(resolveFieldConfig(source, { name: 'x', refId: 'B' }))).toEqual({ legend: true, tooltip: false, viz: false });
    expect(hiddenFrom(resolveFieldConfig(source, { name: 'x', refId: 'A' }))).toEqual({ legend: false, tooltip: false, viz: false });
    expect(resolveFieldConfig(source, { name: 'b' }).decimals).toBe(3);
    expect(resolveFieldConfig(source, { name: 'z', values: [1, 150, null] }).custom?.lineWidth).toBe(3);
    expect(resolveFieldConfig(source, { name: 'z', values: [1, 50] }).custom?.lineWidth).toBe(1);
    expect(resolveFieldConfig(source, { name: 'z', type: 'string' }).min).toBeUndefined();
  });

  it('does not modify the panel defaults', () => {
    resolveFieldConfig(source, { name: 'rx' });
    expect(source.defaults.unit).toBe('bytes');
    expect(source.defaults.custom).toEqual({ lineWidth: 1, fillOpacity: 10 });
  });

  it('resolves migrated rows-era overrides (negative-Y on transmit series)', () => {
    const { dashboard } = normalizeDashboard(fixture('node-exporter-full-rows.json'));
    const traffic = allPanels(dashboard).find((p) => p.fieldConfig.overrides.some((o) => o.matcher.options === '/.*trans.*/'))!;
    expect(isNegativeY(resolveFieldConfig(traffic.fieldConfig, { name: 'eth0 - transmit' }))).toBe(true);
    expect(isNegativeY(resolveFieldConfig(traffic.fieldConfig, { name: 'eth0 - receive' }))).toBe(false);
    expect(resolveFieldConfig(traffic.fieldConfig, { name: 'eth0 - receive' }).color).toEqual({ mode: 'fixed', fixedColor: '#EAB839' });
  });
});

describe('thresholds', () => {
  const t: Thresholds = {
    mode: 'absolute',
    steps: [
      { value: null, color: 'green' },
      { value: 50, color: 'yellow' },
      { value: 100, color: 'red' },
    ],
  };
  it.each([
    [-1e9, 'green'],
    [49.9, 'green'],
    [50, 'yellow'],
    [99, 'yellow'],
    [100, 'red'],
    [1e9, 'red'],
  ])('absolute %d → %s', (value, color) => {
    expect(activeThreshold(value, t)?.color).toBe(color);
  });
  it('percentage mode places the value between min and max', () => {
    const p: Thresholds = { ...t, mode: 'percentage' };
    expect(activeThreshold(5, p, 0, 10)?.color).toBe('yellow');
    expect(activeThreshold(4, p, 0, 10)?.color).toBe('green');
    expect(activeThreshold(10, p, 0, 10)?.color).toBe('red');
    expect(activeThreshold(150, p, 100, 200)?.color).toBe('yellow');
  });
  it('no thresholds, no step', () => {
    expect(activeThreshold(1, undefined)).toBeUndefined();
  });
});

describe('value mappings', () => {
  const mappings: ValueMapping[] = [
    { type: 'value', options: { '1': { text: 'up', color: 'green' }, '0': { text: 'down', color: 'red' } } },
    { type: 'range', options: { from: 10, to: 20, result: { text: 'teens' } } },
    { type: 'range', options: { from: 100, to: null, result: { text: 'big' } } },
    { type: 'regex', options: { pattern: '/^host-(\\d+)$/', result: { text: 'Host $1' } } },
    { type: 'special', options: { match: 'null+nan', result: { text: 'N/A' } } },
    { type: 'special', options: { match: 'true', result: { text: 'yes' } } },
    { type: 'special', options: { match: 'empty', result: { text: '(empty)' } } },
  ];
  it.each([
    [1, { text: 'up', color: 'green' }],
    [0, { text: 'down', color: 'red' }],
    [15, { text: 'teens' }],
    [10, { text: 'teens' }],
    [20, { text: 'teens' }],
    [1000, { text: 'big' }],
    ['host-7', { text: 'Host 7' }],
    [null, { text: 'N/A' }],
    [NaN, { text: 'N/A' }],
    [true, { text: 'yes' }],
    ['', { text: '(empty)' }],
    [5, null],
    ['other', null],
  ])('%s', (value, expected) => {
    expect(applyMappings(value, mappings)).toEqual(expected);
  });
  it('converts old-style mappings', () => {
    expect(normalizeMappings([{ id: 0, type: 1, value: '1', text: 'UP' }, { id: 1, type: 2, from: '0', to: '5', text: 'low' }, { type: 1, value: 'null', text: 'none' }])).toEqual([
      { type: 'value', options: { '1': { text: 'UP' } } },
      { type: 'range', options: { from: 0, to: 5, result: { text: 'low' } } },
      { type: 'special', options: { match: 'null', result: { text: 'none' } } },
    ]);
  });
});

describe('reduce', () => {
  const values = [null, 3, 1, null, 4, 1, 5, null];
  it.each([
    ['last', null],
    ['lastNotNull', 5],
    ['first', null],
    ['firstNotNull', 3],
    ['min', 1],
    ['max', 5],
    ['mean', 14 / 5],
    ['sum', 14],
    ['count', 5],
    ['range', 4],
    ['diff', 2],
    ['changeCount', 4],
    ['distinctCount', 4],
    ['median', 3],
    ['allIsNull', false],
    ['allIsZero', false],
  ])('%s', (calc, expected) => {
    expect(reduce(values, calc)).toBe(expected);
  });
  it('delta counts a drop as a counter reset', () => {
    expect(reduce([1, 5, 2, 4], 'delta')).toBe(8);
    expect(reduce([10, 20, 30], 'delta')).toBe(20);
    expect(reduce([5, 2], 'delta')).toBe(2);
  });
  it('empty input', () => {
    expect(reduce([], 'mean')).toBeNull();
    expect(reduce([null], 'max')).toBeNull();
    expect(reduce([null], 'allIsNull')).toBe(true);
    expect(reduce([1, 2], 'nonsense')).toBeNull();
  });
  it('count skips nulls but not NaN', () => {
    expect(reduce([1, null, NaN, 2], 'count')).toBe(3);
    expect(reduce([1, null, NaN, 2], 'mean')).toBe(1.5);
  });
  it('median of an even count', () => {
    expect(reduce([4, 1, 3, 2], 'median')).toBe(2.5);
  });
});

describe('colours', () => {
  it.each([
    ['green', '#73BF69'],
    ['red', '#F2495C'],
    ['dark-red', '#C4162A'],
    ['semi-dark-orange', '#FF780A'],
    ['light-blue', '#8AB8FF'],
    ['super-light-purple', '#DEB6F2'],
    ['yellow', '#FADE2A'],
    ['transparent', 'transparent'],
    ['#890F02', '#890F02'],
    ['rgba(50, 172, 45, 0.97)', 'rgba(50, 172, 45, 0.97)'],
  ])('%s → %s', (name, css) => {
    expect(resolveColor(name)).toBe(css);
  });
  it('text is the theme text colour', () => {
    expect(resolveColor('text')).toMatch(/^rgb/);
  });
  it('the classic palette wraps', () => {
    expect(seriesColor(0)).toBe('#7EB26D');
    expect(seriesColor(1)).toBe('#EAB839');
    expect(seriesColor(CLASSIC_PALETTE.length)).toBe(seriesColor(0));
  });
});

describe('series names', () => {
  const labels = { __name__: 'http_requests_total', service: 'api', code: '200' };
  it('renders {{label}} with or without spaces', () => {
    expect(seriesName(labels, '{{service}} {{ code }}')).toBe('api 200');
    expect(seriesName(labels, '{{ service }} P95')).toBe('api P95');
  });
  it('renders displayName field macros', () => {
    expect(renderDisplayName('${__field.labels.service} (${__series.name})', labels, 'S')).toBe('api (S)');
    expect(renderDisplayName('${__field.labels}', labels, 'S')).toBe('code="200", service="api"');
    expect(renderDisplayName('$var ${__field.other}', labels, 'S')).toBe('$var ${__field.other}');
  });
  it('shows the override displayName (Node Exporter Full process states)', () => {
    const { dashboard } = normalizeDashboard(fixture('node-exporter-full.json'));
    const panel = allPanels(dashboard).find((p) => p.title === 'Processes Detailed States')!;
    const name = seriesName({ state: 'D' }, '{{state}}');
    expect(name).toBe('D');
    expect(displayNameFor(resolveFieldConfig(panel.fieldConfig, { name }), name, { state: 'D' })).toBe('Uninterruptible Sleeping');
    expect(displayNameFor({}, 'x', {})).toBe('x');
  });
  it('renders a missing label as nothing', () => {
    expect(seriesName(labels, 'x{{nope}}y')).toBe('xy');
  });
  it('defaults to metric{labels}', () => {
    expect(seriesName(labels)).toBe('http_requests_total{code="200", service="api"}');
    expect(seriesName(labels, '__auto')).toBe('http_requests_total{code="200", service="api"}');
    expect(seriesName({}, undefined, 'sum(rate(x[5m]))')).toBe('sum(rate(x[5m]))');
    expect(seriesName({})).toBe('{}');
    expect(defaultSeriesName({ __name__: 'up' })).toBe('up');
    expect(defaultSeriesName({ job: 'x' })).toBe('{job="x"}');
  });
});

describe('displayValue', () => {
  const config: FieldConfig = {
    unit: 'percent',
    decimals: 1,
    thresholds: { mode: 'absolute', steps: [{ value: null, color: 'green' }, { value: 80, color: 'red' }] },
    mappings: [{ type: 'special', options: { match: 'null', result: { text: 'N/A' } } }, { type: 'value', options: { '100': { color: 'purple' } } }],
  };
  it('formats with the unit and colours by threshold', () => {
    expect(displayValue(42.123, config)).toEqual({ text: '42.1', suffix: '%', color: '#73BF69', numeric: 42.123 });
    expect(displayValue(85, config).color).toBe('#F2495C');
  });
  it('lets a mapping decide the text or only the colour', () => {
    expect(displayValue(null, config)).toMatchObject({ text: 'N/A', mapped: true });
    expect(displayValue(100, config)).toMatchObject({ text: '100.0', suffix: '%', color: '#B877D9', mapped: true });
  });
  it('shows noValue for null without mapping', () => {
    expect(displayValue(null, { noValue: 'nothing' }).text).toBe('nothing');
  });
  it('uses fixed and palette colour modes', () => {
    expect(displayValue(1, { color: { mode: 'fixed', fixedColor: 'blue' } }).color).toBe('#5794F2');
    expect(displayValue(1, { color: { mode: 'palette-classic' } }, { seriesIndex: 1 }).color).toBe(seriesColor(1));
  });
  it('percentage thresholds use the field min/max', () => {
    const c = { min: 0, max: 200, thresholds: { mode: 'percentage' as const, steps: [{ value: null, color: 'green' }, { value: 50, color: 'red' }] } };
    expect(displayValue(90, c).color).toBe('#73BF69');
    expect(displayValue(110, c).color).toBe('#F2495C');
  });
});
