// Stand-ins for the model's field helpers (colours, thresholds, mappings, reducers, units)
// until branch `model` provides them; same names and signatures as the model's modules.
import type { MappingResult, ThresholdStep, Thresholds, ValueMapping } from './types';

const NAMED: Record<string, string> = {
  green: '#73BF69', 'semi-dark-green': '#56A64B', 'dark-green': '#37872D', 'light-green': '#96D98D', 'super-light-green': '#C8F2C2',
  red: '#F2495C', 'semi-dark-red': '#E02F44', 'dark-red': '#C4162A', 'light-red': '#FF7383', 'super-light-red': '#FFA6B0',
  yellow: '#FADE2A', 'semi-dark-yellow': '#F2CC0C', 'dark-yellow': '#E0B400', 'light-yellow': '#FFEE52',
  orange: '#FF9830', 'semi-dark-orange': '#FA6400', 'dark-orange': '#E55400', 'light-orange': '#FFB357',
  blue: '#5794F2', 'semi-dark-blue': '#3274D9', 'dark-blue': '#1F60C4', 'light-blue': '#8AB8FF',
  purple: '#B877D9', 'semi-dark-purple': '#A352CC', 'dark-purple': '#8F3BB8', 'light-purple': '#CA95E5',
};
export const TEXT_COLOR = '#1d232b';

export function resolveColor(color: string | undefined | null): string {
  if (!color) return TEXT_COLOR;
  const c = color.trim();
  return NAMED[c.toLowerCase()] ?? (c === 'text' ? TEXT_COLOR : c);
}

export const CLASSIC_PALETTE = [
  '#7EB26D', '#EAB839', '#6ED0E0', '#EF843C', '#E24D42', '#1F78C1', '#BA43A9', '#705DA0',
  '#508642', '#CCA300', '#447EBC', '#C15C17', '#890F02', '#0A437C', '#6D1F62', '#584477',
];
export function seriesColor(index: number): string {
  return CLASSIC_PALETTE[index % CLASSIC_PALETTE.length];
}

/** The step whose value the number reaches last (steps sorted, base step first). */
export function activeThreshold(value: number, thresholds: Thresholds | undefined, min?: number, max?: number): ThresholdStep | undefined {
  if (!thresholds?.steps?.length) return undefined;
  const steps = [...thresholds.steps].sort((a, b) => (a.value ?? -Infinity) - (b.value ?? -Infinity));
  let v = value;
  if (thresholds.mode === 'percentage') {
    const lo = min ?? 0;
    const hi = max ?? 100;
    v = hi === lo ? 0 : ((value - lo) / (hi - lo)) * 100;
  }
  let hit = steps[0];
  for (const s of steps) if (s.value === null || v >= s.value) hit = s;
  return hit;
}

export function applyMappings(value: number | string | null | undefined, mappings: ValueMapping[] | undefined): MappingResult | null {
  for (const m of mappings ?? []) {
    if (m.type === 'value' && value !== null && value !== undefined) {
      const hit = m.options[String(value)];
      if (hit) return hit;
    } else if (m.type === 'range' && typeof value === 'number') {
      const { from, to, result } = m.options;
      if ((from === null || value >= from) && (to === null || value <= to)) return result;
    } else if (m.type === 'special') {
      const isNull = value === null || value === undefined;
      const isNan = typeof value === 'number' && Number.isNaN(value);
      const match = m.options.match;
      if ((match === 'null' && isNull) || (match === 'nan' && isNan) || (match === 'null+nan' && (isNull || isNan))) return m.options.result;
    } else if (m.type === 'regex' && value !== null && value !== undefined) {
      try {
        if (new RegExp(m.options.pattern).test(String(value))) return m.options.result;
      } catch {
        /* a bad pattern matches nothing */
      }
    }
  }
  return null;
}

export function reduceNumber(values: readonly (number | null | undefined)[], calc: string): number | null {
  const xs = values.filter((v): v is number => v !== null && v !== undefined && !Number.isNaN(v));
  switch (calc) {
    case 'last': {
      const v = values[values.length - 1];
      return v ?? null;
    }
    case 'first':
      return values[0] ?? null;
    case 'firstNotNull':
      return xs.length ? xs[0] : null;
    case 'min':
      return xs.length ? Math.min(...xs) : null;
    case 'max':
      return xs.length ? Math.max(...xs) : null;
    case 'mean':
    case 'avg':
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
    case 'sum':
    case 'total':
      return xs.length ? xs.reduce((a, b) => a + b, 0) : null;
    case 'count':
      return values.length;
    case 'range':
      return xs.length ? Math.max(...xs) - Math.min(...xs) : null;
    case 'diff':
      return xs.length ? xs[xs.length - 1] - xs[0] : null;
    case 'delta': {
      let d = 0;
      for (let i = 1; i < xs.length; i++) d += xs[i] >= xs[i - 1] ? xs[i] - xs[i - 1] : xs[i];
      return xs.length ? d : null;
    }
    default:
      return xs.length ? xs[xs.length - 1] : null;
  }
}

