// /service-discovery: per scrape pool, what discovery found (labels before relabelling) next
// to what became of it (target labels, or "dropped" when relabelling removed the target).
import type { PageProps } from '../../app/routes';
import { setQuery } from '../../app/router';
import { prom, type Labels } from '../../lib/api';
import { LabelBadges, LoadState, PageHeader, useLoad, withQuery } from './common';
import type { TargetsData } from './types';

/** One discovered target: its labels before relabelling and, unless dropped, after. */
interface Discovered {
  pool: string;
  discovered: Labels;
  target: Labels | null;
}

async function loadDiscovered(): Promise<{ pools: string[]; items: Discovered[] }> {
  const r = await prom<TargetsData>('/api/v1/targets', { state: 'any' });
  const items: Discovered[] = [
    ...(r.data.activeTargets ?? []).map((t) => ({ pool: t.scrapePool, discovered: t.discoveredLabels, target: t.labels })),
    ...(r.data.droppedTargets ?? []).map((t) => ({ pool: t.scrapePool ?? t.discoveredLabels.job ?? '', discovered: t.discoveredLabels, target: null })),
  ];
  const pools = [...new Set(items.map((i) => i.pool))].sort();
  return { pools, items };
}

export function ServiceDiscoveryPage({ query }: PageProps) {
  const state = useLoad(loadDiscovered);
  const only = query.get('pool') ?? '';
  return (
    <section class="page sd-page">
      <PageHeader title="Service discovery" onReload={state.reload} />
      <LoadState state={state}>
        {({ pools, items }) => {
          if (!pools.length) return <p class="muted">Service discovery has found no targets.</p>;
          return (
            <>
              <div class="row pool-index">
                {pools.map((p) => {
                  const mine = items.filter((i) => i.pool === p);
                  const active = mine.filter((i) => i.target).length;
                  return (
                    <a
                      key={p}
                      href={`?${withQuery(query, 'pool', only === p ? '' : p)}`}
                      class={only === p ? 'active' : ''}
                      onClick={(e) => {
                        e.preventDefault();
                        setQuery(withQuery(query, 'pool', only === p ? '' : p));
                      }}
                    >
                      {p} ({active} / {mine.length} active targets)
                    </a>
                  );
                })}
              </div>
              {pools
                .filter((p) => !only || p === only)
                .map((p) => (
                  <div class="card sd-pool" key={p} data-pool={p}>
                    <h2>{p}</h2>
                    <table class="data">
                      <thead>
                        <tr>
                          <th>Discovered labels</th>
                          <th>Target labels</th>
                        </tr>
                      </thead>
                      <tbody>
                        {items
                          .filter((i) => i.pool === p)
                          .map((i, n) => (
                            <tr key={n} class={i.target ? 'kept' : 'dropped'}>
                              <td>
                                <LabelBadges labels={i.discovered} />
                              </td>
                              <td>{i.target ? <LabelBadges labels={i.target} /> : <span class="badge unknown">Dropped</span>}</td>
                            </tr>
                          ))}
                      </tbody>
                    </table>
                  </div>
                ))}
            </>
          );
        }}
      </LoadState>
    </section>
  );
}
