/**
 * Holding a schedule's lock for the length of a run: take it, heartbeat it every third of the lease,
 * and abort the run if it is lost (another fleet took it over because our heartbeats stopped
 * arriving). Shared by the daemon and `fleet schedule run`, so both exclude each other the same way.
 */
import os from 'node:os';
import type { ScheduleLocks } from './types.js';

export const DEFAULT_LEASE_MS = 60_000;

/** This process in lock rows: host, pid and start time (a pid alone is reused). */
export function lockOwner(): string {
  return `${os.hostname()}:${process.pid}:${Math.round(Date.now() - process.uptime() * 1000)}`;
}

export type Held<T> = { readonly acquired: false } | { readonly acquired: true; readonly value: T };

export async function holdingLock<T>(
  locks: ScheduleLocks,
  name: string,
  owner: string,
  opts: { leaseMs: number; log: (line: string) => void; signal?: AbortSignal },
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<Held<T>> {
  if (!(await locks.tryAcquire(name, owner, opts.leaseMs))) return { acquired: false };
  const controller = new AbortController();
  const onOuter = () => controller.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onOuter, { once: true });
  const beat = setInterval(
    () => {
      locks.heartbeat(name, owner, opts.leaseMs).then(
        (held) => {
          if (held || controller.signal.aborted) return;
          opts.log(`schedule=${name} lost its lock (taken over): interrupting the run`);
          controller.abort(new Error('schedule lock lost'));
        },
        (err: Error) => opts.log(`schedule=${name} lock heartbeat failed: ${err.message}`),
      );
    },
    Math.max(1000, Math.floor(opts.leaseMs / 3)),
  );
  try {
    return { acquired: true, value: await fn(controller.signal) };
  } finally {
    clearInterval(beat);
    opts.signal?.removeEventListener('abort', onOuter);
    await locks.release(name, owner).catch((err: Error) => opts.log(`schedule=${name} lock release failed: ${err.message}`));
  }
}
