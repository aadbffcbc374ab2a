/**
 * Runs one job per host with bounded parallelism (p-limit). A host's job owns everything that happens
 * on that host; this module owns connections, interruption, and turning errors into outcomes so that
 * one host can never stop the others.
 */
import pLimit from 'p-limit';
import type { CheckResult, FixStatus } from '../core/check.js';
import type { ConnectionSpec, Host } from '../core/inventory.js';
import type { StepResult } from '../core/result.js';
import type { Connection } from '../transport/types.js';
import { UnreachableError } from '../core/errors.js';
import type { ConnectionPool } from './connections.js';
import type { EventStream, HostOutcome } from './events.js';

/** What a host job may do. Check code gets facts, not this; modules and fixes get this. */
export interface HostContext {
  readonly runId: number;
  readonly host: Host;
  readonly spec: ConnectionSpec;
  /** Aborted when the run is interrupted: finish the current step, start no new one. */
  readonly signal: AbortSignal;
  /** The host's one connection (opened on first use). Rejects with UnreachableError. */
  connection(): Promise<Connection>;
  /** Drops the current connection and dials a NEW one (verification after a network change). */
  reconnect(): Promise<Connection>;
  /** These emit the host's results on the run's event stream (the store records them from there). */
  emitStep(step: StepResult): void;
  emitFacts(facts: unknown): void;
  emitCheck(check: CheckResult, fixStatus?: FixStatus | null): void;
  emitPhase(phase: string, durationMs: number): void;
}

export type HostJob = (ctx: HostContext) => Promise<HostOutcome>;

export interface RunHostsDeps {
  readonly runId: number;
  readonly pool: ConnectionPool;
  readonly forks: number;
  readonly events: EventStream;
  readonly signal: AbortSignal;
  /** ConnectionSpec for a host (inventory vars + extra vars). */
  readonly specOf: (host: Host) => ConnectionSpec;
  /** Close each host's connection as soon as its job ends (keeps fds bounded on big fleets). */
  readonly releaseWhenDone?: boolean;
}

/** Runs `job` on every host, at most `forks` at once. Never throws for a host's failure. */
export async function runHosts(hosts: readonly Host[], job: HostJob, deps: RunHostsDeps): Promise<Map<string, HostOutcome>> {
  const limit = pLimit(Math.max(1, deps.forks));
  const outcomes = new Map<string, HostOutcome>();

  const one = async (host: Host): Promise<void> => {
    const backlog = deps.events.ready();
    if (backlog) await backlog;
    if (deps.signal.aborted) {
      finish(host, { status: 'skipped', reason: 'run interrupted before this host started' }, null);
      return;
    }
    const startedAt = Date.now();
    deps.events.onHostStart(host.name, startedAt);
    let outcome: HostOutcome;
    try {
      outcome = await job(contextFor(host, deps));
    } catch (err) {
      outcome = outcomeOfError(err, deps.signal);
    }
    // Closing is not awaited: the fork slot goes to the next host now; closeAll() awaits the close.
    if (deps.releaseWhenDone) void deps.pool.release(host.name);
    finish(host, outcome, startedAt);
  };

  const finish = (host: Host, outcome: HostOutcome, startedAt: number | null) => {
    outcomes.set(host.name, outcome);
    deps.events.onHostDone(host.name, outcome, { startedAt, finishedAt: Date.now() });
  };

  await Promise.all(hosts.map((h) => limit(() => one(h))));
  return outcomes;
}

function contextFor(host: Host, deps: RunHostsDeps): HostContext {
  const spec = deps.specOf(host);
  let connectTimed = false;
  return {
    runId: deps.runId,
    host,
    spec,
    signal: deps.signal,
    // The first connection of the host is the handshake (TCP, SSH, auth): timed as phase 'connect'.
    connection: async () => {
      if (connectTimed) return deps.pool.get(spec);
      const t0 = Date.now();
      try {
        return await deps.pool.get(spec);
      } finally {
        connectTimed = true;
        // Waiting for an adaptive handshake slot is not handshake time: shown as its own phase.
        const waitMs = deps.pool.takeWaitMs(spec.name);
        deps.events.onPhase(host.name, { phase: 'connect', durationMs: Date.now() - t0 - waitMs });
        if (waitMs > 0) deps.events.onPhase(host.name, { phase: 'handshake-wait', durationMs: waitMs });
      }
    },
    reconnect: () => deps.pool.reconnect(spec),
    emitStep: (step) => deps.events.onStep(host.name, step),
    emitFacts: (facts) => deps.events.onFacts(host.name, facts),
    emitCheck: (check, fixStatus) => deps.events.onCheck(host.name, check, fixStatus ?? null),
    emitPhase: (phase, durationMs) => deps.events.onPhase(host.name, { phase, durationMs }),
  };
}

/** Turns what a job threw into the host's outcome: unreachable with its reason, or failed. */
export function outcomeOfError(err: unknown, signal: AbortSignal): HostOutcome {
  if (err instanceof UnreachableError) {
    // A connection closed by our own interrupt is not the host's fault.
    if (signal.aborted && err.kind === 'closed') return { status: 'failed', reason: 'interrupted mid-step' };
    return { status: 'unreachable', reason: err.message };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { status: 'failed', reason: message.split('\n')[0] ?? message };
}
