// /targets: every scrape target grouped by scrape pool, with health, labels after relabelling
// (discovered labels on demand), last scrape, duration and error, filterable by health and text.
import { useState } from 'preact/hooks';
import type { PageProps } from '../../app/routes';
import { setQuery } from '../../app/router';
import { prom } from '../../lib/api';
import { LabelBadges, LoadState, PageHeader, When, labelText, matchesText, seconds, useLoad, withQuery } from './common';
import type { ActiveTarget, TargetsData } from './types';

/** Loads the targets and the list of pools (pools without targets still show). */
async function loadTargets(): Promise<{ targets: ActiveTarget[]; pools: string[] }> {
  const [t, p] = await Promise.all([
    prom<TargetsData>('/api/v1/targets', { state: 'active' }),
    prom<{ scrapePools: string[] }>('/api/v1/scrape_pools').catch(() => ({ data: { scrapePools: [] as string[] } })),
  ]);
  const pools = new Set<string>(p.data.scrapePools ?? []);
  for (const x of t.data.activeTargets ?? []) pools.add(x.scrapePool);
  return { targets: t.data.activeTargets ?? [], pools: [...pools].sort() };
}

export function TargetsPage({ query }: PageProps) {
  const state = useLoad(loadTargets);
  const health = query.get('health') ?? 'all';
  const search = query.get('search') ?? '';
  // Collapsed pools live in the URL too, so a link reproduces the view.
  const collapsed = new Set((query.get('collapsed') ?? '').split(',').filter(Boolean));
  const toggle = (pool: string) => {
    const next = new Set(collapsed);
    if (next.has(pool)) next.delete(pool);
    else next.add(pool);
    setQuery(withQuery(query, 'collapsed', [...next].sort().join(',')));
  };
  return (
    <section class="page targets-page">
      <PageHeader title="Targets" onReload={state.reload}>
        <select aria-label="Health" value={health} onChange={(e) => setQuery(withQuery(query, 'health', (e.target as HTMLSelectElement).value === 'all' ? '' : (e.target as HTMLSelectElement).value))}>
          <option value="all">All targets</option>
          <option value="unhealthy">Unhealthy only</option>
        </select>
        <input
          type="search"
          placeholder="Filter by endpoint or labels"
          value={search}
          onInput={(e) => setQuery(withQuery(query, 'search', (e.target as HTMLInputElement).value))}
        />
      </PageHeader>
      <LoadState state={state}>
        {({ targets, pools }) => {
          const shown = targets.filter(
            (t) => (health !== 'unhealthy' || t.health !== 'up') && matchesText(search, t.scrapeUrl, t.scrapePool, labelText(t.labels)),
          );
          if (!pools.length) return <p class="muted">No scrape pools are configured.</p>;
          const filtering = health !== 'all' || search !== '';
          const visiblePools = pools.filter((p) => !filtering || shown.some((t) => t.scrapePool === p));
          if (!visiblePools.length) return <p class="muted">No targets match the filter.</p>;
          return visiblePools.map((pool) => (
            <TargetPool
              key={pool}
              pool={pool}
              all={targets.filter((t) => t.scrapePool === pool)}
              shown={shown.filter((t) => t.scrapePool === pool)}
              collapsed={collapsed.has(pool)}
              onToggle={() => toggle(pool)}
            />
          ));
        }}
      </LoadState>
    </section>
  );
}

function TargetPool(props: { pool: string; all: ActiveTarget[]; shown: ActiveTarget[]; collapsed: boolean; onToggle: () => void }) {
  const up = props.all.filter((t) => t.health === 'up').length;
  return (
    <div class="card pool" data-pool={props.pool}>
      <button type="button" class="pool-toggle" aria-expanded={!props.collapsed} onClick={props.onToggle}>
        {props.collapsed ? '▸' : '▾'} <strong>{props.pool}</strong>{' '}
        <span class={`badge ${up === props.all.length ? 'up' : 'down'}`}>
          {up}/{props.all.length} up
        </span>
      </button>
      {!props.collapsed &&
        (props.shown.length ? (
          <table class="data">
            <thead>
              <tr>
                <th>Endpoint</th>
                <th>State</th>
                <th>Labels</th>
                <th>Last scrape</th>
                <th>Duration</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {props.shown.map((t) => (
                <TargetRow key={t.scrapeUrl + labelText(t.labels)} target={t} />
              ))}
            </tbody>
          </table>
        ) : (
          <p class="muted">No targets in this pool.</p>
        ))}
    </div>
  );
}

function TargetRow({ target: t }: { target: ActiveTarget }) {
  const [showDiscovered, setShowDiscovered] = useState(false);
  return (
    <tr class="target">
      <td>
        <a href={t.scrapeUrl} target="_blank" rel="noreferrer">
          {t.scrapeUrl}
        </a>
        {t.scrapeInterval && (
          <div class="muted small">
            every {t.scrapeInterval}, timeout {t.scrapeTimeout}
          </div>
        )}
      </td>
      <td>
        <span class={`badge ${t.health}`}>{t.health.toUpperCase()}</span>
      </td>
      <td>
        <LabelBadges labels={t.labels} />
        <div>
          <button type="button" class="link" onClick={() => setShowDiscovered(!showDiscovered)}>
            {showDiscovered ? 'hide discovered labels' : 'discovered labels'}
          </button>
        </div>
        {showDiscovered && (
          <div class="discovered">
            <span class="muted">Before relabelling: </span>
            <LabelBadges labels={t.discoveredLabels} />
          </div>
        )}
      </td>
      <td>
        <When t={t.lastScrape} />
      </td>
      <td>{seconds(t.lastScrapeDuration)}</td>
      <td class="target-error">{t.lastError ? <span class="err-text">{t.lastError}</span> : ''}</td>
    </tr>
  );
}
