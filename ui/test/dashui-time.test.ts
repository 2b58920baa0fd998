// The dashboard time controls' arithmetic: zoom out ×2 and shift by half the span.
import { describe, expect, test } from 'vitest';
import { zoomRange } from '../src/dashboard/timepicker';

describe('zoomRange', () => {
  const now = Date.UTC(2026, 11, 7, 12, 0, 0);
  test('zoom out doubles the span around its middle', () => {
    const r = zoomRange({ from: 'now-1h', to: 'now' }, 2, 0, now)!;
    expect(Number(r.to) - Number(r.from)).toBe(2 * 3600_000);
    expect((Number(r.to) + Number(r.from)) / 2).toBe(now - 1800_000);
  });
  test('shifting moves by half the span, back or forward', () => {
    const back = zoomRange({ from: 'now-1h', to: 'now' }, 1, -1, now)!;
    expect([Number(back.from), Number(back.to)]).toEqual([now - 5400_000, now - 1800_000]);
    const fwd = zoomRange({ from: String(now - 3600_000), to: String(now) }, 1, 1, now)!;
    expect([Number(fwd.from), Number(fwd.to)]).toEqual([now - 1800_000, now + 1800_000]);
  });
  test('an unreadable range gives nothing', () => {
    expect(zoomRange({ from: 'yesterday-ish', to: 'now' }, 2, 0, now)).toBeNull();
  });
});
