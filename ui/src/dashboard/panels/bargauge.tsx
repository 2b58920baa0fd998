// The bar gauge panel: one bar per series between min and max, horizontal or vertical, in the
// basic (threshold colour), gradient (the threshold colours blended) or lcd (cells) style.
import { activeThreshold, resolveColor } from '../bridge';
import { displayValue } from '../fieldconfig';
import { reduceSeries } from './reduce';
import type { PanelViewProps } from './types';

export function BarGaugePanel(p: PanelViewProps) {
  const o = p.panel.options as { displayMode?: string; orientation?: string; showUnfilled?: boolean };
  const reduced = reduceSeries(p);
  const mode = o.displayMode ?? 'gradient';
  const vertical = o.orientation === 'vertical';
  // Bars share one scale: explicit min/max, else 0 to the largest value.
  const values = reduced.map((r) => r.value ?? 0);
  return (
    <div class={`bargauge ${vertical ? 'vertical' : 'horizontal'}`}>
      {reduced.map((r) => {
        const min = r.fc.min ?? Math.min(0, ...values);
        const max = r.fc.max ?? Math.max(...values, min + 1);
        const frac = r.value === null ? 0 : Math.max(0, Math.min(1, (r.value - min) / (max - min || 1)));
        const { text, color } = displayValue(r.value, r.fc, '#5794F2');
        const steps = [...(r.fc.thresholds?.steps ?? [])].map((s) => resolveColor(s.color));
        const fill =
          mode === 'gradient' && steps.length > 1
            ? `linear-gradient(${vertical ? 'to top' : 'to right'}, ${steps.join(', ')})`
            : color;
        const cells = 20;
        return (
          <div class="bargauge-item">
            <div class="bargauge-name" title={r.name}>
              {r.name}
            </div>
            <div class="bargauge-track">
              {mode === 'lcd' ? (
                <div class="bargauge-lcd">
                  {Array.from({ length: cells }, (_, i) => {
                    const at = min + ((i + 0.5) / cells) * (max - min);
                    const lit = (i + 0.5) / cells <= frac;
                    const c = resolveColor(activeThreshold(at, r.fc.thresholds, min, max)?.color ?? color);
                    return <span style={{ background: c, opacity: lit ? 1 : 0.15 }} />;
                  })}
                </div>
              ) : (
                <div class="bargauge-bar" style={{ [vertical ? 'height' : 'width']: `${(frac * 100).toFixed(2)}%`, background: fill, backgroundSize: vertical ? `100% ${100 / Math.max(frac, 0.01)}%` : `${100 / Math.max(frac, 0.01)}% 100%` }} />
              )}
            </div>
            <div class="bargauge-value" style={{ color }}>
              {text}
            </div>
          </div>
        );
      })}
    </div>
  );
}
