// Dashboards (list, view, import): their routes, added to the shell's table by app/routes.tsx.
import type { RouteDef } from '../app/routes';
import { DashboardListPage } from './list';
import { DashboardImportPage } from './import';
import { DashboardPage } from './view';

export const dashboardRoutes: RouteDef[] = [
  { path: '/dashboards', title: 'Dashboards', component: DashboardListPage, nav: 'Dashboards', navLabel: 'Browse' },
  { path: '/dashboard/import', title: 'Import dashboard', component: DashboardImportPage, nav: 'Dashboards', navLabel: 'Import' },
  { path: '/d/:uid/:slug?', title: 'Dashboard', component: DashboardPage },
];
