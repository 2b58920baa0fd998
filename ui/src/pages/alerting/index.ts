// Alerting pages over the built-in alert manager (groups, silences, acknowledgements, receivers): their routes, added to the shell's table by app/routes.tsx.
import type { RouteDef } from '../../app/routes';
import { AlertGroupsPage } from './groups';
import { SilencesPage } from './silences';
import { SilenceEditorPage } from './silence-editor';
import { AlertmanagerStatusPage } from './status';

export const alertingRoutes: RouteDef[] = [
  { path: '/alerting', title: 'Alert groups', component: AlertGroupsPage, nav: 'Alerting' },
  { path: '/alerting/silences', title: 'Silences', component: SilencesPage, nav: 'Alerting' },
  { path: '/alerting/silences/new', title: 'New silence', component: SilenceEditorPage },
  { path: '/alerting/status', title: 'Alert manager status', component: AlertmanagerStatusPage, nav: 'Alerting', navLabel: 'Status & receivers' },
];
