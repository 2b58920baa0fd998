import { describe, expect, it } from 'vitest';
import { alignRange, builtinVariables, calculateInterval, computeQueryInterval, parseIntervalMs, secondsToHms } from '../src/dashboard/model';
import { roundInterval } from '../src/lib/time';

const H = 3600000;

describe('computeQueryInterval', () => {
  // Each case worked by hand from Grafana's rules: interval = roundInterval(range / points),
  // at least the min interval (default the 15 s scrape); step = max(interval × factor, min
  // step, ceil(range s / 11000)); rate = max(step + scrape, 4 × scrape).
  it('1 h over 1000 px: the scrape interval wins, rate is 4 × scrape', () => {
    expect(computeQueryInterval({ rangeMs: H, widthPx: 1000 })).toEqual({ intervalMs: 15000, interval: '15s', stepSeconds: 15, rateIntervalMs: 60000, rateInterval: '60s' });
  });
  it('24 h over 1000 px: 86.4 s rounds to 1 m; rate is 1 m + 15 s', () => {
    expect(computeQueryInterval({ rangeMs: 24 * H, widthPx: 1000 })).toMatchObject({ interval: '1m', stepSeconds: 60, rateInterval: '75s', rateIntervalMs: 75000 });
  });
  it('7 d over 500 px: 1209.6 s rounds to 20 m', () => {
    expect(computeQueryInterval({ rangeMs: 168 * H, widthPx: 500 })).toMatchObject({ interval: '20m', intervalMs: 1200000, stepSeconds: 1200, rateInterval: '1215s' });
  });
  it('a 30 s scrape interval raises both interval and rate interval', () => {
    expect(computeQueryInterval({ rangeMs: H, widthPx: 1000, scrapeIntervalMs: 30000 })).toMatchObject({ interval: '30s', stepSeconds: 30, rateInterval: '120s' });
  });
  it('a 1 m scrape over 24 h', () => {
    expect(computeQueryInterval({ rangeMs: 24 * H, widthPx: 1000, scrapeIntervalMs: 60000 })).toMatchObject({ interval: '1m', stepSeconds: 60, rateInterval: '240s' });
  });
  it('maxDataPoints wins over the width', () => {
    // 6 h / 100 = 216 s → 5 m.
    expect(computeQueryInterval({ rangeMs: 6 * H, widthPx: 2000, maxDataPoints: 100 })).toMatchObject({ interval: '5m', stepSeconds: 300, rateInterval: '315s' });
  });
  it('a query min step is both the step floor and the scrape used for the rate', () => {
    expect(computeQueryInterval({ rangeMs: H, widthPx: 1000, targetInterval: '2m' })).toMatchObject({ interval: '120s', stepSeconds: 120, rateInterval: '480s' });
  });
  it('the panel min interval (with ">") floors $__interval', () => {
    expect(computeQueryInterval({ rangeMs: H, widthPx: 1000, panelInterval: '>1m' })).toMatchObject({ interval: '1m', stepSeconds: 60, rateInterval: '75s' });
  });
  it('intervalFactor multiplies the step', () => {
    expect(computeQueryInterval({ rangeMs: 24 * H, widthPx: 1000, intervalFactor: 2 })).toMatchObject({ interval: '120s', stepSeconds: 120, rateInterval: '135s' });
  });
  it('never asks for more than 11,000 points', () => {
    // 1 d / 100000 px = 0.864 s → 1 s; 86400 s / 11000 → 8 s.
    const r = computeQueryInterval({ rangeMs: 24 * H, widthPx: 100000, panelInterval: '1s', scrapeIntervalMs: 1000 });
    expect(r.stepSeconds).toBe(8);
    expect(86400 / r.stepSeconds).toBeLessThanOrEqual(11000);
    expect(r.rateInterval).toBe('9s');
  });
});

describe('interval helpers', () => {
  it('secondsToHms keeps only the largest unit', () => {
    expect(secondsToHms(90)).toBe('1m');
    expect(secondsToHms(15)).toBe('15s');
    expect(secondsToHms(0.5)).toBe('500ms');
    expect(secondsToHms(7200)).toBe('2h');
    expect(secondsToHms(86400 * 2)).toBe('2d');
  });
  it('calculateInterval rounds and floors', () => {
    expect(calculateInterval(H, 1000)).toEqual({ intervalMs: 5000, interval: '5s' });
    expect(calculateInterval(H, 1000, 10000)).toEqual({ intervalMs: 10000, interval: '10s' });
  });
  it('parses interval texts', () => {
    expect(parseIntervalMs('>10s')).toBe(10000);
    expect(parseIntervalMs('1m30s')).toBe(90000);
    expect(parseIntervalMs('')).toBeNull();
    expect(parseIntervalMs('$__rate_interval')).toBeNull();
  });
  it('lib/time roundInterval follows Grafana’s table at its edges', () => {
    expect(roundInterval(9)).toBe(1);
    expect(roundInterval(3600)).toBe(5000);
    expect(roundInterval(86400)).toBe(60000);
    expect(roundInterval(90000)).toBe(120000);
    expect(roundInterval(86400000)).toBe(86400000);
    expect(roundInterval(4e9)).toBe(31536000000);
  });
  it('aligns start and end to the step', () => {
    expect(alignRange(1000, 4599, 60)).toEqual({ start: 960, end: 4560 });
    // With a +1 h offset the grid is shifted by the offset.
    expect(alignRange(1000, 4599, 7200, 3600)).toEqual({ start: -3600, end: 3600 });
    expect(alignRange(5, 10, 0)).toEqual({ start: 5, end: 10 });
  });
  it('builds the built-in variables', () => {
    const r = computeQueryInterval({ rangeMs: H, widthPx: 1000 });
    expect(builtinVariables(r, 1000, 1000 + H)).toEqual({
      __interval: '15s',
      __interval_ms: '15000',
      __rate_interval: '60s',
      __rate_interval_ms: '60000',
      __range: '3600s',
      __range_s: '3600',
      __range_ms: '3600000',
      __from: '1000',
      __to: '3601000',
    });
  });
});
