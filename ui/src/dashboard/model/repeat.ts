// Panel and row repeats: a panel (or row) with `repeat: "var"` is shown once per selected
// value of the variable, each copy with that value in its scope — laid out as Grafana lays
// them out (side by side up to maxPerRow, or stacked), pushing later panels down.

import { ALL_VALUE } from './interpolate';
import { GRID_COLUMNS } from './layout';
import type { Panel, Variable } from './types';

/** One value a repeat runs over. */
export type RepeatValue = { text: string; value: string };
type Scoped = RepeatValue;

/** The values a repeat runs over: every option for All, else the selected values. */
export function repeatValues(v: Variable): RepeatValue[] {
  const values = Array.isArray(v.current.value) ? v.current.value : v.current.value === '' ? [] : [v.current.value];
  const options = v.options.filter((o) => o.value !== ALL_VALUE);
  if (values[0] === ALL_VALUE) return options.map((o) => ({ text: o.text, value: o.value }));
  return values.map((value) => ({ value, text: options.find((o) => o.value === value)?.text ?? value }));
}

function clonePanel(p: Panel, id: number, scoped: Record<string, Scoped>): Panel {
  const copy: Panel = JSON.parse(JSON.stringify(p));
  copy.id = id;
  copy.scopedVars = { ...(p.scopedVars ?? {}), ...scoped };
  if (id !== p.id) copy.repeatPanelId = p.id;
  return copy;
}

function maxId(panels: Panel[]): number {
  let m = 0;
  for (const p of panels) {
    m = Math.max(m, p.id);
    if (p.panels) m = Math.max(m, maxId(p.panels));
  }
  return m;
}

/** Lays out the copies of one repeated panel; returns them and how far they grew downward. */
function layoutPanelCopies(p: Panel, values: Scoped[], varName: string, nextId: () => number): { copies: Panel[]; grow: number } {
  const copies: Panel[] = [];
  const { x: x0, y: y0, h } = p.gridPos;
  let x = 0;
  let y = y0;
  const perRow = p.maxPerRow && p.maxPerRow > 0 ? p.maxPerRow : 4;
  const w = Math.max(1, Math.floor(Math.max(GRID_COLUMNS / Math.max(1, values.length), GRID_COLUMNS / perRow)));
  values.forEach((val, i) => {
    const copy = clonePanel(p, i === 0 ? p.id : nextId(), { [varName]: val });
    if (p.repeatDirection === 'v') {
      copy.gridPos = { ...p.gridPos, x: x0, y: y0 + i * h };
    } else {
      if (x + w > GRID_COLUMNS) {
        x = 0;
        y += h;
      }
      copy.gridPos = { x, y, w, h };
      x += w;
    }
    copies.push(copy);
  });
  const bottom = copies.reduce((m, c) => Math.max(m, c.gridPos.y + c.gridPos.h), y0 + h);
  return { copies, grow: bottom - (y0 + h) };
}

/** Repeats panels within one list (top level, or a collapsed row's children). */
function expandList(panels: Panel[], vars: Map<string, Variable>, nextId: () => number): Panel[] {
  let out: Panel[] = [...panels];
  for (const p of panels) {
    const v = p.repeat ? vars.get(p.repeat) : undefined;
    if (!v || p.type === 'row' || p.repeatPanelId !== undefined) continue;
    const values = repeatValues(v);
    if (!values.length) continue;
    const { copies, grow } = layoutPanelCopies(p, values, v.name, nextId);
    const below = p.gridPos.y + p.gridPos.h;
    out = out.flatMap((q) => (q === p ? copies : [q]));
    if (grow > 0) for (const q of out) if (!copies.includes(q) && q.gridPos.y >= below) q.gridPos = { ...q.gridPos, y: q.gridPos.y + grow };
  }
  return out;
}

/** A row's own panels: its children when collapsed, else the panels after it up to the next row. */
function rowSection(top: Panel[], rowIndex: number): Panel[] {
  const row = top[rowIndex];
  if (row.collapsed) return [];
  const out: Panel[] = [];
  for (let i = rowIndex + 1; i < top.length && top[i].type !== 'row'; i++) out.push(top[i]);
  return out;
}

/**
 * Expands every repeated row and panel of a normalised dashboard for the variables' current
 * values. Copies get new ids (the first keeps the original's), `scopedVars` with their
 * value and `repeatPanelId`; panels below move down so nothing overlaps. Pass the result's
 * `scopedVars` to `interpolate` as `scoped`.
 */
export function expandRepeats(panels: Panel[], variables: readonly Variable[]): Panel[] {
  const vars = new Map(variables.map((v) => [v.name, v]));
  let id = maxId(panels);
  const nextId = () => ++id;
  // Work on a copy: the dashboard's own panels stay as they are for the next expansion.
  const sorted: Panel[] = JSON.parse(JSON.stringify(panels));
  sorted.sort((a, b) => a.gridPos.y - b.gridPos.y || a.gridPos.x - b.gridPos.x);

  // Rows first: each copy of a row carries copies of its section.
  let top: Panel[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const p = sorted[i];
    const v = p.type === 'row' && p.repeat ? vars.get(p.repeat) : undefined;
    if (!v) {
      if (!top.includes(p)) top.push(p);
      continue;
    }
    const section = rowSection(sorted, i);
    const values = repeatValues(v);
    if (!values.length) {
      top.push(p);
      continue;
    }
    const height = 1 + section.reduce((m, q) => Math.max(m, q.gridPos.y + q.gridPos.h - p.gridPos.y - 1), 0);
    values.forEach((val, k) => {
      const shift = k * (p.collapsed ? 1 : height);
      const scoped = { [v.name]: val };
      const row = clonePanel(p, k === 0 ? p.id : nextId(), scoped);
      row.gridPos = { ...p.gridPos, y: p.gridPos.y + shift };
      if (row.panels) row.panels = row.panels.map((c, j) => (k === 0 ? clonePanel(c, c.id, scoped) : { ...clonePanel(c, nextId(), scoped), gridPos: { ...p.panels![j].gridPos, y: p.panels![j].gridPos.y + shift } }));
      top.push(row);
      for (const q of section) {
        const copy = clonePanel(q, k === 0 ? q.id : nextId(), scoped);
        copy.gridPos = { ...q.gridPos, y: q.gridPos.y + shift };
        top.push(copy);
      }
    });
    const grow = (values.length - 1) * (p.collapsed ? 1 : height);
    for (const q of sorted.slice(i + 1 + section.length)) q.gridPos = { ...q.gridPos, y: q.gridPos.y + Math.max(0, grow) };
    i += section.length;
  }

  top = expandList(top, vars, nextId);
  return top.map((p) => (p.type === 'row' && p.panels ? { ...p, panels: expandList(p.panels, vars, nextId) } : p));
}
