// `/dashboard/import`: paste Grafana dashboard JSON or pick a file, then save it through
// `POST /api/dashboards/db` and open it. The API's own error text is shown (e.g. a version
// conflict when a dashboard with that uid exists and overwrite is off).
import { useState } from 'preact/hooks';
import type { PageProps } from '../app/routes';
import { navigate } from '../app/router';
import { sendJson, ApiError } from '../lib/api';
import './dashboard.css';

interface SaveAnswer {
  id: number;
  uid: string;
  url: string;
  status: string;
  version: number;
  slug: string;
}

/** Accepts a bare dashboard or an API body `{dashboard: …}` (as exported by Grafana's API). */
export function dashboardFromText(text: string): Record<string, unknown> {
  const parsed = JSON.parse(text);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('The JSON is not an object');
  const dash = parsed.dashboard && typeof parsed.dashboard === 'object' ? parsed.dashboard : parsed;
  if (!Array.isArray(dash.panels) && !Array.isArray(dash.rows)) throw new Error('This is not a dashboard: it has neither panels nor rows');
  return dash;
}

export function DashboardImportPage(_: PageProps) {
  const [text, setText] = useState('');
  const [overwrite, setOverwrite] = useState(false);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  const onFile = async (e: Event) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (f) setText(await f.text());
  };
  const save = async () => {
    setError('');
    let dashboard: Record<string, unknown>;
    try {
      dashboard = dashboardFromText(text);
    } catch (e) {
      return setError(`Invalid dashboard JSON: ${(e as Error).message}`);
    }
    // Grafana's import drops the numeric id so the dashboard is created (or matched by uid).
    const { id: _id, ...rest } = dashboard;
    setBusy(true);
    try {
      const r = await sendJson<SaveAnswer>('/api/dashboards/db', 'POST', { dashboard: rest, overwrite, folderUid: '' });
      navigate(r.url);
    } catch (e) {
      setError(e instanceof ApiError ? `${e.message}${e.status ? ` (HTTP ${e.status})` : ''}` : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="page">
      <h1>Import dashboard</h1>
      <div class="card">
        <p class="muted">Paste a Grafana dashboard's JSON (the dashboard itself or an API body with a “dashboard” field), or choose a file.</p>
        <div class="row">
          <input type="file" accept=".json,application/json" onChange={onFile} name="file" />
        </div>
        <textarea class="import-text mono" value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} placeholder="{ … }" name="json" />
        <div class="row">
          <label>
            <input type="checkbox" checked={overwrite} onChange={(e) => setOverwrite((e.target as HTMLInputElement).checked)} name="overwrite" /> Overwrite a dashboard with the same uid or title
          </label>
          <span class="grow" />
          <button class="primary" disabled={busy || !text.trim()} onClick={save}>
            Import
          </button>
        </div>
        {error && <div class="error import-error">{error}</div>}
      </div>
    </div>
  );
}
