// Layout math of Grafana's 24-column grid: rows hide or show the panels under them and the
// grid compacts upwards (repeats are expanded by the model first). Pure functions, so the
// layout is unit-tested without a browser.
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

/** A repeated copy's values (the model's `scopedVars`) as a scope. */
function scopeOfPanel(p: Panel): VarScope | undefined {
  if (!p.scopedVars) return undefined;
  const out: VarScope = {};
  for (const [k, v] of Object.entries(p.scopedVars)) out[k] = { value: v.value, text: v.text };
  return out;
}

/**
 * The grid as shown, from panels whose repeats the model has expanded: sections one under
 * another; a collapsed row (by the dashboard or a click — `toggled` flips a row's saved
 * state) takes one cell and hides its panels; an open row puts its panels right under it,
 * keeping their relative places; then everything floats up as in Grafana.
 */
export function layout(panels: Panel[], toggled: ReadonlySet<number>): GridItem[] {
  const out: GridItem[] = [];
  let y = 0;
  for (const s of sections(panels)) {
    if (s.row) {
      const collapsed = !!s.row.collapsed !== toggled.has(s.row.id);
      out.push({ key: `row-${s.row.id}`, panel: s.row, pos: { x: 0, y, w: GRID_COLUMNS, h: 1 }, collapsed, scope: scopeOfPanel(s.row) });
      y += 1;
      if (collapsed) continue;
    }
    if (!s.children.length) continue;
    const top = Math.min(...s.children.map((c) => c.gridPos.y));
    let bottom = y;
    for (const c of s.children) {
      const x = Math.max(0, Math.min(GRID_COLUMNS - 1, c.gridPos.x));
      const pos = { x, y: c.gridPos.y - top + y, w: Math.max(1, Math.min(GRID_COLUMNS - x, c.gridPos.w)), h: Math.max(1, c.gridPos.h) };
      out.push({ key: `panel-${c.id}`, panel: c, pos, scope: scopeOfPanel(c) });
      bottom = Math.max(bottom, pos.y + pos.h);
    }
    y = bottom;
  }
  return compact(out);
}
