// /alerting: alert groups as the alert manager routed them, by receiver and group labels,
// with each alert's state, filters in the URL, acknowledgements, escalations and a Silence
// button per alert.
import type { PageProps } from '../../app/routes';
import { setQuery } from '../../app/router';
import { json } from '../../lib/api';
import { formatTimestamp } from '../../lib/time';
import { LabelBadges, LoadState, PageHeader, When, useLoad, withQuery } from '../status/common';
import { Annotations } from '../status/rules';
import { AckControl } from './ack';
import { EscalationProgress } from './escalation';
import { newSilenceUrl, silencesUrl } from './links';
import { formatMatcher, parseMatchers } from './matchers';
import type { Alert, AlertGroup } from './types';

/** The `filter=` text parsed into matchers, or the reason it cannot be. */
function readFilter(text: string): { matchers: string[]; error?: string } {
  try {
    return { matchers: parseMatchers(text).map(formatMatcher) };
  } catch (e) {
    return { matchers: [], error: (e as Error).message };
  }
}

async function loadGroups(matchers: string[], silenced: boolean, inhibited: boolean, receiver: string): Promise<AlertGroup[]> {
  const q = new URLSearchParams({ active: 'true', silenced: String(silenced), inhibited: String(inhibited) });
  for (const m of matchers) q.append('filter', m);
  if (receiver) q.set('receiver', receiver);
  return json<AlertGroup[]>(`/api/v2/alerts/groups?${q}`);
}

export function AlertGroupsPage({ query }: PageProps) {
  const filterText = query.get('filter') ?? '';
  const silenced = query.get('silenced') === 'true';
  const inhibited = query.get('inhibited') === 'true';
  const receiver = query.get('receiver') ?? '';
  const filter = readFilter(filterText);
  const state = useLoad(
    () => (filter.error ? Promise.resolve([] as AlertGroup[]) : loadGroups(filter.matchers, silenced, inhibited, receiver)),
    [filter.matchers.join('\n'), filter.error, silenced, inhibited, receiver],
  );
  const receivers = useLoad(() => json<{ name: string }[]>('/api/v2/receivers'));
  const set = (name: string, value: string) => setQuery(withQuery(query, name, value));
  return (
    <section class="page alerting-page">
      <PageHeader title="Alert groups" onReload={state.reload}>
        <a href={silencesUrl('active')}>Silences</a>
        <a href={filter.matchers.length ? `/alerting/silences/new?${new URLSearchParams({ filter: filterText })}` : '/alerting/silences/new'} title="A new silence, pre-filled with the filter's matchers">
          New silence
        </a>
      </PageHeader>
      <div class="card row filters">
        <input
          class="grow mono"
          aria-label="Filter"
          placeholder='Filter by matchers, e.g. alertname="HighLatency", severity=~"page|critical"'
          value={filterText}
          onChange={(e) => set('filter', (e.target as HTMLInputElement).value)}
        />
        <select aria-label="Receiver" value={receiver} onChange={(e) => set('receiver', (e.target as HTMLSelectElement).value)}>
          <option value="">All receivers</option>
          {(receivers.data ?? []).map((r) => (
            <option key={r.name} value={r.name}>
              {r.name}
            </option>
          ))}
        </select>
        <label class="check">
          <input type="checkbox" checked={silenced} onChange={() => set('silenced', silenced ? '' : 'true')} /> Show silenced
        </label>
        <label class="check">
          <input type="checkbox" checked={inhibited} onChange={() => set('inhibited', inhibited ? '' : 'true')} /> Show inhibited
        </label>
      </div>
      {filter.error && <div class="error">Filter: {filter.error}</div>}
      <LoadState state={state}>{(groups) => <GroupsByReceiver groups={groups} onChange={state.reload} />}</LoadState>
    </section>
  );
}

function GroupsByReceiver({ groups, onChange }: { groups: AlertGroup[]; onChange: () => void }) {
  const shown = groups.filter((g) => g.alerts.length);
  if (!shown.length) return <p class="muted empty">No alerts match.</p>;
  const receivers = [...new Set(shown.map((g) => g.receiver.name))].sort();
  return (
    <>
      {receivers.map((r) => (
        <div key={r} class="receiver-section" data-receiver={r}>
          <h2>
            Receiver <span class="mono">{r}</span>
          </h2>
          {shown
            .filter((g) => g.receiver.name === r)
            .map((g) => (
              <GroupCard key={r + JSON.stringify(g.labels)} group={g} onChange={onChange} />
            ))}
        </div>
      ))}
    </>
  );
}

function GroupCard({ group, onChange }: { group: AlertGroup; onChange: () => void }) {
  const alertname = group.labels.alertname ?? '';
  return (
    <div class="card alert-group" data-group={JSON.stringify(group.labels)} data-alertname={alertname}>
      <header class="row">
        <span class="grow">
          <LabelBadges labels={group.labels} /> <span class="muted">{group.alerts.length === 1 ? '1 alert' : `${group.alerts.length} alerts`}</span>
        </span>
        {!group.vigilAck && <AckControl group={{ receiver: group.receiver.name, labels: group.labels }} onChange={onChange} />}
      </header>
      <div class="group-body">
        {group.vigilAck && <AckControl group={{ receiver: group.receiver.name, labels: group.labels }} ack={group.vigilAck} onChange={onChange} />}
        {group.vigilEscalation && <EscalationProgress escalation={group.vigilEscalation} acked={!!group.vigilAck} />}
        {group.alerts.map((a) => (
          <AlertItem key={a.fingerprint} alert={a} groupLabels={group.labels} />
        ))}
      </div>
    </div>
  );
}

function AlertItem({ alert: a, groupLabels }: { alert: Alert; groupLabels: Record<string, string> }) {
  const st = a.status.state;
  return (
    <div class="alert-item" data-fingerprint={a.fingerprint}>
      <div class="row">
        <span class={`badge ${st}`}>{st}</span>
        <span class="muted" title={formatTimestamp(Date.parse(a.startsAt))}>
          since <When t={a.startsAt} />
        </span>
        <span class="grow" />
        {a.generatorURL && (
          <a href={a.generatorURL} target="_blank" rel="noreferrer">
            Source
          </a>
        )}
        <a class="button-link silence-alert" href={newSilenceUrl(a.labels)}>
          Silence
        </a>
      </div>
      <LabelBadges labels={a.labels} hide={Object.keys(groupLabels)} />
      <Annotations annotations={a.annotations ?? {}} />
      {a.status.silencedBy.length > 0 && (
        <div class="muted">
          Silenced by{' '}
          {a.status.silencedBy.map((id) => (
            <a key={id} class="mono" href={`/alerting/silences?${new URLSearchParams({ tab: 'active', id })}`}>
              {id}{' '}
            </a>
          ))}
        </div>
      )}
      {a.status.inhibitedBy.length > 0 && <div class="muted">Inhibited by {a.status.inhibitedBy.join(', ')}</div>}
    </div>
  );
}
