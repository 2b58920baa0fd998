// The table panel: Prometheus answers as rows of labels and values, one frame per query with a
// selector or merged (`merge` transformation), columns hidden/renamed/ordered by `organize`,
// sortable (initially by `sortBy`), units per column through overrides and optional threshold
// colours per cell.
import { useState } from 'preact/hooks';
import { displayValue, fieldConfigFor } from '../fieldconfig';
import { framesPerQuery, mergeFrames, organizeFrame, type OrganizeOptions, type TableFrame } from '../tableframes';
import type { PanelViewProps } from './types';

/** The panel's transformations this renderer applies: `merge`, then `organize`. */
function transformations(p: PanelViewProps): { merge: boolean; organize?: OrganizeOptions } {
  const active = (p.panel.transformations ?? []).filter((x) => !x.disabled);
  return { merge: active.some((x) => x.id === 'merge'), organize: active.find((x) => x.id === 'organize')?.options as OrganizeOptions | undefined };
}

export function TablePanel(p: PanelViewProps) {
  const t = transformations(p);
  let frames: TableFrame[] = t.merge ? [mergeFrames(p.data.series)] : framesPerQuery(p.data.series);
  if (t.organize) frames = frames.map((f) => organizeFrame(f, t.organize!));
  const [selected, setSelected] = useState(0);
  const frame = frames[Math.min(selected, frames.length - 1)];
  // The saved sort (`options.sortBy`) applies until a header is clicked.
  const saved = ((p.panel.options.sortBy ?? []) as { displayName?: string; desc?: boolean }[])[0];
  const savedCol = saved?.displayName && frame ? frame.columns.indexOf(saved.displayName) : -1;
  const [sort, setSort] = useState<{ col: number; desc: boolean } | null>(savedCol >= 0 ? { col: savedCol, desc: !!saved?.desc } : null);
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
