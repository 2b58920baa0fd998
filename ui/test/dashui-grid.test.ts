// Grid layout math of the dashboard view: rows, collapsing, repeats and compaction.
import { describe, expect, test } from 'vitest';
import { cellsToPx, compact, layout } from '../src/dashboard/grid';
import { expandRepeats, normalizeDashboard, type Panel, type Variable } from '../src/dashboard/bridge';

function panel(id: number, x: number, y: number, w: number, h: number, extra: Partial<Panel> = {}): Panel {
  return { id, type: 'timeseries', title: `p${id}`, gridPos: { x, y, w, h }, targets: [], fieldConfig: { defaults: {}, overrides: [] }, options: {}, links: [], ...extra };
}
function variable(name: string, values: string[]): Variable {
  return { name, type: 'custom', hide: 0, query: values.join(','), regex: '', sort: 0, multi: true, includeAll: false, current: { text: values, value: values }, options: values.map((v) => ({ text: v, value: v })), refresh: 0 };
}

describe('grid layout', () => {
  test('cell heights include the margins between cells', () => {
    expect(cellsToPx(1)).toBe(30);
    expect(cellsToPx(8)).toBe(8 * 30 + 7 * 8);
  });

  test('a collapsed row hides its panels and the rows after it move up', () => {
    const panels = [
      panel(1, 0, 0, 24, 1, { type: 'row', collapsed: true, panels: [panel(2, 0, 1, 12, 8), panel(3, 12, 1, 12, 8)] }),
      panel(4, 0, 1, 24, 1, { type: 'row', collapsed: false }),
      panel(5, 0, 2, 24, 6),
    ];
    const items = layout(panels, new Set());
    expect(items.map((i) => [i.panel.id, i.pos.y])).toEqual([
      [1, 0],
      [4, 1],
      [5, 2],
    ]);
    expect(items[0].collapsed).toBe(true);
  });

  test('toggling a collapsed row shows its panels under it and pushes the rest down', () => {
    const panels = [
      panel(1, 0, 0, 24, 1, { type: 'row', collapsed: true, panels: [panel(2, 0, 400, 12, 8), panel(3, 12, 400, 12, 8), panel(6, 0, 900, 24, 4)] }),
      panel(4, 0, 1, 24, 1, { type: 'row' }),
      panel(5, 0, 2, 24, 6),
    ];
    const items = layout(panels, new Set([1]));
    const y = Object.fromEntries(items.map((i) => [i.panel.id, i.pos.y]));
    expect(y).toEqual({ 1: 0, 2: 1, 3: 1, 6: 9, 4: 13, 5: 14 });
  });

  test('toggling an open row hides the panels that follow it', () => {
    const panels = [panel(1, 0, 0, 24, 1, { type: 'row' }), panel(2, 0, 1, 12, 8), panel(3, 0, 9, 24, 1, { type: 'row' }), panel(4, 0, 10, 12, 8)];
    const items = layout(panels, new Set([1]));
    expect(items.map((i) => i.panel.id)).toEqual([1, 3, 4]);
    expect(items.find((i) => i.panel.id === 3)!.pos.y).toBe(1);
  });

  test('compaction floats panels up to the nearest panel above in their columns', () => {
    const items = compact([
      { key: 'a', panel: panel(1, 0, 0, 12, 4), pos: { x: 0, y: 0, w: 12, h: 4 } },
      { key: 'b', panel: panel(2, 12, 50, 12, 4), pos: { x: 12, y: 50, w: 12, h: 4 } },
      { key: 'c', panel: panel(3, 0, 70, 24, 2), pos: { x: 0, y: 70, w: 24, h: 2 } },
    ]);
    expect(items.map((i) => i.pos.y)).toEqual([0, 0, 4]);
  });

  test("the model's horizontal repeat lands side by side, maxPerRow per line, scoped", () => {
    const p = panel(1, 0, 0, 8, 5, { repeat: 'host', maxPerRow: 2 });
    const below = panel(2, 0, 5, 24, 3);
    const items = layout(expandRepeats([p, below], [variable('host', ['a', 'b', 'c'])]), new Set());
    expect(items.filter((i) => i.scope).map((i) => [i.pos.x, i.pos.y, i.pos.w, i.scope!.host.value])).toEqual([
      [0, 0, 12, 'a'],
      [12, 0, 12, 'b'],
      [0, 5, 12, 'c'],
    ]);
    expect(items.find((i) => i.panel.id === 2)!.pos.y).toBe(10);
    expect(new Set(items.map((i) => i.key)).size).toBe(items.length);
  });

  test('a vertical repeat stacks the copies', () => {
    const p = panel(1, 0, 0, 8, 5, { repeat: 'host', repeatDirection: 'v' });
    const items = layout(expandRepeats([p], [variable('host', ['a', 'b'])]), new Set());
    expect(items.map((i) => [i.pos.x, i.pos.y, i.pos.w])).toEqual([
      [0, 0, 8],
      [0, 5, 8],
    ]);
  });

  test('an old rows[] dashboard lays out on the grid with its rows', () => {
    const { dashboard: d } = normalizeDashboard({
      rows: [
        { title: 'A', height: 250, panels: [{ id: 1, type: 'graph', span: 6, targets: [] }, { id: 2, type: 'graph', span: 6, targets: [] }] },
        { title: 'B', collapse: true, height: '300px', panels: [{ id: 3, type: 'singlestat', span: 12, targets: [] }] },
      ],
    });
    const items = layout(d.panels, new Set());
    expect(items.map((i) => [i.panel.type, i.pos.x, i.pos.y, i.pos.w, i.pos.h])).toEqual([
      ['row', 0, 0, 24, 1],
      // 250 px is 7 cells of 30 px plus 8 px margins (the model's conversion).
      ['timeseries', 0, 1, 12, 7],
      ['timeseries', 12, 1, 12, 7],
      ['row', 0, 8, 24, 1],
    ]);
  });
});

describe('repeated rows', () => {
  test('a row repeats with its panels once per value, each copy scoped to its value', () => {
    const panels = [panel(1, 0, 0, 24, 1, { type: 'row', repeat: 'dc', title: 'DC $dc' }), panel(2, 0, 1, 12, 4), panel(3, 0, 5, 24, 1, { type: 'row' })];
    const items = layout(expandRepeats(panels, [variable('dc', ['x', 'y'])]), new Set());
    expect(items.map((i) => [i.panel.type, i.pos.y, i.scope?.dc?.value])).toEqual([
      ['row', 0, 'x'],
      ['timeseries', 1, 'x'],
      ['row', 5, 'y'],
      ['timeseries', 6, 'y'],
      ['row', 10, undefined],
    ]);
    expect(new Set(items.map((i) => i.key)).size).toBe(items.length);
  });
});
