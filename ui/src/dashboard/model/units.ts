// Grafana's unit formatting: a unit id from a dashboard (`bytes`, `s`, `percentunit`,
// `suffix:req`) turns a number into the same text Grafana shows, so values match to the digit.

/** A formatted value in parts, as Grafana keeps them (prefix/suffix styled apart). */
export interface FormattedValue {
  text: string;
  prefix?: string;
  suffix?: string;
}

export interface FormatOptions {
  /** `utc` or anything else for the browser's zone (date units). */
  timeZone?: string;
  /** Reference time for `dateTimeFromNow` (ms). */
  now?: number;
}

type Formatter = (value: number, decimals: number | undefined, opts: FormatOptions) => FormattedValue;

/**
 * Grafana's automatic decimals: enough digits for two significant figures (three when the
 * leading digits exceed 2.25), none for integers.
 */
export function autoDecimals(value: number): number {
  if (value % 1 === 0) return 0;
  const abs = Math.abs(value);
  const exponent = Math.floor(Math.log10(abs));
  let dec = 1 - exponent;
  const normalised = abs / Math.pow(10, exponent - 1);
  if (normalised > 2.25) dec++;
  return Math.max(0, dec);
}

/** Rounds to `decimals` (or auto decimals) and pads with zeros, like Grafana's toFixed. */
export function toFixed(value: number, decimals?: number | null): string {
  if (!Number.isFinite(value)) return nonFinite(value);
  const dec = decimals === undefined || decimals === null ? autoDecimals(value) : Math.max(0, Math.min(20, Math.floor(decimals)));
  if (value === 0) return (0).toFixed(dec);
  const factor = dec ? Math.pow(10, dec) : 1;
  const rounded = String(Math.round(value * factor) / factor);
  if (rounded.includes('e')) return rounded;
  const dot = rounded.indexOf('.');
  const have = dot === -1 ? 0 : rounded.length - dot - 1;
  if (have < dec) return (have ? rounded : rounded + '.') + '0'.repeat(dec - have);
  return rounded;
}

function nonFinite(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  return v > 0 ? '∞' : '-∞';
}

/** A plain number with a fixed unit after (`' ' + unit`) or before it. */
function fixedUnit(unit: string, asPrefix = false): Formatter {
  return (v, d) => {
    const text = toFixed(v, d);
    if (!unit) return { text };
    return asPrefix ? { text, prefix: unit } : { text, suffix: ' ' + unit };
  };
}

/** Scales by powers of `factor`, picking a suffix; `offset` is the index of the unscaled suffix. */
function scaled(factor: number, suffixes: string[], offset = 0): Formatter {
  return (v, d) => {
    if (!Number.isFinite(v)) return { text: nonFinite(v) };
    // log10 ratio, as Grafana computes it, so boundaries round the same way.
    const power = v === 0 ? 0 : Math.floor(Math.log10(Math.abs(v)) / Math.log10(factor));
    const index = Math.min(Math.max(power + offset, 0), suffixes.length - 1);
    return { text: toFixed(v / Math.pow(factor, index - offset), d), suffix: suffixes[index] };
  };
}

