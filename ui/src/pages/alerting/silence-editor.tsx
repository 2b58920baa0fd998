// /alerting/silences/new (also `?edit=<id>` and `?filter={…}`): the silence editor. Matchers,
// start and end (or a duration), who and why, and, before saving, a live preview of the
// current alerts the silence would catch, matched here with Alertmanager's semantics.
import { useMemo, useState } from 'preact/hooks';
import type { PageProps } from '../../app/routes';
import { navigate } from '../../app/router';
import { json, sendJson } from '../../lib/api';
import { formatDuration, parseDuration } from '../../lib/time';
import { LabelBadges, LoadState, PageHeader, errorText, useLoad } from '../status/common';
import { rememberName, rememberedName } from './ack';
import { silencesUrl } from './links';
import { OPS, type MatchOp, matcherOf, matchesAll, opOf, parseMatchers, silenceMatchersProblem } from './matchers';
import type { Alert, Matcher, Silence } from './types';

/** One editable matcher row; kept as text so half-typed regexes do not vanish. */
interface Row {
  name: string;
  op: MatchOp;
  value: string;
}

interface Draft {
  id?: string;
  rows: Row[];
  start: string;
  end: string;
  createdBy: string;
  comment: string;
}

const DEFAULT_DURATION = 2 * 3_600_000;

