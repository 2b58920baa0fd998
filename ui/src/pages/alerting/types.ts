// Shapes of the Alertmanager v2 API and Vigil's alert-manager additions (acks, escalations,
// template previews), as crates/server/src/am_api.rs serves them.
import type { Labels } from '../../lib/api';

export interface AlertStatus {
  state: 'active' | 'suppressed' | 'unprocessed';
  silencedBy: string[];
  inhibitedBy: string[];
}

export interface Alert {
  labels: Labels;
  annotations: Labels;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  fingerprint: string;
  generatorURL?: string;
  receivers: { name: string }[];
  status: AlertStatus;
}

export interface Ack {
  groupKey: string;
  receiver: string;
  by: string;
  comment: string;
  at: string;
  expiresAt: string | null;
}

export interface EscalationLevel {
  level: number;
  receiver: string;
  dueAt: string;
  notifiedAt: string | null;
}

export interface Escalation {
  policy: string;
  startedAt: string;
  levels: EscalationLevel[];
}

export interface AlertGroup {
  labels: Labels;
  receiver: { name: string };
  alerts: Alert[];
  vigilAck?: Ack;
  vigilEscalation?: Escalation;
}

/** A matcher as the v2 API writes it: `isEqual: false` negates. */
export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export interface Silence {
  id: string;
  status: { state: 'active' | 'pending' | 'expired' };
  updatedAt: string;
  comment: string;
  createdBy: string;
  startsAt: string;
  endsAt: string;
  matchers: Matcher[];
}

export interface AmStatus {
  cluster: { name: string; peers: unknown[]; status: string };
  config: { original: string };
  uptime: string;
  versionInfo: Record<string, string>;
}
