// Shared helpers of the dashboard model tests: fixture loading and grid checks.
import { readFileSync } from 'node:fs';
import type { GridPos, Panel } from '../src/dashboard/model';

export function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));
}

export function overlapping(panels: Panel[]): [Panel, Panel][] {
  const out: [Panel, Panel][] = [];
  const hit = (a: GridPos, b: GridPos) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  for (let i = 0; i < panels.length; i++)
    for (let j = i + 1; j < panels.length; j++) if (hit(panels[i].gridPos, panels[j].gridPos)) out.push([panels[i], panels[j]]);
  return out;
}

export function insideGrid(p: Panel): boolean {
  const g = p.gridPos;
  return Number.isInteger(g.x) && Number.isInteger(g.y) && g.x >= 0 && g.y >= 0 && g.w >= 1 && g.h >= 1 && g.x + g.w <= 24;
}
