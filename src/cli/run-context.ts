/**
 * Shared scaffolding for commands that run something on hosts (exec, run): opens the store, sets up
 * connections and interrupts, wires observers, and always closes the store, even on failure.
 */
import type { ConnectionSpec, Host } from '../core/inventory.js';
import type { Redactor } from '../core/redact.js';
import type { RunObserver } from '../engine/events.js';
import { withRun, type ActiveRun, type RunSummary } from '../engine/run.js';
import type { RunStore } from '../store/types.js';
import { ProgressObserver } from '../output/progress.js';
import { handleInterrupts } from './interrupt.js';
import { openStore, setUpConnections, validateConnectionArgs, type ConnectionArgs, type InventoryArgs, type Targets } from './session.js';
import type { Io } from './io.js';

export interface RunCommandArgs extends InventoryArgs, ConnectionArgs {
  db?: string;
  json?: boolean;
}

export interface RunContext {
  readonly targets: Targets;
  readonly store: RunStore;
  readonly redact: Redactor;
  readonly specOf: (host: Host) => ConnectionSpec;
}

/**
 * Runs `body` inside a recorded run on already-resolved targets (resolve them first, so that input
 * errors surface before anything connects). Returns the run summary.
 */
export async function runOnTargets(
  io: Io,
  targets: Targets,
  args: RunCommandArgs,
  describe: { playbook: string; options: Record<string, unknown> },
  body: (run: ActiveRun, ctx: RunContext) => Promise<void>,
  extraObservers: RunObserver[] = [],
): Promise<{ summary: RunSummary; ctx: RunContext }> {
  validateConnectionArgs(args);
  const conn = await setUpConnections(args, targets, io.env);
  for (const w of conn.warnings) io.stderr.write(`fleet: warning: ${w}\n`);
  const store = await openStore(args.db, conn.redact);
  const interrupt = handleInterrupts({ graceMs: 10_000, stderr: io.stderr });
  interrupt.onForce(() => void conn.pool.closeAll());
  const observers: RunObserver[] = [...extraObservers];
  if (!args.json) observers.push(new ProgressObserver({ stream: io.stderr, tty: io.stderrIsTTY }));
  const ctx: RunContext = { targets, store, redact: conn.redact, specOf: conn.specOf };
  try {
    const summary = await withRun(
      {
        playbook: describe.playbook,
        inventorySources: targets.sources,
        limit: args.limit ?? null,
        options: { forks: args.forks, ...describe.options },
        hosts: targets.hosts,
      },
      { store, pool: conn.pool, forks: args.forks, observers, signal: interrupt.signal, specOf: conn.specOf },
      (run) => body(run, ctx),
    );
    return { summary, ctx };
  } finally {
    interrupt.dispose();
    await store.close();
  }
}
