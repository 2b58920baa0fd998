import { describe, expect, it } from 'vitest';
import { autoDecimals, formatValue, formatValueString, toFixed } from '../src/dashboard/model';

// Expected strings are Grafana's as documented by its unit tests and UI (scaling, auto
// decimals: two significant figures, three when leading digits exceed 2.25).
const cases: [unit: string, value: number, decimals: number | undefined, expected: string][] = [
  ['none', 12.345, undefined, '12.3'],
  ['none', 3, undefined, '3'],
  ['none', 0.5, undefined, '0.500'],
  ['none', 12.345, 1, '12.3'],
  ['none', 12, 2, '12.00'],
  ['short', 950, undefined, '950'],
  ['short', 1500, undefined, '1.50 K'],
  ['short', 1500000, undefined, '1.50 Mil'],
  ['short', 2.5e9, undefined, '2.50 Bil'],
  ['short', 3e12, undefined, '3 Tri'],
  ['short', -1500, undefined, '-1.50 K'],
  ['percent', 95.3, undefined, '95.3%'],
  ['percent', 50, undefined, '50%'],
  ['percentunit', 0.953, undefined, '95.3%'],
  ['percentunit', 0.5, 1, '50.0%'],
  ['humidity', 45, undefined, '45 %H'],
  ['dB', 3, undefined, '3 dB'],
  ['bytes', 1536, undefined, '1.50 KiB'],
  ['bytes', 512, undefined, '512 B'],
  ['bytes', 1073741824, undefined, '1 GiB'],
  ['bytes', 0, undefined, '0 B'],
  ['decbytes', 1500, undefined, '1.50 kB'],
  ['decbytes', 2e9, undefined, '2 GB'],
  ['bits', 2048, undefined, '2 Kib'],
  ['decbits', 1500, undefined, '1.50 kb'],
  ['kbytes', 1024, undefined, '1 MiB'],
  ['kbytes', 512, undefined, '512 KiB'],
  ['mbytes', 1536, undefined, '1.50 GiB'],
  ['gbytes', 2048, undefined, '2 TiB'],
  ['deckbytes', 1500, undefined, '1.50 MB'],
  ['decmbytes', 1500, undefined, '1.50 GB'],
  ['decgbytes', 1500, undefined, '1.50 TB'],
  ['bps', 1e9, undefined, '1 Gb/s'],
  ['Bps', 1500, undefined, '1.50 kB/s'],
  ['binBps', 1536, undefined, '1.50 KiB/s'],
  ['binbps', 1024, undefined, '1 Kib/s'],
  ['KBs', 1500, undefined, '1.50 MB/s'],
  ['MBs', 1500, undefined, '1.50 GB/s'],
  ['GBs', 2, undefined, '2 GB/s'],
  ['pps', 1500, undefined, '1.50 kp/s'],
  ['s', 0.0015, undefined, '1.50 ms'],
  ['s', 0.0000015, undefined, '1.50 µs'],
  ['s', 0.0000000015, undefined, '1.50 ns'],
  ['s', 0, undefined, '0 s'],
  ['s', 30, undefined, '30 s'],
  ['s', 90, undefined, '1.50 min'],
  ['s', 5400, undefined, '1.50 hour'],
  ['s', 129600, undefined, '1.50 day'],
  ['s', 1209600, undefined, '2 week'],
  ['ms', 500, undefined, '500 ms'],
  ['ms', 1500, undefined, '1.50 s'],
  ['ms', 90000, undefined, '1.50 min'],
  ['ms', 5400000, undefined, '1.50 hour'],
  ['ms', 172800000, undefined, '2 day'],
  ['µs', 1500, undefined, '1.50 ms'],
  ['µs', 500, undefined, '500 µs'],
  ['µs', 2500000, undefined, '2.50 s'],
  ['ns', 1500, undefined, '1.50 µs'],
  ['ns', 1.5e9, undefined, '1.50 s'],
  ['m', 90, undefined, '1.50 hour'],
  ['m', 30, undefined, '30 min'],
  ['h', 36, undefined, '1.50 day'],
  ['h', 12, undefined, '12 hour'],
  ['d', 14, undefined, '2 week'],
  ['d', 3, undefined, '3 day'],
  ['dtdurations', 3700, undefined, '1 hour'],
  ['dtdurations', 3700, 1, '1 hour, 1 minute'],
  ['dtdurations', 0, undefined, '0 seconds'],
  ['dtdurations', 1, undefined, '1 second'],
  ['dtdurations', 172800, undefined, '2 days'],
  ['dtdurationms', 90061001, 3, '1 day, 1 hour, 1 minute, 1 second'],
  ['clockms', 3723004, undefined, '01h:02m:03s:004ms'],
  ['clockms', 3723004, 1, '01h:02m'],
  ['clockms', 65000, 1, '01m:05s'],
  ['clockms', 999, undefined, '999ms'],
  ['clocks', 5, 0, '05s'],
  ['hertz', 2e6, undefined, '2 MHz'],
  ['hertz', 50, undefined, '50 Hz'],
  ['reqps', 1500, undefined, '1.50K req/s'],
  ['reqps', 12, undefined, '12 req/s'],
  ['rps', 3, undefined, '3 rd/s'],
  ['wps', 3, undefined, '3 wr/s'],
  ['iops', 2500, undefined, '2.50K io/s'],
  ['ops', 2e6, undefined, '2M ops/s'],
  ['opm', 7, undefined, '7 ops/m'],
  ['rpm', 7, undefined, '7 rd/m'],
  ['celsius', 21.5, undefined, '21.5 °C'],
  ['fahrenheit', 70, undefined, '70 °F'],
  ['volt', 0.5, undefined, '500 mV'],
  ['volt', 230, undefined, '230 V'],
  ['watt', 1500, undefined, '1.50 kW'],
  ['kwatt', 1500, undefined, '1.50 MW'],
  ['amp', 0.002, undefined, '2 mA'],
  ['bool', 1, undefined, 'True'],
  ['bool', 0, undefined, 'False'],
  ['bool_yes_no', 1, undefined, 'Yes'],
  ['bool_on_off', 0, undefined, 'Off'],
  ['currencyUSD', 1500, undefined, '$1.50K'],
  ['currencyUSD', 12.5, 2, '$12.50'],
  ['currencyUSD', -1500, undefined, '-$1.50K'],
  ['currencyEUR', 3, undefined, '€3'],
  ['currencyGBP', 2e6, undefined, '£2M'],
  ['string', 42, undefined, '42'],
  ['sci', 1500, 2, '1.50e+3'],
  ['sci', 0.00012, undefined, '1.2e-4'],
  ['hex', 255, undefined, 'FF'],
  ['hex0x', -255, undefined, '-0xFF'],
  ['suffix:req', 5, undefined, '5 req'],
  ['prefix:€', 5, undefined, '€5'],
  ['si:kB', 1500, undefined, '1.50 MB'],
  ['si:W', 0.002, undefined, '2 mW'],
  ['si:μA', 1500, undefined, '1.50 mA'],
  ['si:m', 1000, undefined, '1 '],
  ['bool:Up/Down', 1, undefined, 'Up'],
  ['bool:Up/Down', 0, undefined, 'Down'],
  ['bool:Up', 0, undefined, '-'],
  ['bytes', 1048576, undefined, '1 MiB'],
  ['decbytes', 1e6, undefined, '1 MB'],
  ['count:things', 1500, undefined, '1.50K things'],
  ['currency:CHF', 1500, undefined, 'CHF1.50K'],
  ['Requests/sec', 5, undefined, '5 Requests/sec'],
  ['', 7, undefined, '7'],
  ['dtdurations', -3700, undefined, '1 hour ago'],
  ['dthms', 3723, undefined, '01:02:03'],
  ['dthms', 360000, undefined, '100:00:00'],
  ['dtdhms', 90061, undefined, '1 d 01:01:01'],
  ['timeticks', 150, undefined, '1.50 s'],
  ['us', 5, undefined, '5 us'],
  ['ohm', 1500, undefined, '1.50 kΩ'],
  ['lengthkm', 1500, undefined, '1.50 Mm'],
  ['m', 1051896, undefined, '2 year'],
  // Cases from Grafana's own valueFormats tests.
  ['currencyUSD', 1532.82, 2, '$1.53K'],
  ['ms', 0.0024, 4, '0.0024 ms'],
  ['ms', 100, 0, '100 ms'],
  ['ms', 1250, 2, '1.25 s'],
  ['ms', 10000086.123, 1, '2.8 hour'],
  ['ms', 1200, 0, '1 s'],
  ['kbytes', 10000000, 3, '9.537 GiB'],
  ['deckbytes', 10000000, 3, '10.000 GB'],
  ['none', 186.123, -2, '186'],
];

