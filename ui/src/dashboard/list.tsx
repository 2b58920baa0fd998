// `/dashboards`: the stored dashboards from Grafana's search API, filtered by text and tag,
// with links to each and deletion.
import { useEffect, useState } from 'preact/hooks';
import type { PageProps } from '../app/routes';
import { setQuery } from '../app/router';
import { json, ApiError } from '../lib/api';
import './dashboard.css';

export interface SearchHit {
  uid: string;
  title: string;
  url: string;
  tags?: string[];
  folderTitle?: string;
  type?: string;
}

export function DashboardListPage({ query }: PageProps) {
  const text = query.get('query') ?? '';
  const tag = query.get('tag') ?? '';
  const [hits, setHits] = useState<SearchHit[] | null>(null);
  const [error, setError] = useState('');
  const [gen, setGen] = useState(0);

  useEffect(() => {
    const qs = new URLSearchParams({ query: text, type: 'dash-db' });
    if (tag) qs.set('tag', tag);
    json<SearchHit[]>(`/api/search?${qs}`)
      .then((h) => {
        setHits(h);
        setError('');
      })
      .catch((e) => setError((e as Error).message));
  }, [text, tag, gen]);

  const update = (k: string, v: string) => {
    const q = new URLSearchParams(location.search);
    if (v) q.set(k, v);
    else q.delete(k);
    setQuery(q);
  };
  const remove = async (h: SearchHit) => {
    if (!confirm(`Delete dashboard "${h.title}"?`)) return;
    try {
      await json(`/api/dashboards/uid/${encodeURIComponent(h.uid)}`, { method: 'DELETE' });
      setGen((g) => g + 1);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    }
  };
  const shown = (hits ?? []).filter((h) => !tag || (h.tags ?? []).includes(tag));
  return (
    <div class="page">
      <div class="row">
        <h1 class="grow">Dashboards</h1>
        <a href="/dashboard/import">
          <button class="primary">Import</button>
        </a>
      </div>
      <div class="row card">
        <input class="grow" placeholder="Search dashboards by name" value={text} onInput={(e) => update('query', (e.target as HTMLInputElement).value)} name="query" />
        {tag && (
          <span class="badge">
            tag: {tag}{' '}
            <a href="#" onClick={(e) => (e.preventDefault(), update('tag', ''))}>
              ×
            </a>
          </span>
        )}
      </div>
      {error && <div class="error">{error}</div>}
      {!hits && !error && <div class="muted">Loading…</div>}
      {hits && (
        <table class="data dash-list card">
          <thead>
            <tr>
              <th>Name</th>
              <th>Tags</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {shown.map((h) => (
              <tr data-uid={h.uid}>
                <td>
                  <a href={h.url}>{h.title}</a>
                  {h.folderTitle && <span class="muted"> · {h.folderTitle}</span>}
                </td>
                <td>
                  {(h.tags ?? []).map((t) => (
                    <a class="badge" href={`/dashboards?tag=${encodeURIComponent(t)}`} onClick={(e) => (e.preventDefault(), update('tag', t))}>
                      {t}
                    </a>
                  ))}
                </td>
                <td style={{ textAlign: 'right' }}>
                  <button class="danger" onClick={() => remove(h)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
            {!shown.length && (
              <tr>
                <td colSpan={3} class="muted">
                  No dashboards{text || tag ? ' match' : ' yet — import one'}.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </div>
  );
}
