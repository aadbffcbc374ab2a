/**
 * A play's preflight: before the first batch, each host's input to the play's top-level
 * tasks is checked by their modules' `preflight` (e.g. bridge_apply validates the declared bridge
 * state). No connection is opened. Tasks under `when` or `loop`, and args that need what only the run
 * knows (registered results, facts), are left to the run itself.
 */
import type { Host } from '../core/inventory.js';
import { MODULES } from './module-registry.js';
import { markLazy } from '../templates/lazy.js';
import { RenderError } from '../templates/render.js';
import { playHostVars, type PlayShared, type RunShared } from './host-run.js';
import { renderTaskArgs } from './task-exec.js';
import type { ModuleTask } from './types.js';

/** Host name → why its input is invalid (first problem per host). Empty when every host passes. */
export function preflightPlay(run: RunShared, playShared: PlayShared, hosts: readonly Host[]): Map<string, string> {
  const bad = new Map<string, string>();
  const tasks = playShared.play.tasks.filter(
    (t): t is ModuleTask =>
      t.kind === 'module' && t.when.length === 0 && t.loop === undefined && MODULES.get(t.module)?.preflight !== undefined,
  );
  if (tasks.length === 0) return bad;
  const engine = run.pb.engine;
  for (const host of hosts) {
    for (const task of tasks) {
      const preflight = MODULES.get(task.module)?.preflight;
      const vars = { ...playHostVars(run, playShared, host), ...markLazy(task.vars), ...run.extraVars };
      try {
        preflight?.(renderTaskArgs(engine, task, vars), engine.resolvedView(vars), host.name);
      } catch (err) {
        // Not knowable before the run (a registered result, facts): the task itself will tell.
        if (err instanceof RenderError) continue;
        bad.set(host.name, `task '${task.name ?? task.module}': ${(err as Error).message}`);
        break;
      }
    }
  }
  return bad;
}
