// Runs a panel's planned queries against the API and turns the answers into named series.
// One failing target does not hide the others: its error travels with the data.
import { queryInstant, queryRange, ApiError, type QueryData } from '../lib/api';
import type { PanelQuery } from './query';
import { seriesName } from './query';

/** One series of a panel: values on its own timestamps (Unix seconds). */
export interface SeriesData {
  refId: string;
  name: string;
  labels: Record<string, string>;
  timestamps: number[];
  values: (number | null)[];
}

export interface PanelData {
  series: SeriesData[];
  /** The first failing target's API error text, if any target failed. */
  error?: string;
  warnings: string[];
}

function toSeries(q: PanelQuery, data: QueryData): SeriesData[] {
  const num = (v: string) => {
    const x = parseFloat(v);
    return Number.isNaN(x) ? null : x;
  };
  switch (data.resultType) {
    case 'matrix':
      return data.result.map((s) => ({
        refId: q.refId,
        name: seriesName(s.metric, q.legendFormat, q.expr),
        labels: s.metric,
        timestamps: s.values.map((p) => p[0]),
        values: s.values.map((p) => num(p[1])),
      }));
    case 'vector':
      return data.result.map((s) => ({ refId: q.refId, name: seriesName(s.metric, q.legendFormat, q.expr), labels: s.metric, timestamps: [s.value[0]], values: [num(s.value[1])] }));
    case 'scalar':
      return [{ refId: q.refId, name: seriesName({}, q.legendFormat, q.expr), labels: {}, timestamps: [data.result[0]], values: [num(data.result[1])] }];
    default:
      return [];
  }
}

/** Sends every query (in parallel) and gathers the series in target order. */
export async function runQueries(queries: PanelQuery[]): Promise<PanelData> {
  const answers = await Promise.allSettled(queries.map((q) => (q.instant ? queryInstant(q.expr, q.end) : queryRange(q.expr, q.start, q.end, q.step))));
  const out: PanelData = { series: [], warnings: [] };
  answers.forEach((a, i) => {
    if (a.status === 'fulfilled') {
      out.series.push(...toSeries(queries[i], a.value.data));
      out.warnings.push(...a.value.warnings);
    } else if (!out.error) {
      out.error = a.reason instanceof ApiError ? a.reason.message : String(a.reason);
    }
  });
  return out;
}
