// Alerting pages over the built-in alert manager (groups, silences, acknowledgements, receivers): their routes, added to the shell's table by app/routes.tsx.
import type { RouteDef } from '../../app/routes';

export const alertingRoutes: RouteDef[] = [];
