// The dashboard's time controls: range picker (quick ranges, absolute from/to), zoom out,
// shift back/forward, refresh picker with auto-refresh intervals, and the time zone.
import { useRef, useState } from 'preact/hooks';
import { useDismiss } from './dismiss';
import { QUICK_RANGES, describeRange, formatTimestamp, resolveRange, resolveTime, type TimeRange } from '../lib/time';

/** Zooms out ×2 around the middle, or shifts by half the span (dir −1/+1); absolute result. */
export function zoomRange(r: TimeRange, factor: number, shift: number, now = Date.now()): TimeRange | null {
  const res = resolveRange(r, now);
  if (!res) return null;
  const span = (res.end - res.start) * 1000;
  const mid = ((res.start + res.end) / 2) * 1000 + shift * (span / 2);
  const half = (span * factor) / 2;
  return { from: String(Math.round(mid - half)), to: String(Math.round(mid + half)) };
}

export function TimePicker({ range, utc, onChange }: { range: TimeRange; utc: boolean; onChange: (r: TimeRange) => void }) {
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState(range.from);
  const [to, setTo] = useState(range.to);
  const [err, setErr] = useState('');
  const box = useRef<HTMLDivElement>(null);
  useDismiss(box, open, () => setOpen(false));
  const show = () => {
    const fmt = (e: string, up: boolean) => (/^\d+$/.test(e) ? formatTimestamp(resolveTime(e, Date.now(), up, utc) ?? 0, utc) : e);
    setFrom(fmt(range.from, false));
    setTo(fmt(range.to, true));
    setErr('');
    setOpen(!open);
  };
  const parse = (text: string, up: boolean): string | null => {
    const t = text.trim();
    if (t.startsWith('now') || /^\d+$/.test(t)) return resolveTime(t, Date.now(), up, utc) === null ? null : t;
    const m = /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d))?)?$/.exec(t);
    if (!m) return null;
    const parts = [+m[1], +m[2] - 1, +m[3], +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0)] as const;
    return String(utc ? Date.UTC(...parts) : new Date(...parts).getTime());
  };
  const apply = () => {
    const f = parse(from, false);
    const t = parse(to, true);
    if (f === null || t === null || !resolveRange({ from: f, to: t })) return setErr('Invalid range');
    setOpen(false);
    onChange({ from: f, to: t });
  };
  const move = (factor: number, shift: number) => {
    const r = zoomRange(range, factor, shift);
    if (r) onChange(r);
  };
  return (
    <div class="timepicker" ref={box}>
      <button title="Shift back" onClick={() => move(1, -1)}>
        ‹
      </button>
      <button class="time-range-btn" onClick={show}>
        {describeRange(range, utc)}
      </button>
      <button title="Shift forward" onClick={() => move(1, 1)}>
        ›
      </button>
      <button title="Zoom out (×2)" onClick={() => move(2, 0)}>
        Zoom out
      </button>
      {open && (
        <div class="timepicker-drop card">
          <div class="timepicker-abs">
            <label>
              From <input value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} name="from" />
            </label>
            <label>
              To <input value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} name="to" />
            </label>
            <button class="primary" onClick={apply}>
              Apply time range
            </button>
            {err && <div class="error">{err}</div>}
          </div>
          <div class="timepicker-quick">
            {QUICK_RANGES.map((q) => (
              <button
                class={range.from === q.from && range.to === 'now' ? 'active' : ''}
                onClick={() => {
                  setOpen(false);
                  onChange({ from: q.from, to: 'now' });
                }}
              >
                {q.label}
              </button>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}

export const REFRESH_CHOICES = ['5s', '10s', '30s', '1m', '5m', '15m', '30m', '1h', '2h', '1d'];

export function RefreshPicker({ value, extra, onChange, onRefresh }: { value: string; extra: string; onChange: (v: string) => void; onRefresh: () => void }) {
  const choices = [...new Set(['', ...(extra ? [extra] : []), ...REFRESH_CHOICES])];
  return (
    <div class="refreshpicker">
      <button onClick={onRefresh} title="Refresh now">
        ⟳ Refresh
      </button>
      <select aria-label="Auto refresh" value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {choices.map((c) => (
          <option value={c}>{c || 'Off'}</option>
        ))}
      </select>
    </div>
  );
}
