// Acknowledging an alert group (Vigil's addition to Alertmanager): who, why and until when.
// An ack stops the group's repeats and its escalation until the group resolves or it expires.
import { useState } from 'preact/hooks';
import { sendJson, type Labels } from '../../lib/api';
import { formatTimestamp, parseDuration } from '../../lib/time';
import { When, errorText, parseTime } from '../status/common';
import type { Ack } from './types';

const ACKS = '/api/vigil/v1/alertmanager/acks';
const BY_KEY = 'vigil.alerting.by';

/** The name people act under, remembered in this browser (acks and silences share it). */
export function rememberedName(): string {
  try {
    return localStorage.getItem(BY_KEY) ?? '';
  } catch {
    return '';
  }
}

export function rememberName(name: string): void {
  try {
    localStorage.setItem(BY_KEY, name);
  } catch {
    /* storage disabled: nothing to remember */
  }
}

interface GroupRef {
  receiver: string;
  labels: Labels;
}

/** The ack of one group: shows an existing ack with Unacknowledge, or Acknowledge with a form. */
export function AckControl({ group, ack, onChange }: { group: GroupRef; ack?: Ack; onChange: () => void }) {
  const [open, setOpen] = useState(false);
  const [by, setBy] = useState(rememberedName);
  const [comment, setComment] = useState('');
  const [expiry, setExpiry] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const send = async (method: 'POST' | 'DELETE', body: object) => {
    setBusy(true);
    setError('');
    try {
      await sendJson(ACKS, method, body);
      setOpen(false);
      setComment('');
      setExpiry('');
      onChange();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const submit = (e: Event) => {
    e.preventDefault();
    if (!by.trim()) return setError('say who acknowledges');
    let expiresAt: string | undefined;
    if (expiry.trim()) {
      const ms = parseDuration(expiry);
      if (ms === null || ms <= 0) return setError(`expiry ${JSON.stringify(expiry)} is not a duration like 30m or 4h`);
      expiresAt = new Date(Date.now() + ms).toISOString();
    }
    rememberName(by.trim());
    void send('POST', { receiver: group.receiver, labels: group.labels, by: by.trim(), comment, expiresAt });
  };

  if (ack) {
    const expires = parseTime(ack.expiresAt);
    return (
      <div class="ack-box acked">
        <span class="badge acked">Acknowledged</span> by <strong class="ack-by">{ack.by || 'someone'}</strong> <When t={ack.at} />
        {expires !== null && <span class="muted"> · expires {formatTimestamp(expires)}</span>}
        {ack.comment && <div class="ack-comment">“{ack.comment}”</div>}
        <div class="row">
          <button type="button" disabled={busy} onClick={() => send('DELETE', { receiver: group.receiver, labels: group.labels })}>
            Unacknowledge
          </button>
          {error && <span class="error">{error}</span>}
        </div>
      </div>
    );
  }
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Acknowledge
      </button>
    );
  return (
    <form class="ack-box" onSubmit={submit}>
      <strong>Acknowledge this group</strong>
      <div class="ack-form">
        <label for="ack-by">By</label>
        <input id="ack-by" name="by" value={by} onInput={(e) => setBy((e.target as HTMLInputElement).value)} placeholder="your name" required />
        <label for="ack-comment">Comment</label>
        <input id="ack-comment" name="comment" value={comment} onInput={(e) => setComment((e.target as HTMLInputElement).value)} placeholder="looking into it" />
        <label for="ack-expiry">Expires after</label>
        <input id="ack-expiry" name="expiry" value={expiry} onInput={(e) => setExpiry((e.target as HTMLInputElement).value)} placeholder="optional, e.g. 2h" />
      </div>
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          Save acknowledgement
        </button>
        <button type="button" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
      {error && <div class="error">{error}</div>}
    </form>
  );
}