const SI_PREFIXES = ['f', 'p', 'n', 'µ', 'm', '', 'k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
const SI_BASE = 5;
const IEC_PREFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi'];

/** SI-scaled unit (k = 1000); `offset` 1 means the raw value is already in kilo-units. */
function si(unit: string, offset = 0): Formatter {
  return scaled(1000, SI_PREFIXES.map((p) => ' ' + p + unit), SI_BASE + offset);
}

/** IEC-scaled unit (Ki = 1024). */
function iec(unit: string, offset = 0): Formatter {
  return scaled(1024, IEC_PREFIXES.map((p) => ' ' + p + unit), offset);
}

/** Counts scaled K/M/B/T then a fixed symbol (`1.50K req/s`). */
function count(symbol: string): Formatter {
  const inner = scaled(1000, ['', 'K', 'M', 'B', 'T']);
  return (v, d, o) => {
    const r = inner(v, d, o);
    return { text: r.text, suffix: (r.suffix ?? '') + ' ' + symbol };
  };
}

function currency(symbol: string, asSuffix = false): Formatter {
  const inner = scaled(1000, ['', 'K', 'M', 'B', 'T']);
  return (v, d, o) => {
    const negative = v < 0;
    const r = inner(Math.abs(v), d, o);
    if (asSuffix) r.suffix = (r.suffix ?? '') + symbol;
    else r.prefix = symbol;
    if (negative) r.prefix = '-' + (r.prefix ?? '');
    return r;
  };
}

/** A ladder of time units: the first rung whose limit the value is under. */
function timeLadder(rungs: [limit: number, divisor: number, suffix: string][], zeroSuffix?: string): Formatter {
  return (v, d) => {
    if (!Number.isFinite(v)) return { text: nonFinite(v) };
    if (v === 0 && zeroSuffix) return { text: '0', suffix: zeroSuffix };
    const abs = Math.abs(v);
    for (const [limit, divisor, suffix] of rungs) {
      if (abs < limit) return { text: toFixed(v / divisor, d), suffix };
    }
    const [, divisor, suffix] = rungs[rungs.length - 1];
    return { text: toFixed(v / divisor, d), suffix };
  };
}

const seconds = timeLadder(
  [
    [1e-6, 1e-9, ' ns'],
    [1e-3, 1e-6, ' µs'],
    [1, 1e-3, ' ms'],
    [60, 1, ' s'],
    [3600, 60, ' min'],
    [86400, 3600, ' hour'],
    [604800, 86400, ' day'],
    [31536000, 604800, ' week'],
    [Infinity, 3.15569e7, ' year'],
  ],
  ' s',
);
const milliseconds = timeLadder([
  [1000, 1, ' ms'],
  [60000, 1000, ' s'],
  [3600000, 60000, ' min'],
  [86400000, 3600000, ' hour'],
  [31536000000, 86400000, ' day'],
  [Infinity, 31536000000, ' year'],
]);
const microseconds = timeLadder([
  [1000, 1, ' µs'],
  [1e6, 1000, ' ms'],
  [Infinity, 1e6, ' s'],
]);
const nanoseconds = timeLadder([
  [1000, 1, ' ns'],
  [1e6, 1000, ' µs'],
  [1e9, 1e6, ' ms'],
  [60e9, 1e9, ' s'],
  [3600e9, 60e9, ' min'],
  [86400e9, 3600e9, ' hour'],
  [Infinity, 86400e9, ' day'],
]);
const minutes = timeLadder([
  [60, 1, ' min'],
  [1440, 60, ' hour'],
  [10080, 1440, ' day'],
  [604800, 10080, ' week'],
  [Infinity, 525948, ' year'],
]);
const hours = timeLadder([
  [24, 1, ' hour'],
  [168, 24, ' day'],
  [8760, 168, ' week'],
  [Infinity, 8760, ' year'],
]);
const days = timeLadder([
  [7, 1, ' day'],
  [365, 7, ' week'],
  [Infinity, 365, ' year'],
]);

const DURATION_UNITS: [string, number][] = [
  ['year', 31536000000],
  ['month', 2592000000],
  ['week', 604800000],
  ['day', 86400000],
  ['hour', 3600000],
  ['minute', 60000],
  ['second', 1000],
  ['millisecond', 1],
];

/** "1 hour, 2 minutes": the largest unit, plus `decimals` more units after it. */
function humanDuration(ms: number, decimals: number | undefined, zeroUnit: string): FormattedValue {
  if (!Number.isFinite(ms)) return { text: nonFinite(ms) };
  if (ms === 0) return { text: '0', suffix: ' ' + zeroUnit + 's' };
  if (ms < 0) {
    // Grafana words a negative duration as the past.
    const r = humanDuration(-ms, decimals, zeroUnit);
    return { ...r, text: r.text + ' ago' };
  }
  let rest = ms;
  let more = decimals ?? 0;
  let started = false;
  const parts: string[] = [];
  for (const [name, size] of DURATION_UNITS) {
    if (more < 0) break;
    const n = rest / size;
    if (n >= 1 || started) {
      started = true;
      const whole = Math.floor(n);
      parts.push(`${whole} ${name}${whole === 1 ? '' : 's'}`);
      rest = rest % size;
      more--;
    }
  }
  return { text: parts.join(', ') };
}

const pad = (n: number, w = 2) => String(Math.floor(n)).padStart(w, '0');

/** `HH:MM:SS` of a number of seconds (hours may exceed 99); negative reads "… ago". */
function hms(seconds: number): string {
  if (seconds < 0) return `${hms(-seconds)} ago`;
  return `${pad(seconds / 3600)}:${pad((seconds % 3600) / 60)}:${pad(seconds % 60)}`;
}

/** `01h:02m:03s:004ms` style clock; decimals trim the smaller parts. */
function clock(ms: number, decimals: number | undefined): FormattedValue {
  if (!Number.isFinite(ms)) return { text: nonFinite(ms) };
  const msPart = pad(ms % 1000, 3) + 'ms';
  const sPart = pad(Math.floor(ms / 1000) % 60) + 's';
  const mPart = pad(Math.floor(ms / 60000) % 60) + 'm';
  if (ms < 1000) return { text: msPart };
  if (ms < 60000) return { text: decimals === 0 ? sPart : `${sPart}:${msPart}` };
  if (ms < 3600000) {
    if (decimals === 0) return { text: mPart };
    if (decimals === 1) return { text: `${mPart}:${sPart}` };
    return { text: `${mPart}:${sPart}:${msPart}` };
  }
  const hPart = pad(ms / 3600000) + 'h';
  if (decimals === 0) return { text: hPart };
  if (decimals === 1) return { text: `${hPart}:${mPart}` };
  if (decimals === 2) return { text: `${hPart}:${mPart}:${sPart}` };
  return { text: `${hPart}:${mPart}:${sPart}:${msPart}` };
}

function dateParts(ms: number, tz: string | undefined) {
  const d = new Date(ms);
  const utc = tz === 'utc' || tz === 'UTC';
  return utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
}

/**
 * Formats a time with the moment.js tokens dashboards use in `time:<format>` units and
 * table date styles: YYYY YY MM M DD D HH H hh h mm m ss s SSS A a; `[text]` is literal.
 */
export function formatDateTime(ms: number, pattern: string, tz?: string): string {
  const [y, mo, d, h, mi, sec] = dateParts(ms, tz);
  const milli = ((ms % 1000) + 1000) % 1000;
  const h12 = h % 12 === 0 ? 12 : h % 12;
  const tokens: Record<string, string> = {
    YYYY: String(y), YY: String(y).slice(-2), MM: pad(mo), M: String(mo), DD: pad(d), D: String(d),
    HH: pad(h), H: String(h), hh: pad(h12), h: String(h12), mm: pad(mi), m: String(mi),
    ss: pad(sec), s: String(sec), SSS: pad(milli, 3), A: h < 12 ? 'AM' : 'PM', a: h < 12 ? 'am' : 'pm',
  };
  return pattern.replace(/\[([^\]]*)\]|YYYY|YY|SSS|MM|DD|HH|hh|mm|ss|M|D|H|h|m|s|A|a/g, (t, literal?: string) => literal ?? tokens[t] ?? t);
}

