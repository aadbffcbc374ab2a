/**
 * Shared scaffolding for commands that run something on hosts (exec, run): sets up connections and
 * interrupts, puts the store's recorder and the terminal on the run's event stream, and validates
 * the connection options (once, here, before anything connects).
 */
import type { ConnectionSpec, Host } from '../core/inventory.js';
import type { Redactor, SecretMask } from '../core/redact.js';
import type { RunObserver } from '../engine/events.js';
import { withRun, type ActiveRun, type RunSummary } from '../engine/run.js';
import { StoreRecorder } from '../store/recorder.js';
import type { RunStore } from '../store/types.js';
import { ProgressObserver } from '../output/progress.js';
import { redactingObserver } from '../output/redacting-observer.js';
import { followSignal, handleInterrupts } from './interrupt.js';
import { setUpConnections, validateConnectionArgs, type ConnectionArgs, type Targets } from './session.js';
import { type Io, warnerOf } from './io.js';

export interface RunContext {
  readonly targets: Targets;
  readonly redact: Redactor;
  readonly specOf: (host: Host) => ConnectionSpec;
}

export interface RunSink {
  /** The command's one open store (see withStore). */
  readonly store: RunStore;
  /** The redactor the store was opened with; the run's secrets are added to it here. */
  readonly mask: SecretMask;
  /** Who else watches the run besides the recorder and the progress display. */
  readonly observers?: readonly RunObserver[];
  /**
   * Ends the run (recorded `interrupted`) when it aborts, instead of SIGINT/SIGTERM: for a caller
   * that owns the process signals (the daemon).
   */
  readonly signal?: AbortSignal;
  /** No progress display: the caller reports the run its own way (the daemon's log line). */
  readonly quiet?: boolean;
}

/**
 * Runs `body` inside a recorded run on already-resolved targets (resolve them first, so that input
 * errors surface before anything connects). Returns the run summary.
 */
export async function runOnTargets(
  io: Io,
  sink: RunSink,
  targets: Targets,
  args: ConnectionArgs & { limit?: string | undefined; json?: boolean | undefined },
  describe: { playbook: string; options: Record<string, unknown>; loadMs?: number },
  body: (run: ActiveRun, ctx: RunContext) => Promise<void>,
): Promise<RunSummary> {
  validateConnectionArgs(args);
  const conn = await setUpConnections(args, targets, io.env);
  sink.mask.add(conn.secrets);
  conn.warnings.forEach(warnerOf(io));
  const interrupt = sink.signal ? followSignal(sink.signal) : handleInterrupts({ graceMs: 10_000, stderr: io.stderr });
  interrupt.onForce(() => void conn.pool.closeAll());
  const observers: RunObserver[] = [...(sink.observers ?? [])];
  if (!args.json && !sink.quiet) observers.push(new ProgressObserver({ stream: io.stderr, tty: io.stderrIsTTY }));
  const ctx: RunContext = { targets, redact: sink.mask.redact, specOf: conn.specOf };
  // Terminal observers see host data before the store masks it.
  const terminal = observers.map((o) => redactingObserver(o, sink.mask.redact));
  const recorder = new StoreRecorder(sink.store);
  try {
    const summary = await withRun(
      {
        playbook: describe.playbook,
        inventorySources: targets.sources,
        limit: args.limit ?? null,
        options: { forks: args.forks, adaptive: args.adaptive !== false, ...describe.options },
        hosts: targets.hosts,
        ...(describe.loadMs !== undefined ? { loadMs: describe.loadMs } : {}),
      },
      {
        recorder,
        pool: conn.pool,
        forks: args.forks,
        observers: terminal,
        signal: interrupt.signal,
        specOf: conn.specOf,
      },
      (run) => body(run, ctx),
    );
    // The timings as stored (with the run's DB write time): what --json and export both show.
    return recorder.timings ? { ...summary, timings: recorder.timings } : summary;
  } finally {
    interrupt.dispose();
  }
}
