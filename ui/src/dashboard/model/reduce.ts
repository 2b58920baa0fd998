// Reducers: one number from a series (stat, gauge, legend values, table footers), with the
// calc ids Grafana stores in `reduceOptions.calcs` and `legend.calcs`.

/** Calc ids this module knows. */
export const REDUCER_IDS = [
  'last', 'lastNotNull', 'first', 'firstNotNull', 'min', 'max', 'mean', 'sum', 'count',
  'range', 'delta', 'diff', 'changeCount', 'distinctCount', 'median', 'logmin',
  'allIsNull', 'allIsZero',
] as const;

export type ReducerId = (typeof REDUCER_IDS)[number];

const present = (v: number | null | undefined): v is number => v !== null && v !== undefined && !Number.isNaN(v);

/**
 * Reduces a series' values with a Grafana calc. Nulls (and NaN) are skipped except by
 * `last`/`first`; empty input gives null. `delta` sums increases and treats a drop as a
 * counter reset, as Grafana does.
 */
export function reduce(values: readonly (number | null | undefined)[], calc: string): number | null | boolean {
  const nums = values.filter(present);
  switch (calc) {
    case 'last':
      return values.length ? values[values.length - 1] ?? null : null;
    case 'first':
      return values.length ? values[0] ?? null : null;
    case 'lastNotNull':
    case 'current':
      return nums.length ? nums[nums.length - 1] : null;
    case 'firstNotNull':
      return nums.length ? nums[0] : null;
    case 'min':
      return nums.length ? Math.min(...nums) : null;
    case 'max':
      return nums.length ? Math.max(...nums) : null;
    case 'logmin': {
      const pos = nums.filter((n) => n > 0);
      return pos.length ? Math.min(...pos) : null;
    }
    case 'mean':
    case 'avg':
      return nums.length ? nums.reduce((a, b) => a + b, 0) / nums.length : null;
    case 'sum':
    case 'total':
      return nums.length ? nums.reduce((a, b) => a + b, 0) : null;
    case 'count':
      // Grafana skips nulls (its default null mode) but counts NaN.
      return values.filter((v) => v !== null && v !== undefined).length;
    case 'range':
      return nums.length ? Math.max(...nums) - Math.min(...nums) : null;
    case 'delta': {
      if (!nums.length) return null;
      // A drop is a counter reset: the next rise counts from zero (its whole value), and a
      // drop on the very last point counts that value.
      let total = 0;
      let rising = true;
      for (let i = 1; i < nums.length; i++) {
        if (nums[i] < nums[i - 1]) {
          rising = false;
          if (i === nums.length - 1) total += nums[i];
        } else {
          total += rising ? nums[i] - nums[i - 1] : nums[i];
          rising = true;
        }
      }
      return total;
    }
    case 'diff':
      return nums.length ? nums[nums.length - 1] - nums[0] : null;
    case 'changeCount': {
      let changes = 0;
      for (let i = 1; i < nums.length; i++) if (nums[i] !== nums[i - 1]) changes++;
      return changes;
    }
    case 'distinctCount':
      return new Set(nums).size;
    case 'median': {
      if (!nums.length) return null;
      const sorted = [...nums].sort((a, b) => a - b);
      const mid = Math.floor(sorted.length / 2);
      return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
    case 'allIsNull':
      return nums.length === 0;
    case 'allIsZero':
      return nums.length > 0 && nums.every((n) => n === 0);
  }
  return null;
}

/** Reduces with a numeric result only (booleans as 1/0), for display code. */
export function reduceNumber(values: readonly (number | null | undefined)[], calc: string): number | null {
  const r = reduce(values, calc);
  if (typeof r === 'boolean') return r ? 1 : 0;
  return r;
}
