// Status pages (targets, service discovery, rules, alerts, TSDB, runtime, flags, config): their routes, added to the shell's table by app/routes.tsx.
import type { RouteDef } from '../../app/routes';
import { TargetsPage } from './targets';
import { ServiceDiscoveryPage } from './discovery';
import { RulesPage } from './rules';
import { AlertsPage } from './alerts';
import { TsdbStatusPage } from './tsdb';
import { RuntimeStatusPage } from './runtime';
import { FlagsPage } from './flags';
import { ConfigPage } from './config';

// The paths are Prometheus's own, so links and habits carry over.
export const statusRoutes: RouteDef[] = [
  { path: '/alerts', title: 'Alerts', component: AlertsPage, nav: 'Status', navLabel: 'Alert rules' },
  { path: '/targets', title: 'Targets', component: TargetsPage, nav: 'Status' },
  { path: '/service-discovery', title: 'Service discovery', component: ServiceDiscoveryPage, nav: 'Status' },
  { path: '/rules', title: 'Rules', component: RulesPage, nav: 'Status' },
  { path: '/tsdb-status', title: 'TSDB status', component: TsdbStatusPage, nav: 'Status' },
  { path: '/status', title: 'Runtime & build information', component: RuntimeStatusPage, nav: 'Status', navLabel: 'Runtime & build' },
  { path: '/flags', title: 'Command-line flags', component: FlagsPage, nav: 'Status' },
  { path: '/config', title: 'Configuration', component: ConfigPage, nav: 'Status' },
];
