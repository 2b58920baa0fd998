// /status: runtime information and build information of the running server.
import type { PageProps } from '../../app/routes';
import { prom } from '../../lib/api';
import { formatTimestamp } from '../../lib/time';
import { LoadState, PageHeader, parseTime, relative, useLoad } from './common';

type Info = Record<string, string | number | boolean>;

async function loadStatus(): Promise<{ runtime: Info; build: Info }> {
  const [runtime, build] = await Promise.all([prom<Info>('/api/v1/status/runtimeinfo'), prom<Info>('/api/v1/status/buildinfo')]);
  return { runtime: runtime.data, build: build.data };
}

/** Readable names for runtime fields; the rest show under their API names. */
const RUNTIME_NAMES: Record<string, string> = {
  startTime: 'Start time',
  CWD: 'Working directory',
  reloadConfigSuccess: 'Configuration reload',
  lastConfigTime: 'Last successful configuration reload',
  corruptionCount: 'WAL corruptions',
  goroutineCount: 'Goroutines',
  storageRetention: 'Storage retention',
};

function show(key: string, v: string | number | boolean): string {
  if (typeof v === 'boolean') return key === 'reloadConfigSuccess' ? (v ? 'Successful' : 'Unsuccessful') : String(v);
  if (typeof v === 'string' && /Time$/.test(key)) {
    const ms = parseTime(v);
    return ms === null ? v : `${formatTimestamp(ms)} (${relative(ms)})`;
  }
  return v === '' ? '—' : String(v);
}

export function RuntimeStatusPage(_: PageProps) {
  const state = useLoad(loadStatus);
  return (
    <section class="page runtime-page">
      <PageHeader title="Runtime & build information" onReload={state.reload} />
      <LoadState state={state}>
        {({ runtime, build }) => (
          <>
            <InfoTable title="Runtime information" info={runtime} names={RUNTIME_NAMES} />
            <InfoTable title="Build information" info={build} names={{}} />
          </>
        )}
      </LoadState>
    </section>
  );
}

function InfoTable({ title, info, names }: { title: string; info: Info; names: Record<string, string> }) {
  const entries = Object.entries(info ?? {});
  return (
    <div class="card">
      <h2>{title}</h2>
      {entries.length ? (
        <table class="data kv">
          <tbody>
            {entries.map(([k, v]) => (
              <tr key={k}>
                <th>{names[k] ?? k}</th>
                <td class={k === 'reloadConfigSuccess' && v === false ? 'err-text' : ''}>{show(k, v)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">Nothing reported.</p>
      )}
    </div>
  );
}
