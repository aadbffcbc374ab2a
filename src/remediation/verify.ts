/**
 * Step 4 of commit-confirmed: on a NEW connection, is the host really in a good state? The health
 * check's bridge checks on fresh facts, the default gateway answering, every guest tap still on the
 * bridge it was on before the change, nothing left for the apply plan to do (converged), and the
 * operator's own bridge_verify_command if set.
 * Returns the problems (empty = confirm).
 */
import type { BridgeParams } from '../bridge/index.js';
import type { ModuleContext } from '../modules/types.js';
import { shJoin } from '../core/shell.js';
import { planApply } from './apply-plan.js';
import { isGuestPort, parseRuntime, RUNTIME_DUMP, type RuntimeSnapshot } from './runtime.js';

/** The health-check ids re-evaluated after a change (kvm-network-checks.md §4.2 step 7). */
export const VERIFY_CHECKS = [
  'bridge.exists',
  'bridge.up',
  'bridge.uplink-enslaved',
  'bridge.ip-on-port',
  'bridge.stp-forward-delay',
  'bridge.mtu',
  'route.default-gateway',
  'libvirt.tap-attached',
] as const;

export interface Verification {
  readonly problems: string[];
  /** What was looked at, for the record. */
  readonly evidence: Record<string, unknown>;
}

/** Guest ports whose bridge changed between two snapshots. */
export function detachedTaps(before: RuntimeSnapshot, after: RuntimeSnapshot): string[] {
  const now = new Map(after.links.map((l) => [l.name, l]));
  const out: string[] = [];
  for (const l of before.links) {
    if (!isGuestPort(l) || !l.master) continue;
    const n = now.get(l.name);
    if (!n) out.push(`${l.name} (was on ${l.master}) is gone`);
    else if (n.master !== l.master) out.push(`${l.name} moved from ${l.master} to ${n.master ?? 'no bridge'}`);
  }
  return out;
}

/** Runs the verification over ctx (which must already be a new connection). */
export async function verifyHost(
  ctx: ModuleContext,
  p: BridgeParams,
  before: RuntimeSnapshot,
  has: ReadonlySet<string>,
  verifyCommand: string | null = null,
): Promise<Verification> {
  const problems: string[] = [];
  const evidence: Record<string, unknown> = {};

  const factsRun = await ctx.exec(ctx.catalog.factsCommand(ctx.engine.resolvedView(ctx.vars)), { timeoutMs: 60_000 });
  if (factsRun.timedOut || factsRun.stdout.trim() === '') {
    problems.push(`facts could not be gathered (rc ${factsRun.rc})`);
  } else {
    const facts = ctx.catalog.parseFacts(factsRun.stdout);
    const vars = ctx.engine.resolvedView({ ...ctx.vars, bridge: p.bridge, uplink: p.uplink, ...(p.mtu !== null ? { mtu: p.mtu } : {}) });
    const checks: Record<string, string> = {};
    for (const id of VERIFY_CHECKS) {
      if (!ctx.catalog.hasCheck(id)) continue;
      const r = ctx.catalog.runCheck(id, facts, vars);
      checks[id] = r.status;
      if (r.status === 'fail' || r.status === 'error') problems.push(`${id} ${r.status}: ${r.message}`);
    }
    evidence['checks'] = checks;
  }

  const after = await ctx.exec(RUNTIME_DUMP, { timeoutMs: 15_000 });
  try {
    const now = parseRuntime(after.stdout);
    const taps = detachedTaps(before, now);
    evidence['taps'] = taps.length === 0 ? 'all guest taps on their bridges' : taps;
    for (const t of taps) problems.push(`VM tap ${t}`);
    // Converged: what a new run would still change. Not empty = the next run is not a no-op, and a
    // warn-only check (STP) would have let a half-applied change be committed.
    const plan = planApply(now, p);
    const left = plan.changes.length > 0 ? plan.changes : plan.batch.map((l) => `ip ${l}`);
    evidence['remaining'] = left.length === 0 ? 'none: runtime in the declared state' : left;
    if (left.length > 0) problems.push(`runtime not in the declared state after the apply: ${left.join('; ')}`);
  } catch (err) {
    problems.push(`runtime after the change unreadable: ${(err as Error).message}`);
  }

  if (p.gateway) {
    // Three one-second tries: right after a bridge change the gateway's ARP entry may be stale.
    const probe = has.has('ping')
      ? shJoin(['ping', '-c1', '-W1', '-I', p.bridge, p.gateway])
      : has.has('arping')
        ? shJoin(['arping', '-c1', '-w1', '-I', p.bridge, p.gateway])
        : undefined;
    if (probe) {
      const r = await ctx.exec(
        `for i in 1 2 3; do ${probe} >/dev/null 2>&1 && { echo reachable; exit 0; }; done; echo unreachable; exit 1`,
        { timeoutMs: 15_000 },
      );
      evidence['gateway'] = `${p.gateway}: ${r.stdout.trim()}`;
      if (r.rc !== 0) problems.push(`gateway ${p.gateway} does not answer ${has.has('ping') ? 'ping' : 'arping'} on ${p.bridge}`);
    } else {
      evidence['gateway'] = `${p.gateway}: not probed (neither ping nor arping on the host; route.default-gateway judged the ARP entry)`;
    }
  }
  if (verifyCommand) {
    // What only the operator knows to test (a storage network, a guest answering): their command.
    const r = await ctx.exec(verifyCommand, { timeoutMs: 60_000 });
    const last = (r.stderr.trim() || r.stdout.trim()).split('\n').at(-1) ?? '';
    evidence['verify_command'] = r.timedOut ? 'timed out after 60s' : `exit ${r.rc}${last ? `: ${last}` : ''}`;
    if (r.timedOut || r.rc !== 0)
      problems.push(`bridge_verify_command ${r.timedOut ? 'timed out after 60s' : `exited ${r.rc}`}${last ? `: ${last}` : ''}`);
  }
  return { problems, evidence };
}
