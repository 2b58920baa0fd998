// Every page of the UI, in one table: the shell builds its navigation from it and the router
// matches paths against it. A new signal (traces, logs) adds its pages here.
import type { ComponentType } from 'preact';
import { HomePage } from '../pages/home';
import { ExplorePage } from '../pages/explore';
import { NotFoundPage } from '../pages/notfound';
import { statusRoutes } from '../pages/status';
import { alertingRoutes } from '../pages/alerting';
import { dashboardRoutes } from '../dashboard';

/** What a page receives: the path parameters and the query string. */
export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface RouteDef {
  /** Path pattern with `:param`, `:param?` and a trailing `*`. */
  path: string;
  title: string;
  component: ComponentType<PageProps>;
  /** Navigation section; pages without one are reached by links only. */
  nav?: 'Explore' | 'Dashboards' | 'Alerting' | 'Status';
  /** Label in the navigation when it differs from the title. */
  navLabel?: string;
}

export const routes: RouteDef[] = [
  { path: '/', title: 'Home', component: HomePage },
  { path: '/explore', title: 'Explore', component: ExplorePage, nav: 'Explore' },
  // Prometheus's own UI path: bookmarks and links from Prometheus keep working.
  { path: '/graph', title: 'Explore', component: ExplorePage },
  ...dashboardRoutes,
  ...alertingRoutes,
  ...statusRoutes,
];

export { NotFoundPage };