function isoDateTime(ms: number, tz: string | undefined): string {
  const [y, mo, d, h, mi, s] = dateParts(ms, tz);
  return `${y}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}`;
}

/** moment.js-style relative time ("5 minutes ago", "in 2 hours"), as Grafana's fromNow. */
export function relativeTime(ms: number, now: number): string {
  const diff = now - ms;
  const s = Math.abs(diff) / 1000;
  const m = s / 60;
  const h = m / 60;
  const d = h / 24;
  const r = Math.round;
  let phrase: string;
  if (s < 45) phrase = 'a few seconds';
  else if (s < 90) phrase = 'a minute';
  else if (m < 45) phrase = `${r(m)} minutes`;
  else if (m < 90) phrase = 'an hour';
  else if (h < 22) phrase = `${r(h)} hours`;
  else if (h < 36) phrase = 'a day';
  else if (d < 26) phrase = `${r(d)} days`;
  else if (d < 45) phrase = 'a month';
  else if (d < 320) phrase = `${r(d / 30.4375)} months`;
  else if (d < 548) phrase = 'a year';
  else phrase = `${r(d / 365.25)} years`;
  return diff >= 0 ? `${phrase} ago` : `in ${phrase}`;
}

/** Hexadecimal of the value rounded to `decimals` (fractions keep hex digits). */
function hex(v: number, d: number | undefined): string {
  return parseFloat(toFixed(v, d)).toString(16).toUpperCase();
}

function boolean(t: string, f: string): Formatter {
  return (v) => ({ text: v ? t : f });
}

