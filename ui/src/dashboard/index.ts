// Dashboards (list, view, import): their routes, added to the shell's table by app/routes.tsx.
import type { RouteDef } from '../app/routes';

export const dashboardRoutes: RouteDef[] = [];
