import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../config/package-root.js';
import { startDashboard, type Dashboard } from '../dashboard/dashboard-server.js';
import { isLoopback } from '../dashboard/request-guard.js';
import { isRunDriven } from '../state/run-sessions.js';
import { isSameProcessAlive } from '../supervisor/process-identity.js';
import { processActions } from './dashboard-actions.js';
import { reportViews } from './dashboard-views.js';
import type { ProjectOptions } from './project.js';
import { locateState } from './state-access.js';

/** The token's variable: a fixed token survives restarts of `serve` (a bookmark keeps working). */
export const TOKEN_VARIABLE = 'MUX_SWARM_DASHBOARD_TOKEN';

export interface DashboardLaunch {
  host: string;
  port: number;
  readOnly: boolean;
}

/**
 * Starts the dashboard over the workdir's state (`serve`, `run --serve`): off loopback with a token (the
 * environment's, or a new random one), the report's views, and the actions wired to signals and `resume`.
 */
export async function launchDashboard(
  project: ProjectOptions,
  launch: DashboardLaunch,
  environment: NodeJS.ProcessEnv,
): Promise<Dashboard> {
  const location = locateState(project);
  const token = isLoopback(launch.host)
    ? undefined
    : environment[TOKEN_VARIABLE]?.trim() || randomBytes(24).toString('base64url');
  return startDashboard({
    stateDirectory: location.stateDirectory,
    host: launch.host,
    port: launch.port,
    token,
    readOnly: launch.readOnly,
    scrubber: location.scrubber,
    views: reportViews,
    actions: processActions(project, location.stateDirectory),
    isDriven: (database, runId) => isRunDriven(database, runId, hostname(), new Date(), isSameProcessAlive),
    staticDirectory: join(PACKAGE_ROOT, 'web', 'dashboard'),
  });
}
