// The pie chart panel: one slice per series (reduced), as a pie or a donut, with a legend that
// can show values and percentages.
import { formatValueString, resolveColor, seriesColor } from '../bridge';
import { arcPath } from './gauge';
import { reduceSeries } from './reduce';
import type { PanelViewProps } from './types';

export function PieChartPanel(p: PanelViewProps) {
  const o = p.panel.options as { pieType?: string; legend?: { displayMode?: string; showLegend?: boolean; values?: string[] } };
  const slices = reduceSeries(p)
    .filter((r) => r.value !== null && r.value > 0)
    .map((r, i) => ({ ...r, value: r.value as number, color: r.fc.color?.mode === 'fixed' && r.fc.color.fixedColor ? resolveColor(r.fc.color.fixedColor) : seriesColor(i) }));
  const total = slices.reduce((a, s) => a + s.value, 0);
  const showLegend = o.legend?.showLegend !== false && o.legend?.displayMode !== 'hidden';
  const legendValues = o.legend?.values ?? [];
  const legendW = showLegend ? Math.min(260, p.width * 0.4) : 0;
  const size = Math.max(20, Math.min(p.width - legendW, p.height) - 8);
  const r = size / 2;
  const donut = o.pieType === 'donut';
  let angle = -90;
  return (
    <div class="piechart">
      <svg width={size} height={size} viewBox={`0 0 ${size} ${size}`}>
        {slices.length === 1 ? (
          <circle cx={r} cy={r} r={donut ? r * 0.8 : r} fill={donut ? 'none' : slices[0].color} stroke={donut ? slices[0].color : 'none'} stroke-width={donut ? r * 0.4 : 0}>
            <title>{slices[0].name}</title>
          </circle>
        ) : (
          slices.map((s) => {
            const sweep = (s.value / total) * 360;
            const a = angle;
            angle += sweep;
            if (donut) return <path d={arcPath(r, r, r * 0.8, a, a + sweep)} stroke={s.color} stroke-width={r * 0.4} fill="none"><title>{s.name}</title></path>;
            const [x1, y1] = [r + r * Math.cos((a * Math.PI) / 180), r + r * Math.sin((a * Math.PI) / 180)];
            const [x2, y2] = [r + r * Math.cos(((a + sweep) * Math.PI) / 180), r + r * Math.sin(((a + sweep) * Math.PI) / 180)];
            return (
              <path d={`M${r},${r} L${x1},${y1} A${r},${r} 0 ${sweep > 180 ? 1 : 0} 1 ${x2},${y2} Z`} fill={s.color} stroke="#fff" stroke-width={1}>
                <title>{s.name}</title>
              </path>
            );
          })
        )}
      </svg>
      {showLegend && (
        <div class="pie-legend" style={{ width: `${legendW}px` }}>
          {slices.map((s) => (
            <div class="legend-item">
              <span class="legend-swatch" style={{ background: s.color, height: '10px' }} />
              <span class="grow">{s.name}</span>
              {legendValues.includes('value') && <span>{formatValueString(s.value, s.fc.unit, s.fc.decimals)}</span>}
              {legendValues.includes('percent') && <span class="muted">{((s.value / total) * 100).toFixed(1)}%</span>}
            </div>
          ))}
        </div>
      )}
    </div>
  );
}
