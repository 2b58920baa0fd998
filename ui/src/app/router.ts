// The one client-side router: History API navigation, `:param` path patterns, and the query
// string as page state (so every view is a link).
import { useEffect, useState } from 'preact/hooks';

type Listener = () => void;
const listeners = new Set<Listener>();

/** Goes to `url` (path and query) without reloading; `replace` keeps the history entry. */
export function navigate(url: string, replace = false): void {
  if (url === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  listeners.forEach((l) => l());
}

window.addEventListener('popstate', () => listeners.forEach((l) => l()));

/** Same-origin `<a href="/…">` clicks navigate in place unless a modifier key asks for a new tab. */
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element | null)?.closest?.('a');
  if (!a || a.target || a.hasAttribute('download')) return;
  const href = a.getAttribute('href');
  if (!href || !href.startsWith('/') || href.startsWith('//') || href.startsWith('/api/')) return;
  e.preventDefault();
  navigate(href);
});

/** The current path and query; re-renders the caller on navigation. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

/** Replaces the query string (keeping the path): pages keep their state there. */
export function setQuery(params: URLSearchParams, push = false): void {
  const qs = params.toString();
  navigate(location.pathname + (qs ? `?${qs}` : ''), !push);
}

/** Matches `/d/:uid/:slug?` against a path; returns the parameters or null. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const ps = pattern.split('/').filter(Boolean);
  const xs = path.split('/').filter(Boolean);
  const params: Record<string, string> = {};
  for (let i = 0; i < Math.max(ps.length, xs.length); i++) {
    const p = ps[i];
    const x = xs[i];
    if (p === undefined) return null;
    if (p === '*') {
      params['*'] = xs.slice(i).map(decodeURIComponent).join('/');
      return params;
    }
    const optional = p.endsWith('?');
    if (p.startsWith(':')) {
      const name = p.slice(1, optional ? -1 : undefined);
      if (x === undefined) {
        if (optional) continue;
        return null;
      }
      params[name] = decodeURIComponent(x);
    } else if (p !== x) {
      return null;
    }
  }
  return params;
}
