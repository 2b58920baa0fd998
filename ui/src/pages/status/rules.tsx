// /rules: every rule group with its file, interval and evaluation timing, and each rule's
// query, state, health, last error and labels/annotations.
import { Fragment } from 'preact';
import type { PageProps } from '../../app/routes';
import { setQuery } from '../../app/router';
import { prom } from '../../lib/api';
import { formatDuration } from '../../lib/time';
import { LabelBadges, LoadState, PageHeader, When, matchesText, seconds, useLoad, withQuery } from './common';
import type { Rule, RuleGroup } from './types';

export async function loadRuleGroups(type?: 'alert' | 'record'): Promise<RuleGroup[]> {
  const r = await prom<{ groups: RuleGroup[] }>('/api/v1/rules', { type });
  return r.data.groups ?? [];
}

export function RulesPage({ query }: PageProps) {
  const state = useLoad(() => loadRuleGroups());
  const search = query.get('search') ?? '';
  const health = query.get('health') ?? '';
  return (
    <section class="page rules-page">
      <PageHeader title="Rules" onReload={state.reload}>
        <select aria-label="Health" value={health} onChange={(e) => setQuery(withQuery(query, 'health', (e.target as HTMLSelectElement).value))}>
          <option value="">Any health</option>
          <option value="ok">OK</option>
          <option value="err">Error</option>
          <option value="unknown">Unknown</option>
        </select>
        <input type="search" placeholder="Filter by rule name or query" value={search} onInput={(e) => setQuery(withQuery(query, 'search', (e.target as HTMLInputElement).value))} />
      </PageHeader>
      <LoadState state={state}>
        {(groups) => {
          if (!groups.length) return <p class="muted">No rule groups are loaded. Rule files come from `rule_files` in the configuration.</p>;
          const keep = (r: Rule) => (!health || r.health === health) && matchesText(search, r.name, r.query);
          const shown = groups.filter((g) => g.rules.some(keep));
          if (!shown.length) return <p class="muted">No rules match the filter.</p>;
          return shown.map((g) => <RuleGroupCard key={g.file + g.name} group={g} rules={g.rules.filter(keep)} />);
        }}
      </LoadState>
    </section>
  );
}

function RuleGroupCard({ group, rules }: { group: RuleGroup; rules: Rule[] }) {
  return (
    <div class="card rule-group" data-group={group.name}>
      <div class="row">
        <h2 class="grow">{group.name}</h2>
        <span class="muted">
          file <code>{group.file}</code> · every {formatDuration(group.interval * 1000)} · last evaluation <When t={group.lastEvaluation} /> · took{' '}
          {seconds(group.evaluationTime)}
        </span>
      </div>
      <table class="data">
        <thead>
          <tr>
            <th>Rule</th>
            <th>State</th>
            <th>Health</th>
            <th>Last evaluation</th>
            <th>Duration</th>
          </tr>
        </thead>
        <tbody>
          {rules.map((r) => (
            <tr key={r.name + r.query} class="rule">
              <td>
                <div>
                  <span class="muted">{r.type === 'alerting' ? 'alert: ' : 'record: '}</span>
                  <strong>{r.name}</strong>
                </div>
                <pre class="rule-query">{r.query}</pre>
                {r.type === 'alerting' && r.duration ? <div class="muted">for: {formatDuration(r.duration * 1000)}</div> : null}
                {r.keepFiringFor ? <div class="muted">keep_firing_for: {formatDuration(r.keepFiringFor * 1000)}</div> : null}
                {r.labels && Object.keys(r.labels).length > 0 && (
                  <div>
                    <span class="muted">labels: </span>
                    <LabelBadges labels={r.labels} />
                  </div>
                )}
                {r.annotations && Object.keys(r.annotations).length > 0 && <Annotations annotations={r.annotations} />}
                {r.lastError && <div class="error">{r.lastError}</div>}
              </td>
              <td>{r.type === 'alerting' ? <span class={`badge ${r.state}`}>{r.state}</span> : <span class="muted">—</span>}</td>
              <td>
                <span class={`badge ${r.health}`}>{r.health}</span>
              </td>
              <td>
                <When t={r.lastEvaluation} />
              </td>
              <td>{seconds(r.evaluationTime)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Annotations as a small definition list (they are prose, not label pairs). */
export function Annotations({ annotations }: { annotations: Record<string, string> }) {
  const entries = Object.entries(annotations).sort(([a], [b]) => a.localeCompare(b));
  if (!entries.length) return null;
  return (
    <dl class="annotations">
      {entries.map(([k, v]) => (
        <Fragment key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </Fragment>
      ))}
    </dl>
  );
}
