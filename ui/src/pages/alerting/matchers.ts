// Alertmanager matchers on the client: parsing `name="value"` / `{a=~"b", c!="d"}` (the
// `filter=` syntax), printing them back, and matching label sets with Alertmanager's
// semantics, so the silence editor can preview which alerts a silence would catch.
import type { Labels } from '../../lib/api';
import type { Matcher } from './types';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export const OPS: MatchOp[] = ['=', '!=', '=~', '!~'];

export function opOf(m: Matcher): MatchOp {
  if (m.isRegex) return m.isEqual ? '=~' : '!~';
  return m.isEqual ? '=' : '!=';
}

export function matcherOf(name: string, op: MatchOp, value: string): Matcher {
  return { name, value, isRegex: op === '=~' || op === '!~', isEqual: op === '=' || op === '=~' };
}

/** `name="value"` with the value quoted and escaped the way Alertmanager prints it. */
export function formatMatcher(m: Matcher): string {
  return `${m.name}${opOf(m)}${JSON.stringify(m.value)}`;
}

export function formatMatchers(ms: Matcher[]): string {
  return `{${ms.map(formatMatcher).join(', ')}}`;
}

const ONE = /^\s*([a-zA-Z_:][a-zA-Z0-9_:.]*|"(?:[^"\\]|\\.)*")\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^,}"]*?)\s*(?:,|$)/;

/**
 * Parses a list of matchers: `{a="b", c=~"d"}`, `a="b", c=~"d"` or one matcher. Values may be
 * unquoted when they contain no comma or brace (as amtool allows). Throws with the position
 * of the first thing it cannot read.
 */
export function parseMatchers(text: string): Matcher[] {
  let rest = text.trim();
  if (rest.startsWith('{')) {
    if (!rest.endsWith('}')) throw new Error(`missing closing "}" in ${JSON.stringify(text)}`);
    rest = rest.slice(1, -1);
  }
  const out: Matcher[] = [];
  while (rest.trim()) {
    const m = ONE.exec(rest);
    if (!m) throw new Error(`cannot read a matcher at ${JSON.stringify(rest.trim())} (expected name="value", name!="value", name=~"regex" or name!~"regex")`);
    const name = m[1].startsWith('"') ? (JSON.parse(m[1]) as string) : m[1];
    const value = m[3].startsWith('"') ? unquote(m[3]) : m[3];
    const matcher = matcherOf(name, m[2] as MatchOp, value);
    if (matcher.isRegex) compile(matcher.value);
    out.push(matcher);
    rest = rest.slice(m[0].length);
  }
  return out;
}

function unquote(q: string): string {
  try {
    return JSON.parse(q) as string;
  } catch {
    return q.slice(1, -1).replace(/\\(.)/g, '$1');
  }
}

const cache = new Map<string, RegExp>();

/** Alertmanager regexes are anchored at both ends (`^(?:re)$`), like Prometheus's. */
export function compile(re: string): RegExp {
  let r = cache.get(re);
  if (!r) {
    try {
      r = new RegExp(`^(?:${re})$`, 's');
    } catch (e) {
      throw new Error(`invalid regular expression ${JSON.stringify(re)}: ${(e as Error).message}`);
    }
    cache.set(re, r);
  }
  return r;
}

/** One matcher against a label set; a missing label counts as the empty string. */
export function matchesOne(m: Matcher, labels: Labels): boolean {
  const v = labels[m.name] ?? '';
  const hit = m.isRegex ? compile(m.value).test(v) : v === m.value;
  return m.isEqual ? hit : !hit;
}

/** All matchers must hold, as for a silence; an empty list matches nothing (a silence needs one). */
export function matchesAll(ms: Matcher[], labels: Labels): boolean {
  return ms.length > 0 && ms.every((m) => matchesOne(m, labels));
}

/** Why a set of matchers cannot be saved as a silence, or null when it can. */
export function silenceMatchersProblem(ms: Matcher[]): string | null {
  if (!ms.length) return 'add at least one matcher';
  for (const m of ms) {
    if (!m.name.trim()) return 'every matcher needs a label name';
    if (m.isRegex) {
      try {
        compile(m.value);
      } catch (e) {
        return (e as Error).message;
      }
    }
  }
  // Alertmanager refuses silences whose matchers all match the empty string: they would
  // silence every alert.
  if (ms.every((m) => matchesOne(m, {}))) return 'at least one matcher must not match the empty string (this silence would match every alert)';
  return null;
}

/** Matchers that reproduce a label set exactly (the Silence button of an alert). */
export function equalityMatchers(labels: Labels): Matcher[] {
  return Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => matcherOf(name, '=', value));
}
