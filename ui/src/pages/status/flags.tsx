// /flags: the command-line flags the server runs with, filterable by name or value.
import type { PageProps } from '../../app/routes';
import { setQuery } from '../../app/router';
import { prom } from '../../lib/api';
import { LoadState, PageHeader, matchesText, useLoad, withQuery } from './common';

export function FlagsPage({ query }: PageProps) {
  const state = useLoad(async () => (await prom<Record<string, string>>('/api/v1/status/flags')).data);
  const search = query.get('search') ?? '';
  return (
    <section class="page flags-page">
      <PageHeader title="Command-line flags" onReload={state.reload}>
        <input type="search" placeholder="Filter by flag or value" value={search} onInput={(e) => setQuery(withQuery(query, 'search', (e.target as HTMLInputElement).value))} />
      </PageHeader>
      <LoadState state={state}>
        {(flags) => {
          const rows = Object.entries(flags)
            .filter(([k, v]) => matchesText(search, k, v))
            .sort(([a], [b]) => a.localeCompare(b));
          if (!rows.length) return <p class="muted">{Object.keys(flags).length ? 'No flags match the filter.' : 'The server reports no flags.'}</p>;
          return (
            <table class="data flags">
              <thead>
                <tr>
                  <th>Flag</th>
                  <th>Value</th>
                </tr>
              </thead>
              <tbody>
                {rows.map(([k, v]) => (
                  <tr key={k}>
                    <td class="mono">--{k}</td>
                    <td class="mono">{v}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          );
        }}
      </LoadState>
    </section>
  );
}
