// Shapes of the Prometheus status APIs these pages read (only the fields they show).
import type { Labels } from '../../lib/api';

export interface ActiveTarget {
  discoveredLabels: Labels;
  labels: Labels;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl?: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  health: 'up' | 'down' | 'unknown';
  scrapeInterval?: string;
  scrapeTimeout?: string;
}

export interface DroppedTarget {
  discoveredLabels: Labels;
  scrapePool?: string;
}

export interface TargetsData {
  activeTargets: ActiveTarget[];
  droppedTargets: DroppedTarget[];
  droppedTargetCounts?: Record<string, number>;
}

export interface AlertInstance {
  labels: Labels;
  annotations: Labels;
  state: 'pending' | 'firing' | 'inactive';
  activeAt?: string;
  value: string;
}

export interface Rule {
  name: string;
  query: string;
  type: 'alerting' | 'recording';
  health: 'ok' | 'err' | 'unknown';
  lastError?: string;
  lastEvaluation?: string;
  evaluationTime?: number;
  labels?: Labels;
  annotations?: Labels;
  state?: 'inactive' | 'pending' | 'firing';
  duration?: number;
  keepFiringFor?: number;
  alerts?: AlertInstance[];
}

export interface RuleGroup {
  name: string;
  file: string;
  interval: number;
  lastEvaluation?: string;
  evaluationTime?: number;
  limit?: number;
  rules: Rule[];
}

export interface NameValue {
  name: string;
  value: number;
}

export interface TsdbStatus {
  headStats?: { numSeries: number; numLabelPairs?: number; chunkCount: number; minTime: number; maxTime: number };
  seriesCountByMetricName?: NameValue[];
  labelValueCountByLabelName?: NameValue[];
  memoryInBytesByLabelName?: NameValue[];
  seriesCountByLabelValuePair?: NameValue[];
}
