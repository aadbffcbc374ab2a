/**
 * Tears down live fleets when the process ends for any reason we can observe: normal exit, an
 * uncaught error, SIGINT, SIGTERM, SIGHUP. (SIGKILL cannot be caught: the next `SimFleet.up` with the
 * same prefix, or `node dist/test/fleet/cleanup.js <prefix>`, removes what is left.)
 */
import { cleanupPrefix } from './cleanup-lib.js';

const live = new Set<string>();
let installed = false;

function teardownAll(): void {
  for (const prefix of [...live]) {
    live.delete(prefix);
    try {
      cleanupPrefix(prefix);
    } catch {
      /* best effort while exiting */
    }
  }
}

function onSignal(sig: NodeJS.Signals): void {
  teardownAll();
  // If we are the only listener, restore the default action so the process ends as it would have.
  if (process.listenerCount(sig) === 1) {
    process.removeListener(sig, onSignal);
    process.kill(process.pid, sig);
  }
}

export function registerLiveFleet(prefix: string): void {
  live.add(prefix);
  if (installed) return;
  installed = true;
  process.on('exit', teardownAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, onSignal);
}

export function unregisterLiveFleet(prefix: string): void {
  live.delete(prefix);
}