describe('formatValueString', () => {
  it.each(cases)('%s %d (decimals %s) → %s', (unit, value, decimals, expected) => {
    expect(formatValueString(value, unit, decimals)).toBe(expected);
  });

  it('handles null, NaN and infinities', () => {
    expect(formatValueString(null, 'bytes')).toBe('');
    expect(formatValueString(undefined, 's')).toBe('');
    expect(formatValueString(NaN, 'bytes')).toBe('NaN');
    expect(formatValueString(Infinity, 'short')).toBe('∞');
    expect(formatValueString(-Infinity, 'ms')).toBe('-∞');
  });

  it('keeps prefix and suffix apart for styling', () => {
    expect(formatValue(1536, 'bytes')).toEqual({ text: '1.50', suffix: ' KiB' });
    expect(formatValue(1500, 'currencyUSD')).toEqual({ text: '1.50', prefix: '$', suffix: 'K' });
  });

  it('formats dates in UTC and relative to now', () => {
    expect(formatValueString(0, 'dateTimeAsIso', undefined, { timeZone: 'utc' })).toBe('1970-01-01 00:00:00');
    expect(formatValueString(Date.UTC(2026, 11, 7, 21, 4, 5), 'dateTimeAsIso', undefined, { timeZone: 'utc' })).toBe('2026-12-07 21:04:05');
    const now = Date.UTC(2026, 0, 1);
    expect(formatValueString(now - 5 * 60000, 'dateTimeFromNow', undefined, { now })).toBe('5 minutes ago');
    expect(formatValueString(now - 3 * 3600000, 'dateTimeFromNow', undefined, { now })).toBe('3 hours ago');
    expect(formatValueString(now + 2 * 86400000, 'dateTimeFromNow', undefined, { now })).toBe('in 2 days');
    expect(formatValueString(now - 10000, 'dateTimeFromNow', undefined, { now })).toBe('a few seconds ago');
    const noon = Date.UTC(2026, 11, 7, 12, 0, 0);
    expect(formatValueString(noon - 3600000, 'dateTimeAsIsoNoDateIfToday', undefined, { now: noon, timeZone: 'utc' })).toBe('11:00:00');
    expect(formatValueString(noon - 86400000, 'dateTimeAsIsoNoDateIfToday', undefined, { now: noon, timeZone: 'utc' })).toBe('2026-12-06 12:00:00');
  });

  it('formats time:<format> units with moment tokens', () => {
    const t = Date.UTC(2026, 11, 7, 21, 4, 5, 67);
    expect(formatValueString(t, 'time:YYYY-MM-DD HH:mm:ss', undefined, { timeZone: 'utc' })).toBe('2026-12-07 21:04:05');
    expect(formatValueString(t, 'time:DD/MM/YY h:mm A [at] SSS', undefined, { timeZone: 'utc' })).toBe('07/12/26 9:04 PM at 067');
    expect(formatValueString(t, 'time: HH:mm', undefined, { timeZone: 'utc' })).toBe('21:04');
  });

  it('formats with the locale', () => {
    expect(formatValueString(1234567, 'locale')).toMatch(/^1\D?234\D?567$/);
  });
});

describe('toFixed and auto decimals', () => {
  it('uses two significant figures, a third when above 2.25', () => {
    expect(autoDecimals(1.5)).toBe(2);
    expect(autoDecimals(15.5)).toBe(1);
    expect(autoDecimals(150.5)).toBe(0);
    expect(autoDecimals(0.0123)).toBe(4);
    expect(autoDecimals(7)).toBe(0);
  });
  it('pads to the asked decimals and rounds', () => {
    expect(toFixed(1, 3)).toBe('1.000');
    expect(toFixed(1.23456, 2)).toBe('1.23');
    expect(toFixed(1.005, 0)).toBe('1');
    expect(toFixed(0, 2)).toBe('0.00');
    expect(toFixed(-2.5, 1)).toBe('-2.5');
    expect(toFixed(100)).toBe('100');
    expect(toFixed(100.4)).toBe('100');
    expect(toFixed(100.5)).toBe('101');
    expect(toFixed(100, 1)).toBe('100.0');
    expect(toFixed(100.37, 1)).toBe('100.4');
    expect(toFixed(100.4, 2)).toBe('100.40');
    expect(toFixed(-1.5)).toBe('-1.50');
  });
});
