// Grid layout: Grafana's 24-column grid for dashboards written before it existed (`rows[]`
// with spans and pixel heights) and for panels that come without a `gridPos`.

import type { GridPos } from './types';

/** Columns of Grafana's dashboard grid. */
export const GRID_COLUMNS = 24;
/** One grid row in px, and the vertical margin Grafana counts with it. */
export const GRID_CELL_HEIGHT = 30;
export const GRID_CELL_VMARGIN = 8;
const MIN_PANEL_HEIGHT_PX = GRID_CELL_HEIGHT * 3;
/** Defaults of the old rows layout. */
export const DEFAULT_ROW_HEIGHT_PX = 250;
export const DEFAULT_PANEL_SPAN = 4;

/**
 * A pixel height from the old layout (`250`, `"250px"`) in grid rows: at least 90 px, then
 * divided by a cell plus its margin (38 px), rounded up — Grafana's conversion.
 */
export function pixelsToGridHeight(height: unknown): number {
  let px = typeof height === 'number' ? height : typeof height === 'string' ? parseInt(height.replace('px', ''), 10) : NaN;
  if (!Number.isFinite(px)) px = DEFAULT_ROW_HEIGHT_PX;
  if (px < MIN_PANEL_HEIGHT_PX) px = MIN_PANEL_HEIGHT_PX;
  return Math.ceil(px / (GRID_CELL_HEIGHT + GRID_CELL_VMARGIN));
}

/**
 * Places panels inside one old row the way Grafana's migration does: left to right, a panel
 * going into the free columns at the right when they are tall enough, else wrapping below.
 */
export class RowPlacer {
  private filled: number[];
  constructor(private readonly rowHeight: number, public top: number) {
    this.filled = new Array(GRID_COLUMNS).fill(0);
  }

  /** Finds the place of a `w`-wide panel and records it; returns its grid position. */
  place(w: number, h: number): GridPos {
    let pos = this.findPlace(w);
    if (!pos) {
      this.top += this.rowHeight;
      this.filled.fill(0);
      pos = this.findPlace(w) ?? { x: 0, y: 0 };
    }
    const gp = { x: pos.x, y: this.top + pos.y, w, h };
    for (let i = gp.x; i < Math.min(GRID_COLUMNS, gp.x + w); i++) {
      this.filled[i] = Math.max(this.filled[i], gp.y + h - this.top);
    }
    return gp;
  }

  /** The leftmost start of the run of free columns ending at the right edge, if wide enough. */
  private findPlace(w: number): { x: number; y: number } | null {
    let start: number | undefined;
    let end: number | undefined;
    for (let i = GRID_COLUMNS - 1; i >= 0; i--) {
      if (this.rowHeight - this.filled[i] <= 0) break;
      if (end === undefined) {
        end = i;
      } else if (i < GRID_COLUMNS - 1 && this.filled[i] <= this.filled[i + 1]) {
        start = i;
      } else {
        break;
      }
    }
    if (start === undefined || end === undefined || end - start < w - 1) return null;
    return { x: start, y: Math.max(...this.filled.slice(start)) };
  }
}

/** True when two grid rectangles share any cell. */
export function overlaps(a: GridPos, b: GridPos): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** Panel types that read best small (one number): laid out 6 × 4, others 12 × 8. */
const SMALL_TYPES = new Set(['stat', 'singlestat', 'gauge', 'text', 'grafana-singlestat-panel']);

/** The default size of a panel without a gridPos. */
export function defaultSize(type: string): { w: number; h: number } {
  if (type === 'row') return { w: GRID_COLUMNS, h: 1 };
  return SMALL_TYPES.has(type) ? { w: 6, h: 4 } : { w: 12, h: 8 };
}

/**
 * Fills a grid left to right for panels without a position, starting below `startY`:
 * a panel that does not fit in what is left of the line starts a new line below the
 * tallest panel of the current one, so nothing overlaps.
 */
export class AutoPlacer {
  private x = 0;
  private lineTop: number;
  private lineBottom: number;
  constructor(startY = 0) {
    this.lineTop = startY;
    this.lineBottom = startY;
  }

  place(w: number, h: number): GridPos {
    const width = Math.min(GRID_COLUMNS, Math.max(1, w));
    if (width === GRID_COLUMNS || this.x + width > GRID_COLUMNS) this.newLine();
    const gp = { x: this.x, y: this.lineTop, w: width, h };
    this.x += width;
    this.lineBottom = Math.max(this.lineBottom, this.lineTop + h);
    if (width === GRID_COLUMNS) this.newLine();
    return gp;
  }

  private newLine(): void {
    if (this.x === 0 && this.lineBottom === this.lineTop) return;
    this.x = 0;
    this.lineTop = this.lineBottom;
  }
}
