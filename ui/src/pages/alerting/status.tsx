// /alerting/status: the alert manager's status (cluster, version, uptime), its receivers, the
// routing tree and time intervals from its configuration, and a template preview form.
import { useState } from 'preact/hooks';
import type { PageProps } from '../../app/routes';
import { json, request } from '../../lib/api';
import { formatTimestamp } from '../../lib/time';
import { LoadState, PageHeader, errorText, parseTime, relative, useLoad } from '../status/common';
import { CopyableText } from '../status/config';
import { parseMatchers } from './matchers';
import { RouteTree, TimeIntervals, isObj } from './route-tree';
import { RECURRING_PREFIX } from './silences';
import type { AmStatus, Silence } from './types';
import { formatMatcher } from './matchers';
import { silencesUrl } from './links';
import { parseYaml, type Yaml } from './yaml';

async function loadStatus(): Promise<{ status: AmStatus; receivers: string[]; silences: Silence[] }> {
  const [status, receivers, silences] = await Promise.all([json<AmStatus>('/api/v2/status'), json<{ name: string }[]>('/api/v2/receivers'), json<Silence[]>('/api/v2/silences')]);
  return { status, receivers: receivers.map((r) => r.name), silences };
}

/** The configuration parsed, or why it could not be (the text still shows). */
function readConfig(text: string): { config?: { [k: string]: Yaml }; error?: string } {
  try {
    const v = parseYaml(text);
    return isObj(v) ? { config: v } : { error: 'the configuration is not a map' };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

export function AlertmanagerStatusPage(_: PageProps) {
  const state = useLoad(loadStatus);
  return (
    <section class="page am-status-page">
      <PageHeader title="Alert manager status" onReload={state.reload} />
      <LoadState state={state}>
        {({ status, receivers, silences }) => {
          const { config, error } = readConfig(status.config?.original ?? '');
          const started = parseTime(status.uptime);
          return (
            <>
              <div class="card">
                <h2>Status</h2>
                <table class="data kv">
                  <tbody>
                    <tr><th>Uptime</th><td>{started !== null ? `${formatTimestamp(started)} (up ${relative(started).replace(' ago', '')})` : '—'}</td></tr>
                    <tr><th>Cluster</th><td>{status.cluster.status}{status.cluster.name ? ` (${status.cluster.name})` : ''}, {status.cluster.peers?.length ?? 0} peers</td></tr>
                    {Object.entries(status.versionInfo ?? {}).filter(([, v]) => v).map(([k, v]) => (
                      <tr key={k}><th>{k}</th><td>{v}</td></tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div class="card">
                <h2>Receivers</h2>
                {receivers.length ? (
                  <ul class="receivers">{receivers.map((r) => <li key={r} class="mono">{r}</li>)}</ul>
                ) : (
                  <p class="muted">No receivers.</p>
                )}
              </div>
              <div class="card">
                <h2>Routing tree</h2>
                {config ? <RouteTree route={config.route ?? null} /> : <p class="warning">Cannot draw the routing tree: {error}</p>}
              </div>
              <div class="card">
                <h2>Time intervals</h2>
                {config ? <TimeIntervals config={config} /> : <p class="muted">—</p>}
              </div>
              <RecurringSilences silences={silences} />
              <TemplatePreview receivers={receivers} />
              <h2>Configuration</h2>
              {status.config?.original ? <CopyableText text={status.config.original} label="As loaded" /> : <p class="muted">No configuration file: the built-in default is in use.</p>}
            </>
          );
        }}
      </LoadState>
    </section>
  );
}

/**
 * Recurring silences: the status API hides the `vigil:` config section (amtool would not
 * understand it), so they are read from the silences Vigil materialized for their windows.
 */
function RecurringSilences({ silences }: { silences: Silence[] }) {
  const byName = new Map<string, Silence[]>();
  for (const s of silences.filter((x) => x.createdBy.startsWith(RECURRING_PREFIX))) {
    const name = s.createdBy.slice(RECURRING_PREFIX.length);
    byName.set(name, [...(byName.get(name) ?? []), s]);
  }
  return (
    <div class="card recurring">
      <h2>Recurring silences</h2>
      {byName.size ? (
        <table class="data">
          <thead>
            <tr>
              <th>Name</th>
              <th>Matchers</th>
              <th>Latest window</th>
            </tr>
          </thead>
          <tbody>
            {[...byName.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, list]) => {
              const latest = list.reduce((a, b) => (Date.parse(a.startsAt) > Date.parse(b.startsAt) ? a : b));
              return (
                <tr key={name}>
                  <td class="mono">{name}</td>
                  <td class="labels">{latest.matchers.map((m) => <span class="badge" key={formatMatcher(m)}>{formatMatcher(m)}</span>)}</td>
                  <td>
                    <a href={silencesUrl(latest.status.state, latest.id)}>
                      {formatTimestamp(Date.parse(latest.startsAt))} – {formatTimestamp(Date.parse(latest.endsAt))}
                    </a>{' '}
                    <span class={`badge ${latest.status.state}`}>{latest.status.state}</span>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : (
        <p class="muted">No recurring silence has had a window yet (they are configured under vigil.recurring_silences and appear here once a window starts).</p>
      )}
    </div>
  );
}

interface PreviewField {
  field: string;
  value?: string;
  error?: string;
}
interface IntegrationPreview {
  integration: string;
  send_resolved: boolean;
  skipped: boolean;
  fields: PreviewField[];
  body?: string;
  error?: string;
}
interface Preview {
  receiver: string;
  integrations: IntegrationPreview[];
  unsupported?: string[];
}

/** Sends a sample alert through a receiver's templates; template errors come with a partial preview (422). */
async function runPreview(body: object): Promise<{ preview?: Preview; errors: string[] }> {
  const resp = await request('/api/vigil/v1/alertmanager/preview', { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } });
  const text = await resp.text();
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(`preview answered ${resp.status}: ${text}`);
  }
  if (resp.status === 422) {
    const partial = data as { preview?: Preview; errors?: string[] };
    return { preview: partial.preview, errors: partial.errors ?? [] };
  }
  // Refusals come as a JSON string, as Alertmanager answers errors.
  if (!resp.ok) throw new Error(`${typeof data === 'string' ? data : text} (HTTP ${resp.status})`);
  return { preview: data as Preview, errors: [] };
}

function labelsFrom(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of parseMatchers(text)) {
    if (m.isRegex || !m.isEqual) throw new Error(`${m.name}: use name="value" pairs here`);
    out[m.name] = m.value;
  }
  return out;
}

function TemplatePreview({ receivers }: { receivers: string[] }) {
  const [receiver, setReceiver] = useState('');
  const [labels, setLabels] = useState('alertname="TestAlert", severity="page"');
  const [annotations, setAnnotations] = useState('summary="A test alert", description="Shown by the template preview"');
  const [status, setStatus] = useState<'firing' | 'resolved'>('firing');
  const [result, setResult] = useState<{ preview?: Preview; errors: string[] } | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError('');
    setBusy(true);
    try {
      const alert = { labels: labelsFrom(labels), annotations: labelsFrom(annotations), status };
      setResult(await runPreview({ ...(receiver ? { receiver } : {}), alerts: [alert] }));
    } catch (err) {
      setResult(null);
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card template-preview" onSubmit={submit}>
      <h2>Template preview</h2>
      <p class="muted">Renders what a receiver would send for a sample alert under the running configuration. Nothing is sent.</p>
      <div class="form-grid">
        <label for="pv-receiver">Receiver</label>
        <select id="pv-receiver" value={receiver} onChange={(e) => setReceiver((e.target as HTMLSelectElement).value)}>
          <option value="">As routed</option>
          {receivers.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <label for="pv-labels">Labels</label>
        <input id="pv-labels" class="mono" value={labels} onInput={(e) => setLabels((e.target as HTMLInputElement).value)} />
        <label for="pv-annotations">Annotations</label>
        <input id="pv-annotations" class="mono" value={annotations} onInput={(e) => setAnnotations((e.target as HTMLInputElement).value)} />
        <label for="pv-status">Status</label>
        <select id="pv-status" value={status} onChange={(e) => setStatus((e.target as HTMLSelectElement).value as 'firing' | 'resolved')}>
          <option value="firing">firing</option>
          <option value="resolved">resolved</option>
        </select>
      </div>
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          Preview
        </button>
      </div>
      {error && <div class="error">{error}</div>}
      {result && <PreviewResult {...result} />}
    </form>
  );
}

/** JSON bodies (webhook, Slack, PagerDuty) indented for reading; e-mail messages as they are. */
function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

function PreviewResult({ preview, errors }: { preview?: Preview; errors: string[] }) {
  return (
    <div class="preview-result">
      {errors.length > 0 && <div class="error">{errors.join('\n')}</div>}
      {preview && (
        <>
          <p>
            Receiver <strong class="mono">{preview.receiver}</strong>
            {preview.unsupported?.length ? <span class="muted"> · not supported by Vigil: {preview.unsupported.join(', ')}</span> : null}
          </p>
          {!preview.integrations.length && <p class="muted">This receiver has no integrations: nothing would be sent.</p>}
          {preview.integrations.map((i) => (
            <div key={i.integration} class="preview-integration">
              <h3 class="mono">
                {i.integration} {i.skipped && <span class="badge">skipped (resolved, send_resolved off)</span>}
              </h3>
              {i.error && <div class="error">{i.error}</div>}
              {i.fields.length > 0 && (
                <table class="data">
                  <tbody>
                    {i.fields.map((f) => (
                      <tr key={f.field}>
                        <th class="mono">{f.field}</th>
                        <td>{f.error ? <span class="err-text">{f.error}</span> : <pre class="field-value">{f.value}</pre>}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
              {i.body && <pre class="preview-body">{pretty(i.body)}</pre>}
            </div>
          ))}
        </>
      )}
    </div>
  );
}
