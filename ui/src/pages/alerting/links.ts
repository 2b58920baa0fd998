// URLs between the alerting pages, in one place so the query-string formats stay in step.
import type { Labels } from '../../lib/api';
import { equalityMatchers, formatMatchers } from './matchers';

/** The silence editor pre-filled with matchers (`filter={a="b", …}`, as Alertmanager's UI links). */
export function newSilenceUrl(labels: Labels): string {
  return `/alerting/silences/new?${new URLSearchParams({ filter: formatMatchers(equalityMatchers(labels)) })}`;
}

export function editSilenceUrl(id: string): string {
  return `/alerting/silences/new?${new URLSearchParams({ edit: id })}`;
}

export function silencesUrl(tab: string, id?: string): string {
  const q = new URLSearchParams({ tab });
  if (id) q.set('id', id);
  return `/alerting/silences?${q}`;
}
