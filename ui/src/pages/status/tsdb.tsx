// /tsdb-status: head block statistics and the cardinality tops, to find what makes series.
import type { PageProps } from '../../app/routes';
import { prom } from '../../lib/api';
import { formatTimestamp } from '../../lib/time';
import { LoadState, PageHeader, useLoad } from './common';
import type { NameValue, TsdbStatus } from './types';

export function TsdbStatusPage(_: PageProps) {
  const state = useLoad(async () => (await prom<TsdbStatus>('/api/v1/status/tsdb')).data);
  return (
    <section class="page tsdb-page">
      <PageHeader title="TSDB status" onReload={state.reload} />
      <LoadState state={state}>
        {(s) => (
          <>
            {s.headStats && (
              <div class="card">
                <h2>Head</h2>
                <table class="data kv">
                  <tbody>
                    <tr><th>Series</th><td>{s.headStats.numSeries}</td></tr>
                    {s.headStats.numLabelPairs !== undefined && <tr><th>Label pairs</th><td>{s.headStats.numLabelPairs}</td></tr>}
                    <tr><th>Chunks</th><td>{s.headStats.chunkCount}</td></tr>
                    <tr><th>Earliest sample</th><td>{headTime(s.headStats.minTime)}</td></tr>
                    <tr><th>Latest sample</th><td>{headTime(s.headStats.maxTime)}</td></tr>
                  </tbody>
                </table>
              </div>
            )}
            <div class="tsdb-tops">
              <Top title="Top series count by metric name" name="Metric name" unit="Series" rows={s.seriesCountByMetricName} />
              <Top title="Top label names with value count" name="Label name" unit="Values" rows={s.labelValueCountByLabelName} />
              <Top title="Top label names with high memory usage" name="Label name" unit="Bytes" rows={s.memoryInBytesByLabelName} />
              <Top title="Top series count by label value pairs" name="Label pair" unit="Series" rows={s.seriesCountByLabelValuePair} />
            </div>
          </>
        )}
      </LoadState>
    </section>
  );
}

/** The head's min/max time; the API sends ±MaxInt64-like sentinels when the head is empty. */
function headTime(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0 || ms > 8.64e15) return '—';
  return formatTimestamp(ms);
}

function Top({ title, name, unit, rows }: { title: string; name: string; unit: string; rows?: NameValue[] }) {
  return (
    <div class="card tsdb-top">
      <h2>{title}</h2>
      {rows && rows.length ? (
        <table class="data">
          <thead>
            <tr>
              <th>{name}</th>
              <th class="num">{unit}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.name}>
                <td class="mono">{r.name}</td>
                <td class="num">{r.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">Nothing yet.</p>
      )}
    </div>
  );
}
