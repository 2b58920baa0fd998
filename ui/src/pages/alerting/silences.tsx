// /alerting/silences: silences by state (active, pending, expired) with their matchers,
// creator, comment and times; Edit opens the editor, Expire ends one now.
import { useState } from 'preact/hooks';
import type { PageProps } from '../../app/routes';
import { setQuery } from '../../app/router';
import { json, request } from '../../lib/api';
import { formatTimestamp } from '../../lib/time';
import { LoadState, PageHeader, When, errorText, parseTime, useLoad, withQuery } from '../status/common';
import { editSilenceUrl } from './links';
import { formatMatcher } from './matchers';
import type { Alert, Silence } from './types';

/** Prefix of `createdBy` on the silences Vigil materializes from `vigil.recurring_silences`. */
export const RECURRING_PREFIX = 'vigil:recurring/';

const TABS = ['active', 'pending', 'expired'] as const;

/** Expires a silence; the API answers 200 with an empty body. */
export async function expireSilence(id: string): Promise<void> {
  const resp = await request(`/api/v2/silence/${encodeURIComponent(id)}`, { method: 'DELETE' });
  if (!resp.ok) {
    const text = await resp.text();
    let msg = text;
    try {
      msg = String(JSON.parse(text));
    } catch {
      /* plain text */
    }
    throw new Error(`${msg || 'expiring failed'} (HTTP ${resp.status})`);
  }
}

export function SilencesPage({ query }: PageProps) {
  const tab = (query.get('tab') ?? 'active') as (typeof TABS)[number];
  const highlight = query.get('id') ?? '';
  const state = useLoad(() => json<Silence[]>('/api/v2/silences'));
  // Which alerts each silence mutes, as the alert manager says (status.silencedBy).
  const alerts = useLoad(() => json<Alert[]>('/api/v2/alerts?active=true&silenced=true&inhibited=true'));
  const silencedCount = (id: string) => (alerts.data ?? []).filter((a) => a.status.silencedBy.includes(id)).length;
  const reload = () => {
    state.reload();
    alerts.reload();
  };
  return (
    <section class="page silences-page">
      <PageHeader title="Silences" onReload={reload}>
        <a href="/alerting">Alert groups</a>
        <a class="button-link" href="/alerting/silences/new">
          New silence
        </a>
      </PageHeader>
      <LoadState state={state}>
        {(silences) => {
          const count = (t: string) => silences.filter((s) => s.status.state === t).length;
          const shown = silences.filter((s) => s.status.state === tab).sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt));
          return (
            <>
              <div class="tabs" role="tablist">
                {TABS.map((t) => (
                  <button key={t} type="button" role="tab" aria-selected={t === tab} class={t === tab ? 'active' : ''} onClick={() => setQuery(withQuery(withQuery(query, 'tab', t), 'id', ''))}>
                    {t[0].toUpperCase() + t.slice(1)} ({count(t)})
                  </button>
                ))}
              </div>
              {shown.length ? (
                shown.map((s) => <SilenceCard key={s.id} silence={s} highlighted={s.id === highlight} silenced={alerts.data ? silencedCount(s.id) : null} onChange={reload} />)
              ) : (
                <p class="muted empty">No {tab} silences.</p>
              )}
            </>
          );
        }}
      </LoadState>
    </section>
  );
}

function SilenceCard({ silence: s, highlighted, silenced, onChange }: { silence: Silence; highlighted: boolean; silenced: number | null; onChange: () => void }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const expire = async () => {
    setBusy(true);
    setError('');
    try {
      await expireSilence(s.id);
      onChange();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  const starts = parseTime(s.startsAt);
  const ends = parseTime(s.endsAt);
  return (
    <div class={`card silence ${highlighted ? 'highlighted' : ''}`} data-silence-id={s.id}>
      <div class="row">
        <span class="labels grow">
          {s.matchers.map((m) => (
            <span class="badge" key={formatMatcher(m)}>
              {formatMatcher(m)}
            </span>
          ))}
        </span>
        {s.createdBy.startsWith(RECURRING_PREFIX) && <span class="badge" title="Materialized from vigil.recurring_silences">recurring</span>}
        {s.status.state === 'active' && silenced !== null && <span class="muted silenced-count">{silenced === 1 ? '1 alert silenced' : `${silenced} alerts silenced`}</span>}
        <span class={`badge ${s.status.state}`}>{s.status.state}</span>
        <a class="button-link" href={editSilenceUrl(s.id)}>
          {s.status.state === 'expired' ? 'Recreate' : 'Edit'}
        </a>
        {s.status.state !== 'expired' && (
          <button type="button" class="danger" disabled={busy} onClick={expire}>
            Expire
          </button>
        )}
      </div>
      <div class="muted silence-meta">
        {s.status.state === 'pending' ? 'Starts' : 'Started'} {starts !== null ? formatTimestamp(starts) : '—'} · {s.status.state === 'expired' ? 'Ended' : 'Ends'}{' '}
        {ends !== null ? formatTimestamp(ends) : '—'} (<When t={s.endsAt} />) · by <strong>{s.createdBy}</strong> · <span class="mono">{s.id}</span>
      </div>
      {s.comment && <div class="silence-comment">{s.comment}</div>}
      {error && <div class="error">{error}</div>}
    </div>
  );
}
