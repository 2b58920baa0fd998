// Threshold steps: which colour a value gets in stat, gauge and bar-gauge panels and the
// threshold lines of time series, in Grafana's absolute and percentage modes.

import type { ThresholdStep, Thresholds } from './types';

/** Grafana's default thresholds: green base, red from 80. */
export const DEFAULT_THRESHOLDS: Thresholds = {
  mode: 'absolute',
  steps: [
    { value: null, color: 'green' },
    { value: 80, color: 'red' },
  ],
};

/**
 * Sorts steps ascending with the base step (null / -Infinity) first, as Grafana does on
 * load, so a dashboard with steps in any order still resolves the same way.
 */
export function sortThresholdSteps(steps: ThresholdStep[]): ThresholdStep[] {
  const key = (s: ThresholdStep) => (s.value === null || s.value === undefined ? -Infinity : s.value);
  return [...steps].sort((a, b) => key(a) - key(b));
}

/** The step a value falls in: the last step whose value it reaches (the base step if none). */
export function activeStep(value: number, steps: ThresholdStep[]): ThresholdStep | undefined {
  if (steps.length === 0) return undefined;
  let active = steps[0];
  for (const step of steps) {
    const at = step.value === null || step.value === undefined ? -Infinity : step.value;
    if (value >= at) active = step;
    else break;
  }
  return active;
}

/**
 * The active step for a value under `thresholds`; in percentage mode the value is first
 * placed between `min` and `max` (0–100), which Grafana takes from the field or the data.
 */
export function activeThreshold(value: number, thresholds: Thresholds | undefined, min?: number, max?: number): ThresholdStep | undefined {
  if (!thresholds) return undefined;
  let v = value;
  if (thresholds.mode === 'percentage') {
    const lo = min ?? 0;
    const hi = max ?? 100;
    v = hi === lo ? 100 : ((value - lo) / (hi - lo)) * 100;
  }
  return activeStep(v, thresholds.steps);
}
