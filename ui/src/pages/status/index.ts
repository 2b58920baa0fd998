// Status pages (targets, service discovery, rules, alerts, TSDB, runtime, flags, config): their routes, added to the shell's table by app/routes.tsx.
import type { RouteDef } from '../../app/routes';

export const statusRoutes: RouteDef[] = [];
