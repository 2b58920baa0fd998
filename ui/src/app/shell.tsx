// The one shell: top bar with the navigation built from the route table, and the page.
import { useEffect } from 'preact/hooks';
import { routes, NotFoundPage, type RouteDef } from './routes';
import { matchPath, useLocation } from './router';

const SECTIONS: RouteDef['nav'][] = ['Explore', 'Dashboards', 'Alerting', 'Status'];

function Nav({ path }: { path: string }) {
  return (
    <nav class="topnav">
      <a class="brand" href="/">
        <img src="/favicon.svg" alt="" width={20} height={20} /> Vigil
      </a>
      {SECTIONS.map((s) => {
        const items = routes.filter((r) => r.nav === s);
        if (!items.length) return null;
        const active = items.some((r) => matchPath(r.path, path));
        if (items.length === 1)
          return (
            <a class={active ? 'active' : ''} href={items[0].path}>
              {s}
            </a>
          );
        return (
          <div class={`menu ${active ? 'active' : ''}`} tabIndex={0}>
            <span>{s}</span>
            <div class="menu-items">
              {items.map((r) => (
                <a href={r.path}>{r.navLabel ?? r.title}</a>
              ))}
            </div>
          </div>
        );
      })}
    </nav>
  );
}

export function Shell() {
  const { path, query } = useLocation();
  let page: RouteDef | undefined;
  let params: Record<string, string> = {};
  for (const r of routes) {
    const m = matchPath(r.path, path);
    if (m) {
      page = r;
      params = m;
      break;
    }
  }
  useEffect(() => {
    document.title = page ? `${page.title} · Vigil` : 'Not found · Vigil';
  }, [page]);
  const Page = page?.component ?? NotFoundPage;
  return (
    <>
      <Nav path={path} />
      <main>
        <Page key={page?.path ?? 'none'} params={params} query={query} />
      </main>
    </>
  );
}
