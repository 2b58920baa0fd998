// Series to table frames, the way Grafana's table panel shows Prometheus answers: one frame per
// query (label columns, then the value), or one merged frame when the panel asks for `merge`
// (rows with the same labels joined, one value column per query).
import type { SeriesData } from './data';

export interface TableFrame {
  name: string;
  columns: string[];
  /** Cells: label strings or numbers (null when absent). */
  rows: (string | number | null)[][];
}

function lastValue(s: SeriesData): number | null {
  for (let i = s.values.length - 1; i >= 0; i--) if (s.values[i] !== null) return s.values[i];
  return null;
}

function labelKeys(series: SeriesData[]): string[] {
  const keys = new Set<string>();
  for (const s of series) for (const k of Object.keys(s.labels)) if (k !== '__name__') keys.add(k);
  return [...keys].sort();
}

/** One frame per query refId (in first-seen order). */
export function framesPerQuery(series: SeriesData[]): TableFrame[] {
  const byRef = new Map<string, SeriesData[]>();
  for (const s of series) byRef.set(s.refId, [...(byRef.get(s.refId) ?? []), s]);
  return [...byRef.entries()].map(([refId, ss]) => {
    const keys = labelKeys(ss);
    return { name: refId, columns: [...keys, 'Value'], rows: ss.map((s) => [...keys.map((k) => s.labels[k] ?? ''), lastValue(s)]) };
  });
}

/** Grafana's `merge`: rows with equal labels become one row with `Value #A`, `Value #B`… */
export function mergeFrames(series: SeriesData[]): TableFrame {
  const keys = labelKeys(series);
  const refs = [...new Set(series.map((s) => s.refId))];
  const valueCols = refs.length > 1 ? refs.map((r) => `Value #${r}`) : ['Value'];
  const rows = new Map<string, (string | number | null)[]>();
  for (const s of series) {
    const labelCells = keys.map((k) => s.labels[k] ?? '');
    const id = JSON.stringify(labelCells);
    const row = rows.get(id) ?? [...labelCells, ...valueCols.map(() => null)];
    row[keys.length + (refs.length > 1 ? refs.indexOf(s.refId) : 0)] = lastValue(s);
    rows.set(id, row);
  }
  return { name: 'merged', columns: [...keys, ...valueCols], rows: [...rows.values()] };
}

/** Grafana's `organize` transformation: columns hidden, renamed and reordered by name. */
export interface OrganizeOptions {
  excludeByName?: Record<string, boolean>;
  renameByName?: Record<string, string>;
  indexByName?: Record<string, number>;
}

export function organizeFrame(frame: TableFrame, o: OrganizeOptions): TableFrame {
  const keep = frame.columns.map((c, i) => ({ c, i })).filter(({ c }) => !o.excludeByName?.[c]);
  const index = o.indexByName ?? {};
  keep.sort((a, b) => (index[a.c] ?? 1e6 + a.i) - (index[b.c] ?? 1e6 + b.i));
  return {
    name: frame.name,
    columns: keep.map(({ c }) => o.renameByName?.[c] || c),
    rows: frame.rows.map((r) => keep.map(({ i }) => r[i])),
  };
}
