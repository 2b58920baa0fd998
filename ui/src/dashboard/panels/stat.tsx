// The stat panel (and migrated singlestat): one big value per series, coloured by thresholds
// or mappings as text or background, with an optional area sparkline.
import { resolveColor } from '../bridge';
import { displayValue } from '../fieldconfig';
import { reduceSeries, type ReducedValue } from './reduce';
import type { PanelViewProps } from './types';

const BASE_COLOR = '#5794F2';

function Sparkline({ values, color, width, height }: { values: (number | null)[]; color: string; width: number; height: number }) {
  const xs = values.map((v, i) => [i, v] as const).filter((p): p is readonly [number, number] => p[1] !== null);
  if (xs.length < 2 || width < 10 || height < 4) return null;
  const lo = Math.min(...xs.map((p) => p[1]));
  const hi = Math.max(...xs.map((p) => p[1]));
  const n = values.length - 1 || 1;
  const y = (v: number) => (hi === lo ? height / 2 : height - ((v - lo) / (hi - lo)) * (height - 2) - 1);
  const pts = xs.map(([i, v]) => `${((i / n) * width).toFixed(1)},${y(v).toFixed(1)}`);
  const area = `M${pts[0].split(',')[0]},${height} L${pts.join(' L')} L${pts[pts.length - 1].split(',')[0]},${height} Z`;
  return (
    <svg class="stat-spark" width={width} height={height} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none">
      <path d={area} fill={color} fill-opacity={0.18} stroke="none" />
      <polyline points={pts.join(' ')} fill="none" stroke={color} stroke-width={1.5} />
    </svg>
  );
}

function StatBox({ r, p, w, h, showName }: { r: ReducedValue; p: PanelViewProps; w: number; h: number; showName: boolean }) {
  const o = p.panel.options as { colorMode?: string; graphMode?: string; textMode?: string };
  const shown = displayValue(r.value, r.fc, BASE_COLOR);
  const text = r.text ?? shown.text;
  const color = r.text === undefined ? shown.color : r.fc.color?.mode === 'fixed' && r.fc.color.fixedColor ? resolveColor(r.fc.color.fixedColor) : 'inherit';
  const colorMode = o.colorMode ?? 'value';
  const textMode = o.textMode ?? 'auto';
  const withName = textMode === 'name' || textMode === 'value_and_name' || (textMode === 'auto' && showName);
  const withValue = textMode !== 'name' && textMode !== 'none';
  const nameSize = Math.max(10, Math.min(16, h * 0.14));
  const valueSize = Math.max(10, Math.min(h * (withName ? 0.4 : 0.55), (w / Math.max(2, text.length)) * 1.6, 72));
  const background = colorMode === 'background' || colorMode === 'background_solid';
  const style = background ? { background: color, color: '#fff' } : {};
  const graph = o.graphMode === 'area' && r.values.length > 1;
  return (
    <div class="stat-box" style={{ ...style, width: `${w}px`, height: `${h}px` }}>
      {graph && <Sparkline values={r.values} color={background ? '#ffffff' : color} width={w} height={Math.round(h * 0.4)} />}
      <div class="stat-text">
        {withName && (
          <div class="stat-name" style={{ fontSize: `${nameSize}px` }}>
            {r.name}
          </div>
        )}
        {withValue && (
          <div class="stat-value" style={{ fontSize: `${valueSize}px`, color: colorMode === 'value' ? color : undefined }}>
            {text}
          </div>
        )}
      </div>
    </div>
  );
}

/** Lays several boxes side by side (wide panels) or stacked (tall ones, or `orientation`). */
export function boxGrid(n: number, width: number, height: number, orientation: string | undefined): { cols: number; rows: number } {
  if (n <= 1) return { cols: 1, rows: 1 };
  const horizontal = orientation === 'horizontal' ? false : orientation === 'vertical' ? true : width >= height;
  if (horizontal) {
    const cols = Math.min(n, Math.max(1, Math.floor(width / 120)));
    return { cols, rows: Math.ceil(n / cols) };
  }
  return { cols: 1, rows: n };
}

export function StatPanel(p: PanelViewProps) {
  const reduced = reduceSeries(p);
  const { cols, rows } = boxGrid(reduced.length, p.width, p.height, p.panel.options.orientation as string | undefined);
  const w = Math.floor(p.width / cols) - 4;
  const h = Math.floor(p.height / rows) - 4;
  return (
    <div class="stat-grid" style={{ gridTemplateColumns: `repeat(${cols}, 1fr)` }}>
      {reduced.map((r) => (
        <StatBox r={r} p={p} w={w} h={h} showName={reduced.length > 1} />
      ))}
    </div>
  );
}
