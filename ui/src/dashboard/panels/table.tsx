// The table panel: Prometheus answers as rows of labels and values, one frame per query with a
// selector or merged (`merge` transformation, or `organize`-free multi-query panels), sortable
// columns, units per column through overrides and optional threshold colours per cell.
import { useState } from 'preact/hooks';
import { displayValue, fieldConfigFor } from '../fieldconfig';
import { framesPerQuery, mergeFrames, type TableFrame } from '../tableframes';
import type { PanelViewProps } from './types';

function wantsMerge(p: PanelViewProps): boolean {
  return (p.panel.transformations ?? []).some((x) => x.id === 'merge' && !x.disabled);
}

export function TablePanel(p: PanelViewProps) {
  const frames: TableFrame[] = wantsMerge(p) ? [mergeFrames(p.data.series)] : framesPerQuery(p.data.series);
  const [selected, setSelected] = useState(0);
  const [sort, setSort] = useState<{ col: number; desc: boolean } | null>(null);
  const frame = frames[Math.min(selected, frames.length - 1)];
  if (!frame) return null;
  const rows = [...frame.rows];
  if (sort) {
    rows.sort((a, b) => {
      const x = a[sort.col];
      const y = b[sort.col];
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''), undefined, { numeric: true });
      return sort.desc ? -c : c;
    });
  }
  const configs = frame.columns.map((c) => fieldConfigFor(p.panel, c));
  const clickHeader = (i: number) => setSort((s) => (!s || s.col !== i ? { col: i, desc: false } : s.desc ? null : { col: i, desc: true }));
  return (
    <div class="dash-table">
      {frames.length > 1 && (
        <select class="frame-select" value={selected} onChange={(e) => setSelected(Number((e.target as HTMLSelectElement).value))}>
          {frames.map((f, i) => (
            <option value={i}>{f.name}</option>
          ))}
        </select>
      )}
      <div class="dash-table-scroll">
        <table class="data">
          <thead>
            <tr>
              {frame.columns.map((c, i) => (
                <th onClick={() => clickHeader(i)} class="sortable">
                  {configs[i].displayName ?? c}
                  {sort?.col === i ? (sort.desc ? ' ▼' : ' ▲') : ''}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr>
                {r.map((cell, i) => {
                  if (typeof cell !== 'number' && cell !== null) return <td>{cell}</td>;
                  const fc = configs[i];
                  const custom = (fc.custom ?? {}) as { displayMode?: string; cellOptions?: { type?: string } };
                  const cellMode = custom.cellOptions?.type ?? custom.displayMode ?? 'auto';
                  const { text, color } = displayValue(cell, fc, '');
                  const style =
                    cellMode === 'color-background' || cellMode === 'color-background-solid'
                      ? { background: color, color: '#fff' }
                      : cellMode === 'color-text'
                        ? { color }
                        : {};
                  return (
                    <td class="num" style={style}>
                      {cell === null ? '' : text}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
