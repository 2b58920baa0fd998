// The gauge panel: an SVG arc from min to max filled to the value in its threshold colour,
// with the threshold bands drawn as a thin outer ring.
import { resolveColor, type Thresholds } from '../bridge';
import { displayValue } from '../fieldconfig';
import { reduceSeries, type ReducedValue } from './reduce';
import { boxGrid } from './stat';
import type { PanelViewProps } from './types';

const START = -225;
const SWEEP = 270;

function polar(cx: number, cy: number, r: number, deg: number): [number, number] {
  const a = (deg * Math.PI) / 180;
  return [cx + r * Math.cos(a), cy + r * Math.sin(a)];
}

/** SVG path of an arc from angle a to b (degrees, clockwise). */
export function arcPath(cx: number, cy: number, r: number, a: number, b: number): string {
  const [x1, y1] = polar(cx, cy, r, a);
  const [x2, y2] = polar(cx, cy, r, b);
  return `M${x1.toFixed(2)},${y1.toFixed(2)} A${r},${r} 0 ${b - a > 180 ? 1 : 0} 1 ${x2.toFixed(2)},${y2.toFixed(2)}`;
}

function bands(t: Thresholds | undefined, min: number, max: number): { from: number; to: number; color: string }[] {
  if (!t?.steps?.length) return [];
  const steps = [...t.steps].sort((a, b) => (a.value ?? -Infinity) - (b.value ?? -Infinity));
  const abs = (v: number) => (t.mode === 'percentage' ? min + ((max - min) * v) / 100 : v);
  return steps.map((s, i) => ({
    from: s.value === null || s.value === undefined ? min : Math.max(min, abs(s.value)),
    to: i + 1 < steps.length ? Math.min(max, abs(steps[i + 1].value as number)) : max,
    color: resolveColor(s.color),
  }));
}

function Gauge({ r, w, h, showName, markers }: { r: ReducedValue; w: number; h: number; showName: boolean; markers: boolean }) {
  const min = r.fc.min ?? 0;
  const max = r.fc.max ?? 100;
  const { text, color } = displayValue(r.value, r.fc, '#73BF69');
  const nameH = showName ? 18 : 0;
  const size = Math.max(20, Math.min(w, (h - nameH) * 1.15));
  const radius = size / 2 - 8;
  const cx = w / 2;
  const cy = nameH + radius + 8;
  const frac = r.value === null ? 0 : Math.max(0, Math.min(1, (r.value - min) / (max - min || 1)));
  const angle = (v: number) => START + ((v - min) / (max - min || 1)) * SWEEP;
  const thick = Math.max(4, radius * 0.2);
  return (
    <svg class="gauge" width={w} height={h} viewBox={`0 0 ${w} ${h}`}>
      {showName && (
        <text x={w / 2} y={13} text-anchor="middle" class="gauge-name">
          {r.name}
        </text>
      )}
      {markers &&
        bands(r.fc.thresholds, min, max).map((b) => b.to > b.from && <path d={arcPath(cx, cy, radius, angle(b.from), angle(b.to))} stroke={b.color} stroke-width={3} fill="none" />)}
      <path d={arcPath(cx, cy, radius - thick / 2 - 4, START, START + SWEEP)} stroke="#e6e9ed" stroke-width={thick} fill="none" />
      {frac > 0 && <path d={arcPath(cx, cy, radius - thick / 2 - 4, START, START + SWEEP * Math.max(frac, 0.002))} stroke={color} stroke-width={thick} fill="none" />}
      <text x={cx} y={cy + radius * 0.12} text-anchor="middle" dominant-baseline="middle" fill={color} style={{ fontSize: `${Math.max(10, Math.min(radius * 0.45, (radius * 2.6) / Math.max(3, text.length)))}px`, fontWeight: 500 }}>
        {text}
      </text>
    </svg>
  );
}

export function GaugePanel(p: PanelViewProps) {
  const reduced = reduceSeries(p);
  const { cols, rows } = boxGrid(reduced.length, p.width, p.height, p.panel.options.orientation as string | undefined);
  const markers = p.panel.options.showThresholdMarkers !== false;
  return (
    <div class="stat-grid" style={{ gridTemplateColumns: `repeat(${cols}, 1fr)` }}>
      {reduced.map((r) => (
        <Gauge r={r} w={Math.floor(p.width / cols) - 4} h={Math.floor(p.height / rows) - 4} showName={reduced.length > 1} markers={markers} />
      ))}
    </div>
  );
}