const FORMATTERS: Record<string, Formatter> = {
  none: fixedUnit(''),
  short: scaled(1000, ['', ' K', ' Mil', ' Bil', ' Tri', ' Quadr', ' Quint', ' Sext', ' Sept']),
  percent: (v, d) => ({ text: toFixed(v, d), suffix: '%' }),
  percentunit: (v, d) => ({ text: toFixed(100 * v, d), suffix: '%' }),
  humidity: fixedUnit('%H'),
  dB: fixedUnit('dB'),
  hex0x: (v, d) => {
    const h = hex(v, d);
    return { text: h.startsWith('-') ? `-0x${h.slice(1)}` : `0x${h}` };
  },
  hex: (v, d) => ({ text: hex(v, d) }),
  // JavaScript's exponential notation, full precision unless decimals are set.
  sci: (v, d) => ({ text: d === undefined ? v.toExponential() : v.toExponential(Math.max(0, Math.min(100, Math.floor(d)))) }),
  locale: (v, d) => ({ text: v.toLocaleString(undefined, { maximumFractionDigits: d ?? 3 }) }),
  string: (v) => ({ text: String(v) }),
  // data
  bytes: iec('B'),
  decbytes: si('B'),
  bits: iec('b'),
  decbits: si('b'),
  kbytes: iec('B', 1),
  mbytes: iec('B', 2),
  gbytes: iec('B', 3),
  tbytes: iec('B', 4),
  pbytes: iec('B', 5),
  deckbytes: si('B', 1),
  decmbytes: si('B', 2),
  decgbytes: si('B', 3),
  dectbytes: si('B', 4),
  decpbytes: si('B', 5),
  // data rate
  pps: si('p/s'),
  binBps: iec('B/s'),
  Bps: si('B/s'),
  binbps: iec('b/s'),
  bps: si('b/s'),
  KiBs: iec('B/s', 1),
  Kibits: iec('b/s', 1),
  KBs: si('B/s', 1),
  Kbits: si('b/s', 1),
  MiBs: iec('B/s', 2),
  Mibits: iec('b/s', 2),
  MBs: si('B/s', 2),
  Mbits: si('b/s', 2),
  GiBs: iec('B/s', 3),
  Gibits: iec('b/s', 3),
  GBs: si('B/s', 3),
  Gbits: si('b/s', 3),
  // throughput
  cps: count('c/s'),
  ops: count('ops/s'),
  reqps: count('req/s'),
  rps: count('rd/s'),
  wps: count('wr/s'),
  iops: count('io/s'),
  eps: count('evt/s'),
  mps: count('msg/s'),
  recps: count('rec/s'),
  rowsps: count('rows/s'),
  cpm: count('c/m'),
  reqpm: count('req/m'),
  epm: count('evts/m'),
  mpm: count('msgs/m'),
  recpm: count('rec/m'),
  rowspm: count('rows/m'),
  opm: count('ops/m'),
  rpm: count('rd/m'),
  wpm: count('wr/m'),
  // time
  hertz: si('Hz'),
  ns: nanoseconds,
  'µs': microseconds,
  ms: milliseconds,
  s: seconds,
  m: minutes,
  h: hours,
  d: days,
  dtdurationms: (v, d) => humanDuration(v, d, 'millisecond'),
  dtdurations: (v, d) => humanDuration(v * 1000, d, 'second'),
  dthms: (v) => ({ text: hms(v) }),
  dtdhms: (v) => {
    const days = Math.floor(Math.abs(v) / 86400);
    const rest = Math.abs(v) - days * 86400;
    return { text: `${v < 0 ? '-' : ''}${days > 0 ? `${days} d ` : ''}${hms(rest)}` };
  },
  timeticks: (v, d, o) => seconds(v / 100, d, o),
  clockms: (v, d) => clock(v, d),
  clocks: (v, d) => clock(v * 1000, d),
  // temperature, energy
  celsius: fixedUnit('°C'),
  fahrenheit: fixedUnit('°F'),
  kelvin: fixedUnit('K'),
  volt: si('V'),
  mvolt: si('V', -1),
  kvolt: si('V', 1),
  watt: si('W'),
  kwatt: si('W', 1),
  mwatt: si('W', -1),
  amp: si('A'),
  mamp: si('A', -1),
  kamp: si('A', 1),
  watth: si('Wh'),
  kwatth: si('Wh', 1),
  mohm: si('Ω', -1),
  ohm: si('Ω'),
  kohm: si('Ω', 1),
  Mohm: si('Ω', 2),
  joule: si('J'),
  dBm: si('dBm'),
  megwatt: si('W', 2),
  gwatt: si('W', 3),
  voltamp: si('VA'),
  kvoltamp: si('VA', 1),
  // length, mass, volume, misc
  lengthmm: si('m', -1),
  lengthm: si('m'),
  lengthkm: si('m', 1),
  massmg: si('g', -1),
  massg: si('g'),
  masskg: si('g', 1),
  litre: si('L'),
  mlitre: si('L', -1),
  pixel: fixedUnit('px'),
  degree: fixedUnit('°'),
  ppm: fixedUnit('ppm'),
  rotrpm: fixedUnit('rpm'),
  rothz: si('Hz'),
  flops: si('FLOP/s'),
  // booleans
  bool: boolean('True', 'False'),
  bool_yes_no: boolean('Yes', 'No'),
  bool_on_off: boolean('On', 'Off'),
  // currency
  currencyUSD: currency('$'),
  currencyGBP: currency('£'),
  currencyEUR: currency('€'),
  currencyJPY: currency('¥'),
  currencyRUB: currency('₽'),
  currencyINR: currency('₹'),
  currencyCHF: currency('CHF'),
  // dates
  dateTimeAsIso: (v, _d, o) => ({ text: isoDateTime(v, o.timeZone) }),
  dateTimeAsUS: (v, _d, o) => {
    const [y, mo, d, h, mi, s] = dateParts(v, o.timeZone);
    const h12 = h % 12 === 0 ? 12 : h % 12;
    return { text: `${pad(mo)}/${pad(d)}/${y} ${h12}:${pad(mi)}:${pad(s)} ${h < 12 ? 'am' : 'pm'}` };
  },
  dateTimeAsIsoNoDateIfToday: (v, _d, o) => {
    const today = dateParts(o.now ?? Date.now(), o.timeZone).slice(0, 3).join('-') === dateParts(v, o.timeZone).slice(0, 3).join('-');
    const [, , , h, mi, s] = dateParts(v, o.timeZone);
    return { text: today ? `${pad(h)}:${pad(mi)}:${pad(s)}` : isoDateTime(v, o.timeZone) };
  },
  dateTimeFromNow: (v, _d, o) => ({ text: relativeTime(v, o.now ?? Date.now()) }),
};

