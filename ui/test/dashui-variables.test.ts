// Variables at run time: custom options, chained mentions, selection, scope, table frames.
import { describe, expect, test } from 'vitest';
import { mentions, pickCurrent, scopeOf, ALL, type VarState } from '../src/dashboard/variables';
import { interpolate, type Variable } from '../src/dashboard/bridge';
import { framesPerQuery, mergeFrames } from '../src/dashboard/tableframes';

function def(extra: Partial<Variable>): Variable {
  return { name: 'v', type: 'custom', hide: 0, query: '', regex: '', sort: 0, multi: false, includeAll: false, current: { text: '', value: '' }, options: [], refresh: 0, ...extra };
}

describe('variables', () => {
  test('mentions finds every syntax', () => {
    expect([...mentions('x{a="$job", b="${inst}", c="${n:regex}", d="[[old]]"}')].sort()).toEqual(['inst', 'job', 'n', 'old']);
  });

  test('the URL wins, then the previous, then the saved, then the first option', () => {
    const d = def({ current: { text: 'b', value: 'b' } });
    const opts = [{ text: 'a', value: 'a' }, { text: 'b', value: 'b' }, { text: 'c', value: 'c' }];
    expect(pickCurrent(d, opts, ['c'], ['a'])).toEqual(['c']);
    expect(pickCurrent(d, opts, ['zzz'], ['a'])).toEqual(['a']);
    expect(pickCurrent(d, opts, null, null)).toEqual(['b']);
    expect(pickCurrent(def({}), opts, null, null)).toEqual(['a']);
    expect(pickCurrent(def({ includeAll: true }), [{ text: 'All', value: ALL }, ...opts], ['All'], null)).toEqual([ALL]);
  });

  test('All expands to every option (or the allValue) in queries', () => {
    const opts = [{ text: 'All', value: ALL }, { text: 'a', value: 'a' }, { text: 'b', value: 'b' }];
    const vs: VarState[] = [{ def: def({ name: 'x', includeAll: true }), options: opts, current: [ALL] }];
    expect(interpolate('{i=~"$x"}', scopeOf(vs))).toBe('{i=~"(a|b)"}');
    expect(interpolate('$x', scopeOf(vs), 'text')).toBe('All');
    vs[0].def.allValue = '.*';
    expect(interpolate('{i=~"$x"}', scopeOf(vs))).toBe('{i=~".*"}');
  });
});

describe('table frames', () => {
  const s = (refId: string, labels: Record<string, string>, v: number) => ({ refId, name: refId, labels, timestamps: [1, 2], values: [0, v] });
  test('one frame per query with label columns and the last value', () => {
    const f = framesPerQuery([s('A', { job: 'x' }, 3), s('B', { job: 'y' }, 4)]);
    expect(f.map((x) => [x.name, x.columns, x.rows])).toEqual([
      ['A', ['job', 'Value'], [['x', 3]]],
      ['B', ['job', 'Value'], [['y', 4]]],
    ]);
  });
  test('merge joins rows with equal labels', () => {
    const f = mergeFrames([s('A', { t: 'email', c: 'web' }, 3), s('B', { t: 'email', c: 'web' }, 1), s('B', { t: 'sms', c: 'app' }, 2)]);
    expect(f.columns).toEqual(['c', 't', 'Value #A', 'Value #B']);
    expect(f.rows).toEqual([
      ['web', 'email', 3, 1],
      ['app', 'sms', null, 2],
    ]);
  });
});

describe('organize', () => {
  test('columns hidden, renamed and reordered by name', async () => {
    const { organizeFrame } = await import('../src/dashboard/tableframes');
    const f = organizeFrame({ name: 'A', columns: ['instance', 'job', 'Value'], rows: [['a', 'j', 1]] }, { excludeByName: { instance: true }, renameByName: { Value: 'Up' }, indexByName: { Value: 0, job: 1 } });
    expect(f.columns).toEqual(['Up', 'job']);
    expect(f.rows).toEqual([[1, 'j']]);
  });
});
