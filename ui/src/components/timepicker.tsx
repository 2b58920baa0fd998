// The one time-range picker: quick relative ranges, absolute from/to, zoom out, shift back and
// forward. Pages keep the range in their URL, so browser back/forward walk through ranges.
import { useState } from 'preact/hooks';
import { QUICK_RANGES, describeRange, resolveRange, formatTimestamp, type TimeRange } from '../lib/time';

export interface TimePickerProps {
  value: TimeRange;
  onChange: (r: TimeRange) => void;
  utc?: boolean;
}

/** Moves or widens a range; the result is absolute (epoch ms) like Grafana's. */
export function shiftRange(r: TimeRange, factor: number, mode: 'zoom' | 'shift'): TimeRange | null {
  const res = resolveRange(r);
  if (!res) return null;
  const span = (res.end - res.start) * 1000;
  const start = res.start * 1000;
  const end = res.end * 1000;
  if (mode === 'zoom') {
    const mid = (start + end) / 2;
    const half = (span * factor) / 2;
    const newEnd = Math.min(mid + half, Date.now());
    return { from: String(Math.round(mid - half)), to: String(Math.round(newEnd)) };
  }
  return { from: String(Math.round(start + span * factor)), to: String(Math.round(end + span * factor)) };
}

export function TimePicker({ value, onChange, utc }: TimePickerProps) {
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState(value.from);
  const [to, setTo] = useState(value.to);
  const [err, setErr] = useState('');
  const apply = () => {
    const toInput = (s: string) => {
      // Absolute inputs are written as dates; keep relative expressions as they are.
      if (s.startsWith('now') || /^\d+$/.test(s)) return s;
      const ms = Date.parse(utc ? s.replace(' ', 'T') + 'Z' : s.replace(' ', 'T'));
      return Number.isNaN(ms) ? null : String(ms);
    };
    const f = toInput(from.trim());
    const t = toInput(to.trim());
    if (f === null || t === null || !resolveRange({ from: f, to: t })) {
      setErr('Enter a valid range: "now-6h" … "now", or dates like 2026-12-07 10:00:00, with from before to');
      return;
    }
    setErr('');
    setOpen(false);
    onChange({ from: f, to: t });
  };
  const show = (e: string) => (/^\d+$/.test(e) ? formatTimestamp(parseInt(e, 10), utc) : e);
  return (
    <div class="timepicker row">
      <button title="Shift back" onClick={() => { const r = shiftRange(value, -0.5, 'shift'); if (r) onChange(r); }}>‹</button>
      <button class="timepicker-button" onClick={() => { setFrom(show(value.from)); setTo(show(value.to)); setOpen(!open); }}>
        {describeRange(value, utc)}
      </button>
      <button title="Shift forward" onClick={() => { const r = shiftRange(value, 0.5, 'shift'); if (r) onChange(r); }}>›</button>
      <button title="Zoom out (×2)" onClick={() => { const r = shiftRange(value, 2, 'zoom'); if (r) onChange(r); }}>⊖</button>
      {open && (
        <div class="timepicker-popup card">
          <div class="timepicker-abs">
            <label>From <input value={from} onInput={(e) => setFrom((e.target as HTMLInputElement).value)} /></label>
            <label>To <input value={to} onInput={(e) => setTo((e.target as HTMLInputElement).value)} /></label>
            {err && <div class="error">{err}</div>}
            <button class="primary" onClick={apply}>Apply time range</button>
          </div>
          <div class="timepicker-quick">
            {QUICK_RANGES.map((q) => (
              <a href="#" onClick={(e) => { e.preventDefault(); setOpen(false); onChange({ from: q.from, to: 'now' }); }}>{q.label}</a>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}
