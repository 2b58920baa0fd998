// Layout math of Grafana's 24-column grid: rows hide or show the panels under them, repeated
// panels take their copies' places, and everything below moves to make room. Pure functions,
// so the layout is unit-tested without a browser.
import type { GridPos, Panel, VarScope } from './bridge';

export const GRID_COLUMNS = 24;
/** Grafana's grid cell: 30 px high with 8 px between cells. */
export const CELL_HEIGHT = 30;
export const CELL_MARGIN = 8;

/** One thing placed on the grid. */
export interface GridItem {
  key: string;
  panel: Panel;
  pos: GridPos;
  /** Variables a repeated panel (or a panel of a repeated row) sees in place of the dashboard's. */
  scope?: VarScope;
  /** Rows only: whether its panels are hidden now. */
  collapsed?: boolean;
}

/** Pixel height of `h` grid cells, margins between them included. */
export function cellsToPx(h: number): number {
  return h * CELL_HEIGHT + (h - 1) * CELL_MARGIN;
}

interface Section {
  row: Panel | null;
  children: Panel[];
}

/** Splits top-level panels into sections: panels before the first row, then each row with its panels. */
export function sections(panels: Panel[]): Section[] {
  const sorted = [...panels].sort((a, b) => a.gridPos.y - b.gridPos.y || a.gridPos.x - b.gridPos.x);
  const out: Section[] = [{ row: null, children: [] }];
  for (const p of sorted) {
    if (p.type === 'row') out.push({ row: p, children: p.collapsed ? [...(p.panels ?? [])] : [] });
    else out[out.length - 1].children.push(p);
  }
  return out.filter((s) => s.row || s.children.length);
}

/** The values a repeat iterates over: the variable's selected values (All means every option). */
export type RepeatValues = (varName: string) => { value: string; text: string }[];

/**
 * Places repeated copies of `children` (a row's panels, positions relative to the row's top):
 * direction `h` fills a line with `maxPerRow` (default 4) copies per line, `v` stacks them.
 */
export function expandRepeats(children: Panel[], values: RepeatValues, keyPrefix: string): GridItem[] {
  let items: GridItem[] = children.map((p) => ({ key: `${keyPrefix}${p.id}`, panel: p, pos: { ...p.gridPos } }));
  for (const p of children) {
    if (!p.repeat) continue;
    const vals = values(p.repeat);
    if (vals.length === 0) continue;
    const idx = items.findIndex((i) => i.panel === p && !i.scope);
    const orig = items[idx].pos;
    const copies: GridItem[] = [];
    let extra = 0;
    if (p.repeatDirection === 'v') {
      vals.forEach((v, i) => copies.push({ key: `${keyPrefix}${p.id}-${i}`, panel: p, pos: { x: orig.x, y: orig.y + i * orig.h, w: orig.w, h: orig.h }, scope: scopeFor(p.repeat!, v) }));
      extra = (vals.length - 1) * orig.h;
    } else {
      const perRow = Math.max(1, Math.min(p.maxPerRow ?? 4, vals.length));
      const w = Math.max(1, Math.floor(GRID_COLUMNS / perRow));
      vals.forEach((v, i) =>
        copies.push({ key: `${keyPrefix}${p.id}-${i}`, panel: p, pos: { x: (i % perRow) * w, y: orig.y + Math.floor(i / perRow) * orig.h, w, h: orig.h }, scope: scopeFor(p.repeat!, v) }),
      );
      extra = (Math.ceil(vals.length / perRow) - 1) * orig.h;
    }
    for (const it of items) if (it.panel !== p && it.pos.y >= orig.y + orig.h) it.pos = { ...it.pos, y: it.pos.y + extra };
    items = [...items.slice(0, idx), ...copies, ...items.slice(idx + 1)];
  }
  return items;
}

function scopeFor(name: string, v: { value: string; text: string }): VarScope {
  return { [name]: { value: v.value, text: v.text } };
}

/**
 * Grafana's vertical compaction: every item, in reading order, floats up until it meets an item
 * above it in its columns (dashboards often store stale, far-apart y values in collapsed rows).
 */
export function compact(items: GridItem[]): GridItem[] {
  const order = [...items].sort((a, b) => a.pos.y - b.pos.y || a.pos.x - b.pos.x);
  const placed: GridPos[] = [];
  for (const it of order) {
    let y = 0;
    for (const p of placed) if (p.x < it.pos.x + it.pos.w && it.pos.x < p.x + p.w) y = Math.max(y, p.y + p.h);
    it.pos = { ...it.pos, y };
    placed.push(it.pos);
  }
  return order;
}

/**
 * The grid as shown: sections one under another; a collapsed row (by the dashboard or a click,
 * `toggled` flips a row's saved state) takes one cell and hides its panels; an open row puts
 * its panels right under it, keeping their relative places.
 */
export function layout(panels: Panel[], toggled: ReadonlySet<number>, values: RepeatValues): GridItem[] {
  const out: GridItem[] = [];
  let y = 0;
  for (const [si, s] of sections(panels).entries()) {
    // A repeated row comes once per value of its variable, its panels seeing that value.
    const repeatOver = s.row?.repeat ? values(s.row.repeat) : [];
    const copies: (VarScope | undefined)[] = repeatOver.length ? repeatOver.map((v) => scopeFor(s.row!.repeat!, v)) : [undefined];
    for (const [ci, rowScope] of copies.entries()) {
      if (s.row) {
        const collapsed = !!s.row.collapsed !== toggled.has(s.row.id);
        out.push({ key: `row-${s.row.id}-${ci}`, panel: s.row, pos: { x: 0, y, w: GRID_COLUMNS, h: 1 }, collapsed, scope: rowScope });
        y += 1;
        if (collapsed) continue;
      }
      if (!s.children.length) continue;
      const top = Math.min(...s.children.map((c) => c.gridPos.y));
      const rel = s.children.map((c) => ({ ...c, gridPos: { ...c.gridPos, y: c.gridPos.y - top } }));
      const items = expandRepeats(rel, values, `s${si}-${ci}-`);
      let bottom = 0;
      for (const it of items) {
        it.pos = { ...it.pos, x: Math.max(0, Math.min(GRID_COLUMNS - 1, it.pos.x)), w: Math.max(1, Math.min(GRID_COLUMNS, it.pos.w)), y: it.pos.y + y };
        if (rowScope) it.scope = { ...rowScope, ...(it.scope ?? {}) };
        bottom = Math.max(bottom, it.pos.y + it.pos.h);
        out.push(it);
      }
      y = Math.max(y, bottom);
    }
  }
  return compact(out);
}