/** RFC 3339 in UTC without milliseconds: what people read and type. */
function iso(ms: number): string {
  return new Date(Math.round(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

function rowsOf(ms: Matcher[]): Row[] {
  return ms.map((m) => ({ name: m.name, op: opOf(m), value: m.value }));
}

/** The draft a new silence starts from, pre-filled from the query string. */
function draftFromQuery(query: URLSearchParams): { draft: Draft; error?: string } {
  const now = Date.now();
  const duration = parseDuration(query.get('duration') ?? '') ?? DEFAULT_DURATION;
  let rows: Row[] = [];
  let error: string | undefined;
  for (const f of query.getAll('filter')) {
    try {
      rows = rows.concat(rowsOf(parseMatchers(f)));
    } catch (e) {
      error = `filter ${JSON.stringify(f)}: ${(e as Error).message}`;
    }
  }
  if (!rows.length) rows = [{ name: '', op: '=', value: '' }];
  return {
    draft: { rows, start: iso(now), end: iso(now + duration), createdBy: rememberedName(), comment: query.get('comment') ?? '' },
    error,
  };
}

/** The draft for editing a silence; an expired one is recreated from now for the same length. */
function draftFromSilence(s: Silence): Draft {
  const start = Date.parse(s.startsAt);
  const end = Date.parse(s.endsAt);
  if (s.status.state === 'expired') {
    const now = Date.now();
    return { rows: rowsOf(s.matchers), start: iso(now), end: iso(now + Math.max(end - start, 60_000)), createdBy: rememberedName() || s.createdBy, comment: s.comment };
  }
  return { id: s.id, rows: rowsOf(s.matchers), start: iso(start), end: iso(end), createdBy: s.createdBy, comment: s.comment };
}

export function SilenceEditorPage({ query }: PageProps) {
  const editId = query.get('edit');
  if (editId) return <EditExisting id={editId} />;
  const { draft, error } = draftFromQuery(query);
  return (
    <section class="page silence-editor">
      <PageHeader title="New silence" />
      {error && <div class="error">{error}</div>}
      <SilenceForm key={query.toString()} initial={draft} />
    </section>
  );
}

function EditExisting({ id }: { id: string }) {
  const state = useLoad(() => json<Silence>(`/api/v2/silence/${encodeURIComponent(id)}`), [id]);
  const title = state.data?.status.state === 'expired' ? 'Recreate silence' : 'Edit silence';
  return (
    <section class="page silence-editor">
      <PageHeader title={title} />
      <LoadState state={state}>
        {(s) => (
          <>
            {s.status.state === 'expired' && <p class="info">This silence has expired; saving creates a new one with the same matchers.</p>}
            <SilenceForm key={s.id} initial={draftFromSilence(s)} />
          </>
        )}
      </LoadState>
    </section>
  );
}

/** Reads the rows into matchers, or says what is wrong with them. */
function readRows(rows: Row[]): { matchers: Matcher[]; problem: string | null } {
  const matchers = rows.filter((r) => r.name.trim() || r.value).map((r) => matcherOf(r.name.trim(), r.op, r.value));
  return { matchers, problem: silenceMatchersProblem(matchers) };
}

function SilenceForm({ initial }: { initial: Draft }) {
  const [d, setD] = useState<Draft>(initial);
  const [duration, setDuration] = useState(() => formatDuration(Date.parse(initial.end) - Date.parse(initial.start)));
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState('');
  const update = (patch: Partial<Draft>) => setD({ ...d, ...patch });
  const setRow = (i: number, patch: Partial<Row>) => update({ rows: d.rows.map((r, j) => (j === i ? { ...r, ...patch } : r)) });

  const startMs = Date.parse(d.start);
  const endMs = Date.parse(d.end);
  const { matchers, problem } = useMemo(() => readRows(d.rows), [d.rows]);
  const timeProblem = Number.isNaN(startMs)
    ? `start ${JSON.stringify(d.start)} is not a time (use 2026-12-07T21:00:00Z)`
    : Number.isNaN(endMs)
      ? `end ${JSON.stringify(d.end)} is not a time`
      : endMs <= startMs
        ? 'the end must be after the start'
        : endMs <= Date.now()
          ? 'the end is in the past'
          : null;
  const formProblem = problem ?? timeProblem ?? (!d.createdBy.trim() ? 'say who creates the silence' : !d.comment.trim() ? 'add a comment (why, ticket…)' : null);

  const onDuration = (text: string) => {
    setDuration(text);
    const ms = parseDuration(text);
    if (ms !== null && ms > 0 && !Number.isNaN(startMs)) update({ end: iso(startMs + ms) });
  };
  const onStart = (text: string) => {
    const s = Date.parse(text);
    const ms = parseDuration(duration);
    update({ start: text, ...(Number.isNaN(s) || ms === null ? {} : { end: iso(s + ms) }) });
  };
  const onEnd = (text: string) => {
    update({ end: text });
    const e = Date.parse(text);
    if (!Number.isNaN(e) && !Number.isNaN(startMs) && e > startMs) setDuration(formatDuration(e - startMs));
  };

  const save = async (ev: Event) => {
    ev.preventDefault();
    if (formProblem) return setSaveError(formProblem);
    setSaving(true);
    setSaveError('');
    try {
      rememberName(d.createdBy.trim());
      const body = { ...(d.id ? { id: d.id } : {}), matchers, startsAt: new Date(startMs).toISOString(), endsAt: new Date(endMs).toISOString(), createdBy: d.createdBy.trim(), comment: d.comment };
      const r = await sendJson<{ silenceID: string }>('/api/v2/silences', 'POST', body);
      navigate(silencesUrl(startMs > Date.now() ? 'pending' : 'active', r.silenceID));
    } catch (e) {
      setSaveError(errorText(e));
      setSaving(false);
    }
  };

  return (
    <form class="card silence-form" onSubmit={save}>
      <div class="form-grid">
        <label>Matchers</label>
        <div class="matchers">
          {d.rows.map((r, i) => (
            <div class="matcher-row" key={i}>
              <input aria-label={`Matcher ${i + 1} name`} class="mono" placeholder="label name" value={r.name} onInput={(e) => setRow(i, { name: (e.target as HTMLInputElement).value })} />
              <select aria-label={`Matcher ${i + 1} operator`} value={r.op} onChange={(e) => setRow(i, { op: (e.target as HTMLSelectElement).value as MatchOp })}>
                {OPS.map((op) => (
                  <option key={op} value={op}>
                    {op}
                  </option>
                ))}
              </select>
              <input aria-label={`Matcher ${i + 1} value`} class="mono" placeholder="value" value={r.value} onInput={(e) => setRow(i, { value: (e.target as HTMLInputElement).value })} />
              <button type="button" title="Remove this matcher" aria-label={`Remove matcher ${i + 1}`} onClick={() => update({ rows: d.rows.filter((_, j) => j !== i) })}>
                ✕
              </button>
            </div>
          ))}
          <button type="button" onClick={() => update({ rows: [...d.rows, { name: '', op: '=', value: '' }] })}>
            Add matcher
          </button>
          {problem && <div class="warning">{problem}</div>}
        </div>
        <label for="silence-start">Start</label>
        <input id="silence-start" class="mono" value={d.start} onInput={(e) => onStart((e.target as HTMLInputElement).value)} />
        <label for="silence-duration">Duration</label>
        <input id="silence-duration" class="mono" value={duration} onInput={(e) => onDuration((e.target as HTMLInputElement).value)} placeholder="2h, 30m, 1d" />
        <label for="silence-end">End</label>
        <input id="silence-end" class="mono" value={d.end} onInput={(e) => onEnd((e.target as HTMLInputElement).value)} />
        <label for="silence-by">Created by</label>
        <input id="silence-by" value={d.createdBy} onInput={(e) => update({ createdBy: (e.target as HTMLInputElement).value })} placeholder="your name" />
        <label for="silence-comment">Comment</label>
        <textarea id="silence-comment" value={d.comment} onInput={(e) => update({ comment: (e.target as HTMLTextAreaElement).value })} placeholder="why, ticket link…" />
      </div>
      {timeProblem && <div class="warning">{timeProblem}</div>}
      <AffectedAlerts matchers={problem ? null : matchers} />
      <div class="row">
        <button type="submit" class="primary" disabled={saving}>
          {d.id ? 'Update silence' : 'Create silence'}
        </button>
        <a href={silencesUrl('active')}>Cancel</a>
      </div>
      {saveError && (
        <div class="error save-error" role="alert">
          Not saved: {saveError}
        </div>
      )}
    </form>
  );
}

/** The live preview: current alerts (silenced and inhibited too) the matchers catch. */
function AffectedAlerts({ matchers }: { matchers: Matcher[] | null }) {
  const alerts = useLoad(() => json<Alert[]>('/api/v2/alerts?active=true&silenced=true&inhibited=true&unprocessed=true'));
  return (
    <div class="affected">
      <div class="row">
        <h2 class="grow">Affected alerts</h2>
        <button type="button" onClick={alerts.reload}>
          Refresh alerts
        </button>
      </div>
      <LoadState state={alerts}>
        {(all) => {
          if (!matchers) return <p class="muted">Complete the matchers to see which alerts the silence catches.</p>;
          const hit = all.filter((a) => matchesAll(matchers, a.labels));
          if (!hit.length) return <p class="muted affected-count">No current alert matches ({all.length} alerts checked).</p>;
          return (
            <>
              <p class="affected-count">
                {hit.length === 1 ? '1 alert' : `${hit.length} alerts`} of {all.length} would be silenced:
              </p>
              <ul class="affected-list">
                {hit.map((a) => (
                  <li key={a.fingerprint}>
                    <LabelBadges labels={a.labels} /> <span class={`badge ${a.status.state}`}>{a.status.state}</span>
                  </li>
                ))}
              </ul>
            </>
          );
        }}
      </LoadState>
    </div>
  );
}
