/**
 * Runtime fix generators: pure functions (fixId, facts, vars) → FixPlan of quoted shell commands.
 * They recompute what is wrong from the facts, so a plan for an already-healthy host is empty, and
 * every command is safe to re-run (guards, `replace`, `-C || -I`). Persistent config is not touched:
 * that is the template + safe-apply flow's job.
 */
import type { HostFacts } from '../facts/types.js';
import { BRIDGE_PLANNERS } from './fix-plans-bridge.js';
import { HOST_PLANNERS } from './fix-plans-host.js';
import { LIBVIRT_PLANNERS } from './fix-plans-libvirt.js';
import { FixPlanError, type FixPlan, type Planner } from './fix-shell.js';
import { resolveVars, type CheckVars } from './vars.js';

export { FixPlanError, type FixPlan } from './fix-shell.js';

const planners: Readonly<Record<string, Planner>> = { ...BRIDGE_PLANNERS, ...HOST_PLANNERS, ...LIBVIRT_PLANNERS };

/** Every fix id planFix understands. */
export const FIX_IDS: readonly string[] = Object.keys(planners);

/** The runtime fix for `fixId` on a host with these facts; throws FixPlanError when it cannot plan. */
export function planFix(fixId: string, facts: HostFacts, vars: CheckVars = {}): FixPlan {
  const planner = planners[fixId];
  if (!planner) throw new FixPlanError(`unknown fix id ${JSON.stringify(fixId)} (known: ${FIX_IDS.join(', ')})`);
  try {
    return planner(facts, resolveVars(vars));
  } catch (err) {
    if (err instanceof FixPlanError) throw err;
    throw new FixPlanError(`cannot plan ${fixId}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
