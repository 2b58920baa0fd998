// An alert group's escalation (Vigil's addition): which receivers get notified when, and
// which already were, so on-call sees what happens next if nobody acknowledges.
import { formatTimestamp } from '../../lib/time';
import { When, parseTime } from '../status/common';
import type { Escalation } from './types';

export function EscalationProgress({ escalation, acked }: { escalation: Escalation; acked: boolean }) {
  const now = Date.now();
  return (
    <div class="escalation">
      <strong>Escalation</strong> <span class="muted">policy {escalation.policy}, started <When t={escalation.startedAt} /></span>
      {acked && <span class="muted"> · paused by the acknowledgement</span>}
      <ol>
        {escalation.levels.map((l) => {
          const due = parseTime(l.dueAt);
          const notified = parseTime(l.notifiedAt);
          return (
            <li key={l.level} class={notified !== null ? 'notified' : ''}>
              level {l.level}: <strong>{l.receiver}</strong> — due {due !== null ? formatTimestamp(due) : '—'}
              {notified !== null ? (
                <> · notified {formatTimestamp(notified)}</>
              ) : due !== null && due <= now ? (
                <span class="muted"> · due now</span>
              ) : (
                <span class="muted"> · pending</span>
              )}
            </li>
          );
        })}
      </ol>
    </div>
  );
}