const SI = ['', ' K', ' Mil', ' Bil', ' Tri'];
function fixed(v: number, decimals?: number | null): string {
  if (decimals !== undefined && decimals !== null) return v.toFixed(Math.max(0, Math.min(20, decimals)));
  if (v % 1 === 0) return String(v);
  const a = Math.abs(v);
  const dec = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : Math.min(6, 2 - Math.floor(Math.log10(a)));
  return String(+v.toFixed(dec));
}
function scaled(v: number, base: number, units: string[], decimals?: number | null): string {
  let i = 0;
  let x = v;
  while (Math.abs(x) >= base && i < units.length - 1) {
    x /= base;
    i++;
  }
  return fixed(x, decimals) + units[i];
}
function duration(v: number, unitSeconds: number, decimals?: number | null): string {
  const s = v * unitSeconds;
  const a = Math.abs(s);
  if (a === 0) return '0 s';
  if (a < 1e-6) return fixed(s * 1e9, decimals) + ' ns';
  if (a < 1e-3) return fixed(s * 1e6, decimals) + ' µs';
  if (a < 1) return fixed(s * 1e3, decimals) + ' ms';
  if (a < 60) return fixed(s, decimals) + ' s';
  if (a < 3600) return fixed(s / 60, decimals) + ' min';
  if (a < 86400) return fixed(s / 3600, decimals) + ' hour';
  if (a < 604800) return fixed(s / 86400, decimals) + ' day';
  return fixed(s / 604800, decimals) + ' week';
}
const IEC = [' B', ' KiB', ' MiB', ' GiB', ' TiB', ' PiB'];
const DEC = [' B', ' kB', ' MB', ' GB', ' TB', ' PB'];

/** A value in a Grafana unit as one string (the common units; others print as a suffix). */
export function formatValueString(value: number | null | undefined, unit: string | undefined, decimals?: number | null): string {
  if (value === null || value === undefined) return '';
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  const u = (unit ?? 'none').trim() || 'none';
  switch (u) {
    case 'none':
      return fixed(value, decimals);
    case 'short':
      return scaled(value, 1000, SI, decimals);
    case 'percent':
      return fixed(value, decimals) + '%';
    case 'percentunit':
      return fixed(value * 100, decimals) + '%';
    case 'bytes':
    case 'decbytes':
      return scaled(value, u === 'bytes' ? 1024 : 1000, u === 'bytes' ? IEC : DEC, decimals);
    case 'bits':
      return scaled(value, 1024, IEC.map((x) => x.replace('B', 'b')), decimals);
    case 'Bps':
    case 'binBps':
      return scaled(value, u === 'Bps' ? 1000 : 1024, (u === 'Bps' ? DEC : IEC).map((x) => x + '/s'), decimals);
    case 'bps':
    case 'binbps':
      return scaled(value, 1000, [' bps', ' kbps', ' Mbps', ' Gbps', ' Tbps'], decimals);
    case 's':
      return duration(value, 1, decimals);
    case 'ms':
      return duration(value, 1e-3, decimals);
    case 'µs':
    case 'us':
      return duration(value, 1e-6, decimals);
    case 'ns':
      return duration(value, 1e-9, decimals);
    case 'dtdurations':
    case 'dtdurationms':
      return duration(value, u === 'dtdurations' ? 1 : 1e-3, decimals);
    case 'hertz':
      return scaled(value, 1000, [' Hz', ' kHz', ' MHz', ' GHz'], decimals);
    case 'reqps':
      return scaled(value, 1000, SI, decimals) + ' req/s';
    case 'ops':
      return scaled(value, 1000, SI, decimals) + ' ops/s';
    case 'iops':
      return scaled(value, 1000, SI, decimals) + ' io/s';
    case 'pps':
      return scaled(value, 1000, SI, decimals) + ' p/s';
    case 'celsius':
      return fixed(value, decimals) + '°C';
    case 'currencyUSD':
      return '$' + scaled(value, 1000, SI, decimals);
    case 'dateTimeAsIso':
      return new Date(value).toISOString();
    case 'bool':
      return value ? 'true' : 'false';
  }
  if (u.startsWith('suffix:')) return fixed(value, decimals) + u.slice(7);
  if (u.startsWith('prefix:')) return u.slice(7) + fixed(value, decimals);
  return `${fixed(value, decimals)} ${u}`;
}
