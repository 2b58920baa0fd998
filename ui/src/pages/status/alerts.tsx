// /alerts: the alerting rules and the alerts they hold (pending or firing), with labels,
// annotations, active since and value; filtered by state through the query string.
import { useState } from 'preact/hooks';
import type { PageProps } from '../../app/routes';
import { setQuery } from '../../app/router';
import { LabelBadges, LoadState, PageHeader, When, matchesText, useLoad, withQuery } from './common';
import { Annotations, loadRuleGroups } from './rules';
import type { Rule } from './types';

const STATES = ['inactive', 'pending', 'firing'] as const;

export function AlertsPage({ query }: PageProps) {
  const state = useLoad(() => loadRuleGroups('alert'));
  const wanted = new Set((query.get('state') ?? '').split(',').filter(Boolean));
  const search = query.get('search') ?? '';
  const toggleState = (s: string) => {
    const next = new Set(wanted);
    if (next.has(s)) next.delete(s);
    else next.add(s);
    setQuery(withQuery(query, 'state', [...next].join(',')));
  };
  return (
    <section class="page alerts-page">
      <PageHeader title="Alerts" onReload={state.reload}>
        {STATES.map((s) => (
          <label key={s} class="check">
            <input type="checkbox" checked={wanted.has(s)} onChange={() => toggleState(s)} /> {s}
          </label>
        ))}
        <input type="search" placeholder="Filter by alert name or labels" value={search} onInput={(e) => setQuery(withQuery(query, 'search', (e.target as HTMLInputElement).value))} />
      </PageHeader>
      <LoadState state={state}>
        {(groups) => {
          const rules = groups.flatMap((g) => g.rules.filter((r) => r.type === 'alerting').map((r) => ({ group: g.name, file: g.file, rule: r })));
          if (!rules.length) return <p class="muted">No alerting rules are loaded.</p>;
          const counts = Object.fromEntries(STATES.map((s) => [s, rules.filter((r) => (r.rule.state ?? 'inactive') === s).length]));
          const shown = rules.filter(
            (r) =>
              (!wanted.size || wanted.has(r.rule.state ?? 'inactive')) &&
              matchesText(search, r.rule.name, ...(r.rule.alerts ?? []).map((a) => Object.values(a.labels).join(' '))),
          );
          return (
            <>
              <p class="row state-counts">
                {STATES.map((s) => (
                  <span key={s} class={`badge ${s}`}>
                    {s} ({counts[s]})
                  </span>
                ))}
              </p>
              {!shown.length && <p class="muted">No alerting rules match the filter.</p>}
              {groups
                .filter((g) => shown.some((r) => r.group === g.name && r.file === g.file))
                .map((g) => (
                  <div class="card" key={g.file + g.name}>
                    <h2>
                      {g.name} <span class="muted">{g.file}</span>
                    </h2>
                    {shown
                      .filter((r) => r.group === g.name && r.file === g.file)
                      .map((r) => (
                        <AlertRule key={r.rule.name + r.rule.query} rule={r.rule} />
                      ))}
                  </div>
                ))}
            </>
          );
        }}
      </LoadState>
    </section>
  );
}

function AlertRule({ rule }: { rule: Rule }) {
  const alerts = rule.alerts ?? [];
  const [open, setOpen] = useState(alerts.length > 0);
  const st = rule.state ?? 'inactive';
  return (
    <div class={`alert-rule ${st}`} data-rule={rule.name}>
      <button type="button" class="pool-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? '▾' : '▸'} <strong>{rule.name}</strong> <span class={`badge ${st}`}>{st}</span>{' '}
        <span class="muted">({alerts.length} active)</span>
      </button>
      {open && (
        <div class="alert-rule-body">
          <pre class="rule-query">{rule.query}</pre>
          {alerts.length ? (
            <table class="data">
              <thead>
                <tr>
                  <th>Labels</th>
                  <th>State</th>
                  <th>Active since</th>
                  <th>Value</th>
                </tr>
              </thead>
              <tbody>
                {alerts.map((a) => (
                  <tr key={JSON.stringify(a.labels)}>
                    <td>
                      <LabelBadges labels={a.labels} />
                      <Annotations annotations={a.annotations ?? {}} />
                    </td>
                    <td>
                      <span class={`badge ${a.state}`}>{a.state}</span>
                    </td>
                    <td>
                      <When t={a.activeAt} />
                    </td>
                    <td class="mono">{a.value}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p class="muted">No active alerts.</p>
          )}
        </div>
      )}
    </div>
  );
}
