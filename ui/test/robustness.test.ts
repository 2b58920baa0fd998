import { describe, expect, it } from 'vitest';
import { allPanels, expandRepeats, normalizeDashboard } from '../src/dashboard/model';
import { fixture, insideGrid } from './helpers';

/** A small seeded generator so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ODD: unknown[] = [null, undefined, 42, -1, 'x', '', true, [], {}, [null], { a: 1 }, NaN, '300px'];

/** Replaces `count` random values anywhere in the tree with odd ones. */
function mutate(value: unknown, random: () => number, count: number): unknown {
  const copy = JSON.parse(JSON.stringify(value));
  const slots: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach((x, i) => (slots.push([v, i]), walk(x)));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) slots.push([v as Record<string, unknown>, k]), walk(x);
  };
  walk(copy);
  for (let i = 0; i < count && slots.length; i++) {
    const [parent, key] = slots[Math.floor(random() * slots.length)];
    (parent as Record<string | number, unknown>)[key] = ODD[Math.floor(random() * ODD.length)];
  }
  return copy;
}

describe('normalizeDashboard on damaged dashboards', () => {
  const sources = ['node-exporter-full.json', 'node-exporter-full-rows.json', 'seeds/cart-recovery.dashboard-overview.json', 'seeds/englog.dashboard-overview.json'];
  for (const name of sources) {
    it(`never throws and keeps the grid valid: ${name}`, () => {
      const random = rng(name.length * 7919);
      const original = fixture(name);
      for (let round = 0; round < 60; round++) {
        const damaged = mutate(original, random, 1 + Math.floor(random() * 20));
        const { dashboard } = normalizeDashboard(damaged);
        for (const p of allPanels(dashboard)) expect(insideGrid(p)).toBe(true);
        expect(() => expandRepeats(dashboard.panels, dashboard.templating.list)).not.toThrow();
      }
    });
  }
});
