/** Building blocks for fix commands: the plan type, quoted invocations and the detached one-shot batch. */
import { FleetError } from '../core/errors.js';
import { shQuote } from '../core/shell.js';
import type { HostFacts } from '../facts/types.js';
import type { ResolvedVars } from './vars.js';

/** What a runtime fix runs on the host. */
export interface FixPlan {
  readonly description: string;
  /** Shell commands, each safe to run with `sh -c`; empty = nothing to do (already fixed). */
  readonly commands: readonly string[];
  /**
   * Must run detached from the SSH session as one atomic batch (e.g. moving the management IP from
   * the uplink to the bridge): a dropped connection must not kill it half way. The engine should
   * then verify over a NEW connection.
   */
  readonly detached?: boolean;
}

/** `ip link set dev 'we ird' up` — every word quoted. */
export function ipCmd(...words: string[]): string {
  return ['ip', ...words].map(shQuote).join(' ');
}

/** Any program with quoted arguments. */
export function cmd(program: string, ...words: string[]): string {
  return [program, ...words].map(shQuote).join(' ');
}

// iproute2's batch reader strips from '#' to end of line and treats a word starting with a quote as
// quoted; words that avoid those (and whitespace/backslash) pass through verbatim.
const BATCH_SAFE = /^[^\s#'"\\]+$/;

/**
 * Several `ip` operations (each given as ip's words) applied together, plus optional follow-up shell
 * commands: a single `ip -batch` when every word is batch-safe, else the same operations as quoted
 * `ip … &&` commands. Plans using it set `detached: true`: the fix executor runs them under setsid,
 * with the session closed, and waits for the result (detaching here too would make that wait end at
 * once and the re-check race the network change).
 */
export function ipOps(ops: readonly (readonly string[])[], after: readonly string[]): string {
  const batchable = ops.every((op) => op.every((w) => BATCH_SAFE.test(w)));
  const core = batchable
    ? `printf '%s\\n' ${ops.map((op) => shQuote(op.join(' '))).join(' ')} | ip -batch -`
    : ops.map((op) => ipCmd(...op)).join(' && ');
  // Follow-ups (gratuitous ARP…) only after the operations succeeded.
  return after.length > 0 ? `${core} && { ${after.join('; ')}; }` : core;
}

/** The facts do not allow a safe plan (unknown fix, gateway unknown, facts missing…). One line. */
export class FixPlanError extends FleetError {
  constructor(message: string) {
    super(message, 'FLEET_FIX_UNPLANNABLE', 1);
    this.name = 'FixPlanError';
  }
}

/** Computes one fix's commands from the facts. */
export type Planner = (f: HostFacts, v: ResolvedVars) => FixPlan;

/** The plan for an already-healthy host. */
export const nothing = (what: string): FixPlan => ({ description: `nothing to do: ${what}`, commands: [] });

/** Gratuitous ARP so neighbours update their caches after an address/MAC move (iputils arping; optional). */
export function announce(dev: string, ips: readonly string[]): string[] {
  return ips.map((ip) => `if command -v arping >/dev/null 2>&1; then arping -U -c 2 -I ${shQuote(dev)} ${shQuote(ip)} || true; fi`);
}
