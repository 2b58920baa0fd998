// Alertmanager matcher semantics on the client: the silence editor's preview depends on them.
import { describe, expect, it } from 'vitest';
import { formatMatchers, matchesAll, parseMatchers, silenceMatchersProblem } from '../src/pages/alerting/matchers';

describe('parseMatchers', () => {
  it('reads braces, bare lists, every operator and escapes', () => {
    const ms = parseMatchers('{alertname="Disk full", job=~"node|vigil", env!="dev", msg!~"a\\"b.*"}');
    expect(ms).toEqual([
      { name: 'alertname', value: 'Disk full', isRegex: false, isEqual: true },
      { name: 'job', value: 'node|vigil', isRegex: true, isEqual: true },
      { name: 'env', value: 'dev', isRegex: false, isEqual: false },
      { name: 'msg', value: 'a"b.*', isRegex: true, isEqual: false },
    ]);
    expect(parseMatchers('severity=page')).toEqual([{ name: 'severity', value: 'page', isRegex: false, isEqual: true }]);
    expect(parseMatchers('')).toEqual([]);
    expect(formatMatchers(parseMatchers('a="x", b=~"y"'))).toBe('{a="x", b=~"y"}');
  });
  it('refuses what it cannot read', () => {
    expect(() => parseMatchers('{a="b"')).toThrow(/closing/);
    expect(() => parseMatchers('a~"b"')).toThrow(/cannot read/);
    expect(() => parseMatchers('a=~"("')).toThrow(/invalid regular expression/);
  });
});

describe('matchesAll', () => {
  it('anchors regexes and treats missing labels as empty', () => {
    const labels = { alertname: 'HighLatency', job: 'api' };
    expect(matchesAll(parseMatchers('job=~"ap"'), labels)).toBe(false);
    expect(matchesAll(parseMatchers('job=~"ap.*"'), labels)).toBe(true);
    expect(matchesAll(parseMatchers('alertname="HighLatency", env=""'), labels)).toBe(true);
    expect(matchesAll(parseMatchers('alertname="HighLatency", env!=""'), labels)).toBe(false);
    expect(matchesAll(parseMatchers('job!~"a.*"'), labels)).toBe(false);
    expect(matchesAll([], labels)).toBe(false);
  });
  it('refuses silences that would match everything', () => {
    expect(silenceMatchersProblem(parseMatchers('env=~".*"'))).toMatch(/empty string/);
    expect(silenceMatchersProblem(parseMatchers('env="prod"'))).toBeNull();
    expect(silenceMatchersProblem([])).toMatch(/at least one/);
  });
});

import { parseYaml } from '../src/pages/alerting/yaml';

describe('parseYaml', () => {
  it('reads the alert manager config the way the server prints it', () => {
    const text = 'receivers:\n- name: team # comment\n  webhook_configs:\n  - url: http://x/hook\nroute:\n  group_by:\n  - alertname\n  group_wait: 1s\n  receiver: team\n  routes:\n  - matchers:\n    - severity="page"\n    receiver: "other"\n    continue: true\n    group_by: [a, \'b\']\n';
    expect(parseYaml(text)).toEqual({
      receivers: [{ name: 'team', webhook_configs: [{ url: 'http://x/hook' }] }],
      route: {
        group_by: ['alertname'],
        group_wait: '1s',
        receiver: 'team',
        routes: [{ matchers: ['severity="page"'], receiver: 'other', continue: true, group_by: ['a', 'b'] }],
      },
    });
  });
});
