// The home page, useful with zero config: is Vigil healthy, how is this host doing, what is
// firing, which targets are down, and where to go next (the built-in overview dashboard).
import { useEffect, useState } from 'preact/hooks';
import type { PageProps } from '../app/routes';
import { json, prom, queryInstant, type Labels } from '../lib/api';
import { formatDuration } from '../lib/time';

interface Target { labels: Labels; scrapeUrl: string; health: string; lastError: string; scrapePool: string }
interface RuleAlert { labels: Labels; annotations: Labels; state: string; activeAt?: string }

/** One number on the page: a PromQL query at now, formatted. */
interface Gauge { label: string; query: string; format: (v: number) => string; warnAbove?: number }

const HOST: Gauge[] = [
  { label: 'CPU busy', query: '100 * (1 - avg(rate(node_cpu_seconds_total{mode="idle"}[1m])))', format: (v) => `${v.toFixed(1)} %`, warnAbove: 90 },
  { label: 'Memory used', query: '100 * (1 - sum(node_memory_MemAvailable_bytes) / sum(node_memory_MemTotal_bytes))', format: (v) => `${v.toFixed(1)} %`, warnAbove: 90 },
  { label: 'Load (1m)', query: 'max(node_load1)', format: (v) => v.toFixed(2) },
  { label: 'Root disk used', query: '100 * (1 - max(node_filesystem_avail_bytes{mountpoint="/"}) / max(node_filesystem_size_bytes{mountpoint="/"}))', format: (v) => `${v.toFixed(1)} %`, warnAbove: 90 },
];

const SELF: Gauge[] = [
  { label: 'Series in memory', query: 'max(vigil_tsdb_head_series)', format: (v) => Math.round(v).toLocaleString() },
  { label: 'Samples/s ingested', query: 'sum(rate(vigil_tsdb_head_samples_appended_total[1m]))', format: (v) => v.toFixed(0) },
  { label: 'Resident memory', query: 'max(process_resident_memory_bytes{job="vigil"})', format: (v) => `${(v / 1048576).toFixed(0)} MiB` },
];

function GaugeCard({ g }: { g: Gauge }) {
  const [value, setValue] = useState<number | null | undefined>(undefined);
  useEffect(() => {
    queryInstant(g.query)
      .then((r) => {
        const d = r.data;
        const v = d.resultType === 'vector' && d.result.length ? parseFloat(d.result[0].value[1]) : d.resultType === 'scalar' ? parseFloat(d.result[1]) : null;
        setValue(v !== null && Number.isFinite(v) ? v : null);
      })
      .catch(() => setValue(null));
  }, [g.query]);
  const warn = value != null && g.warnAbove !== undefined && value > g.warnAbove;
  return (
    <a class={`home-stat card ${warn ? 'warn' : ''}`} href={`/explore?q0=${encodeURIComponent(g.query)}`} title={g.query}>
      <div class="home-stat-label">{g.label}</div>
      <div class="home-stat-value">{value === undefined ? '…' : value === null ? 'no data' : g.format(value)}</div>
    </a>
  );
}

export function HomePage(_: PageProps) {
  const [ready, setReady] = useState<boolean | null>(null);
  const [build, setBuild] = useState<{ version?: string } | null>(null);
  const [uptime, setUptime] = useState<string>('');
  const [targets, setTargets] = useState<Target[] | null>(null);
  const [alerts, setAlerts] = useState<RuleAlert[] | null>(null);
  const [error, setError] = useState('');
  useEffect(() => {
    fetch('/-/ready').then((r) => setReady(r.ok)).catch(() => setReady(false));
    prom<{ version?: string }>('/api/v1/status/buildinfo').then((r) => setBuild(r.data)).catch(() => setBuild({}));
    prom<{ startTime?: string }>('/api/v1/status/runtimeinfo')
      .then((r) => r.data.startTime && setUptime(formatDuration(Date.now() - Date.parse(r.data.startTime)).replace(/\d+ms$/, '')))
      .catch(() => {});
    prom<{ activeTargets: Target[] }>('/api/v1/targets').then((r) => setTargets(r.data.activeTargets)).catch((e) => setError(String(e.message ?? e)));
    prom<{ alerts: RuleAlert[] }>('/api/v1/alerts').then((r) => setAlerts(r.data.alerts)).catch((e) => setError(String(e.message ?? e)));
    void json('/api/v2/status').catch(() => {});
  }, []);
  const down = (targets ?? []).filter((t) => t.health !== 'up');
  const firing = (alerts ?? []).filter((a) => a.state === 'firing');
  return (
    <section class="page home">
      <div class="row">
        <h1 class="grow">Vigil</h1>
        <span class={`badge ${ready ? 'ok' : ready === false ? 'err' : ''}`} id="home-health">
          {ready === null ? 'checking…' : ready ? 'healthy and ready' : 'not ready (WAL replay?)'}
        </span>
        {build?.version && <span class="muted">version {build.version}</span>}
        {uptime && <span class="muted">up {uptime}</span>}
      </div>
      {error && <div class="error">{error}</div>}
      <div class="home-grid">
        <div>
          <h2>This host</h2>
          <div class="home-stats">{HOST.map((g) => <GaugeCard g={g} />)}</div>
          <h2>Vigil itself</h2>
          <div class="home-stats">{SELF.map((g) => <GaugeCard g={g} />)}</div>
          <h2>Go to</h2>
          <ul class="home-links">
            <li><a href="/d/vigil-overview">Vigil overview dashboard</a> — ingest, queries, rules and notifications</li>
            <li><a href="/explore">Explore</a> — run PromQL</li>
            <li><a href="/dashboards">Dashboards</a> — import Grafana dashboards unchanged</li>
            <li><a href="/alerting">Alerting</a> — alert groups, silences, acknowledgements</li>
          </ul>
        </div>
        <div>
          <h2>
            Firing alerts <span class={`badge ${firing.length ? 'firing' : 'ok'}`} id="home-firing-count">{alerts === null ? '…' : firing.length}</span>
          </h2>
          {alerts !== null && !firing.length && <p class="muted">Nothing is firing.</p>}
          <ul class="home-list">
            {firing.slice(0, 10).map((a) => (
              <li>
                <b>{a.labels.alertname}</b> <span class="muted">{a.annotations.summary ?? Object.entries(a.labels).filter(([k]) => k !== 'alertname').map(([k, v]) => `${k}=${v}`).join(', ')}</span>
              </li>
            ))}
          </ul>
          {firing.length > 10 && <a href="/alerts">all {firing.length} firing alerts</a>}
          <h2>
            Targets down <span class={`badge ${down.length ? 'down' : 'ok'}`} id="home-down-count">{targets === null ? '…' : `${down.length} of ${targets.length}`}</span>
          </h2>
          {targets !== null && !down.length && <p class="muted">Every target answers.</p>}
          <ul class="home-list">
            {down.slice(0, 10).map((t) => (
              <li>
                <b>{t.scrapePool}</b> <a href={t.scrapeUrl}>{t.scrapeUrl}</a> <span class="error-text">{t.lastError}</span>
              </li>
            ))}
          </ul>
          {down.length > 0 && <a href="/targets?health=unhealthy">see the targets page</a>}
        </div>
      </div>
    </section>
  );
}
