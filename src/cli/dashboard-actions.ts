import { closeSync, mkdirSync, openSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../config/package-root.js';
import type { RunActions } from '../dashboard/dashboard-options.js';
import { runRecord } from '../state/run-record.js';
import { isRunDriven, latestSession } from '../state/run-sessions.js';
import { isSameProcessAlive } from '../supervisor/process-identity.js';
import { spawnChild } from '../supervisor/spawn-child.js';
import type { ProjectOptions } from './project.js';

/**
 * The dashboard's two actions, done as a user at the box would: stop sends SIGINT to the process in the run's
 * newest session (this machine only; the run stops gracefully, exit 130, as Ctrl-C does), and resume starts
 * `mux-swarm resume <run-id>` detached, in the directory and with the project files the dashboard was started
 * with, its output in the run's directory (dashboard-resume.log).
 */
export function processActions(options: ProjectOptions, stateDirectory: string): RunActions {
  return {
    stop(database, runId) {
      const session = latestSession(database, runId);
      if (!session || session.ended_at !== null) return { ok: false, message: 'no process drives this run' };
      if (session.hostname !== hostname())
        return { ok: false, message: `the run is driven on ${session.hostname}: stop it there` };
      if (!isSameProcessAlive(session.pid, session.process_start))
        return { ok: false, message: 'the process of this run is gone (it crashed): resume it instead' };
      process.kill(session.pid, 'SIGINT');
      return { ok: true, message: `sent SIGINT to process ${session.pid}: the run stops after its current step` };
    },
    resume(database, runId) {
      if (isRunDriven(database, runId, hostname(), new Date(), isSameProcessAlive))
        return { ok: false, message: 'a process drives this run already' };
      if (runRecord(database, runId)?.status === 'succeeded')
        return { ok: false, message: 'this run succeeded: there is nothing to resume' };
      const runDirectory = join(stateDirectory, 'runs', runId);
      mkdirSync(runDirectory, { recursive: true });
      const log = openSync(join(runDirectory, 'dashboard-resume.log'), 'a');
      try {
        const child = spawnChild({
          file: process.execPath,
          args: [
            join(PACKAGE_ROOT, 'bin', 'mux-swarm'),
            'resume',
            runId,
            '--config',
            resolve(options.config),
            '--swarm',
            resolve(options.swarm),
            ...(options.workdir === undefined ? [] : ['--workdir', resolve(options.workdir)]),
          ],
          cwd: process.cwd(),
          env: process.env,
          stdio: ['ignore', log, log],
          lifetime: 'detached',
        });
        child.on('error', () => undefined);
        child.unref();
        return { ok: true, message: `started mux-swarm resume ${runId} (process ${child.pid ?? '?'})` };
      } finally {
        closeSync(log);
      }
    },
  };
}