/**
 * The offset of an SI prefix letter in `si:` custom units (0 when it is none). Like Grafana,
 * the first letter is always tried, so `si:m` reads as milli-nothing; the Greek mu counts
 * as the micro sign.
 */
function siOffset(c: string): number {
  const i = SI_PREFIXES.findIndex((p) => p !== '' && p.normalize('NFKD') === c.normalize('NFKD'));
  return i < 0 ? 0 : i - SI_BASE;
}

function lookup(unit: string): Formatter {
  const known = FORMATTERS[unit];
  if (known) return known;
  const colon = unit.indexOf(':');
  if (colon > 0) {
    const kind = unit.slice(0, colon);
    const arg = unit.slice(colon + 1);
    switch (kind) {
      case 'prefix':
        return fixedUnit(arg, true);
      case 'suffix':
        return fixedUnit(arg);
      case 'si': {
        const offset = siOffset(arg.charAt(0));
        return si(offset ? arg.slice(1) : arg, offset);
      }
      case 'count':
        return count(arg);
      case 'currency':
        return currency(arg);
      case 'time':
        return (v, _d, o) => ({ text: formatDateTime(v, arg.trim() || 'YYYY-MM-DD HH:mm:ss', o.timeZone) });
      case 'bool': {
        const slash = arg.indexOf('/');
        return slash >= 0 ? boolean(arg.slice(0, slash), arg.slice(slash + 1)) : boolean(arg, '-');
      }
    }
  }
  // Grafana shows an unknown unit id after the number, as a custom suffix.
  return fixedUnit(unit);
}

/** True when Grafana knows this unit id (built-in or a custom `kind:arg` form). */
export function isKnownUnit(unit: string): boolean {
  return unit in FORMATTERS || /^(prefix|suffix|si|count|currency|bool|time):/.test(unit);
}

/**
 * Formats a value in a Grafana unit. `decimals` fixes the digits after the point; when
 * absent Grafana's automatic rule applies. Null gives empty text; NaN and ±Infinity are
 * spelled out rather than thrown at.
 */
export function formatValue(
  value: number | null | undefined,
  unit: string | undefined,
  decimals?: number | null,
  opts: FormatOptions = {},
): FormattedValue {
  if (value === null || value === undefined) return { text: '' };
  const id = unit && unit.trim() ? unit.trim() : 'none';
  if (Number.isNaN(value)) return { text: 'NaN' };
  if (!Number.isFinite(value) && !id.startsWith('bool')) return { text: nonFinite(value) };
  return lookup(id)(value, decimals ?? undefined, opts);
}

/** Joins prefix, text and suffix the way Grafana prints them in one string. */
export function formattedToString(v: FormattedValue): string {
  return `${v.prefix ?? ''}${v.text}${v.suffix ?? ''}`;
}

/** `formatValue` as one string, for legends, tooltips and axis ticks. */
export function formatValueString(
  value: number | null | undefined,
  unit: string | undefined,
  decimals?: number | null,
  opts: FormatOptions = {},
): string {
  return formattedToString(formatValue(value, unit, decimals, opts));
}
