import { describe, expect, it } from 'vitest';
import { expandRepeats, interpolate, normalizeDashboard, repeatValues } from '../src/dashboard/model';
import { overlapping } from './helpers';

function dash(panels: unknown[], current: string | string[], includeAll = false) {
  return normalizeDashboard({
    panels,
    templating: { list: [{ name: 'host', type: 'custom', query: 'a,b,c,d,e,f', multi: true, includeAll, current: { value: current, text: current } }] },
  }).dashboard;
}

describe('expandRepeats', () => {
  it('repeats horizontally, width from the count and maxPerRow', () => {
    const d = dash([{ id: 1, type: 'stat', title: '$host', repeat: 'host', gridPos: { x: 0, y: 0, w: 24, h: 4 } }, { id: 2, type: 'timeseries', gridPos: { x: 0, y: 4, w: 24, h: 8 } }], ['a', 'b', 'c']);
    d.templating.list[0].options = ['a', 'b', 'c', 'd', 'e', 'f'].map((x) => ({ text: x, value: x }));
    const out = expandRepeats(d.panels, d.templating.list);
    const copies = out.filter((p) => p.type === 'stat');
    expect(copies.map((p) => p.gridPos)).toEqual([
      { x: 0, y: 0, w: 8, h: 4 },
      { x: 8, y: 0, w: 8, h: 4 },
      { x: 16, y: 0, w: 8, h: 4 },
    ]);
    expect(copies.map((p) => p.scopedVars?.host.value)).toEqual(['a', 'b', 'c']);
    expect(copies[0].id).toBe(1);
    expect(copies[1].repeatPanelId).toBe(1);
    expect(new Set(out.map((p) => p.id)).size).toBe(out.length);
    expect(out.find((p) => p.id === 2)!.gridPos.y).toBe(4);
    expect(interpolate(copies[2].title, { variables: d.templating.list, scoped: copies[2].scopedVars })).toBe('c');
    // The dashboard itself is untouched.
    expect(d.panels).toHaveLength(2);
  });

  it('wraps after maxPerRow and pushes later panels down', () => {
    const d = dash([{ id: 1, type: 'stat', repeat: 'host', gridPos: { x: 0, y: 0, w: 6, h: 4 } }, { id: 2, type: 'stat', gridPos: { x: 0, y: 4, w: 6, h: 4 } }], ['$__all'], true);
    d.templating.list[0].options = [{ text: 'All', value: '$__all' }, ...['a', 'b', 'c', 'd', 'e', 'f'].map((x) => ({ text: x, value: x }))];
    const out = expandRepeats(d.panels, d.templating.list);
    const copies = out.filter((p) => p.id === 1 || p.repeatPanelId === 1);
    expect(copies).toHaveLength(6);
    expect(copies.map((p) => `${p.gridPos.x},${p.gridPos.y}`)).toEqual(['0,0', '6,0', '12,0', '18,0', '0,4', '6,4']);
    expect(out.find((p) => p.id === 2)!.gridPos.y).toBe(8);
    expect(overlapping(out)).toEqual([]);
  });

  it('stacks vertical repeats', () => {
    const d = dash([{ id: 1, type: 'timeseries', repeat: 'host', repeatDirection: 'v', gridPos: { x: 0, y: 0, w: 12, h: 8 } }], ['a', 'b']);
    const out = expandRepeats(d.panels, d.templating.list);
    expect(out.map((p) => p.gridPos)).toEqual([
      { x: 0, y: 0, w: 12, h: 8 },
      { x: 0, y: 8, w: 12, h: 8 },
    ]);
  });

  it('repeats a row with its panels', () => {
    const d = dash(
      [
        { id: 1, type: 'row', title: 'Host $host', repeat: 'host', gridPos: { x: 0, y: 0, w: 24, h: 1 } },
        { id: 2, type: 'timeseries', gridPos: { x: 0, y: 1, w: 12, h: 8 } },
        { id: 3, type: 'row', title: 'After', gridPos: { x: 0, y: 9, w: 24, h: 1 } },
      ],
      ['a', 'b'],
    );
    const out = expandRepeats(d.panels, d.templating.list);
    expect(out.map((p) => `${p.type}:${p.gridPos.y}:${p.scopedVars?.host?.value ?? '-'}`)).toEqual(['row:0:a', 'timeseries:1:a', 'row:9:b', 'timeseries:10:b', 'row:18:-']);
    expect(overlapping(out)).toEqual([]);
  });

  it('keeps a repeated panel whose variable has no value', () => {
    const d = dash([{ id: 1, type: 'stat', repeat: 'host', gridPos: { x: 0, y: 0, w: 6, h: 4 } }], []);
    expect(expandRepeats(d.panels, d.templating.list)).toHaveLength(1);
    expect(repeatValues(d.templating.list[0])).toEqual([]);
  });
});
