import { describe, expect, it } from 'vitest';
import {
  allPanels,
  builtinVariables,
  computeQueryInterval,
  dependencyOrder,
  displayValue,
  interpolate,
  interpolatedVariableRequest,
  normalizeDashboard,
  prometheusFormat,
  resolveFieldConfig,
  selectCurrent,
  seriesName,
  type Variable,
} from '../src/dashboard/model';
import { fixture } from './helpers';

// The path a renderer takes, end to end, on Node Exporter Full (current).
describe('Node Exporter Full through the model', () => {
  const { dashboard } = normalizeDashboard(fixture('node-exporter-full.json'));
  const answers: Record<string, string[]> = { job: ['node'], nodename: ['web-1'], node: ['web-1:9100'] };

  // Refresh the variables in dependency order, each with the values chosen before it.
  const vars: Variable[] = dashboard.templating.list.map((v) => ({ ...v }));
  for (const name of dependencyOrder(vars).order) {
    const v = vars.find((x) => x.name === name)!;
    if (v.type !== 'query') continue;
    const req = interpolatedVariableRequest(v, { variables: vars });
    expect(req.kind).toBe('label_values');
    if (name === 'node') expect(req).toEqual({ kind: 'label_values', label: 'instance', match: 'node_uname_info{job="node", nodename="web-1"}' });
    const options = (answers[name] ?? []).map((x) => ({ text: x, value: x }));
    v.options = options;
    v.current = selectCurrent(v, options);
  }

  it('builds the CPU Busy query with the chosen instance and a rate interval', () => {
    const panel = allPanels(dashboard).find((p) => p.title === 'CPU Busy')!;
    const target = panel.targets[0];
    const from = Date.UTC(2026, 11, 7, 0, 0, 0);
    const to = from + 24 * 3600000;
    const iv = computeQueryInterval({ rangeMs: to - from, widthPx: 300, maxDataPoints: panel.maxDataPoints, panelInterval: panel.interval, targetInterval: target.interval, intervalFactor: target.intervalFactor });
    const expr = interpolate(target.expr, { variables: vars, builtins: builtinVariables(iv, from, to) }, prometheusFormat);
    expect(expr).toContain('instance="web-1:9100"');
    expect(expr).toContain('job="node"');
    expect(expr).not.toMatch(/\$\w/);
    expect(iv.rateIntervalMs).toBeGreaterThanOrEqual(60000);
  });

  it('names and formats a series of the CPU Basic panel', () => {
    const panel = allPanels(dashboard).find((p) => p.title === 'CPU Basic')!;
    const target = panel.targets.find((t) => t.legendFormat === 'Busy Iowait')!;
    const name = seriesName({ instance: 'web-1:9100' }, target.legendFormat);
    const config = resolveFieldConfig(panel.fieldConfig, { name, refId: target.refId });
    expect(config.color).toEqual({ mode: 'fixed', fixedColor: '#890F02' });
    expect(displayValue(0.0375, config).text + (displayValue(0.0375, config).suffix ?? '')).toBe('3.75%');
  });
});
