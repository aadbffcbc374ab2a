/**
 * `ansible_connection=local`: commands run on the controller through `/bin/sh -c`, each in its own
 * process group so a timeout kills everything the command started. Same CommandResult, timeout
 * and become semantics as the SSH transport.
 */
import { spawn } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import type { ConnectionSpec } from '../core/inventory.js';
import { childEnv } from '../core/secret-env.js';
import type { CommandResult } from '../core/result.js';
import { runSession, type ExitInfo, type ProcessHandle } from './command-session.js';
import { planExec } from './exec-plan.js';
import { UnreachableError, type Connection, type ConnectOptions, type ExecOptions, type Transport } from './types.js';

/** A Transport running commands on this machine. */
export function createLocalTransport(): Transport {
  return {
    connect: async (spec, options) => new LocalConnection(spec, options),
    close: async () => undefined,
  };
}

class LocalConnection implements Connection {
  readonly host: string;
  readonly #spec: ConnectionSpec;
  readonly #options: ConnectOptions;
  readonly #closed = new AbortController();
  readonly #running = new Set<ProcessHandle>();

  constructor(spec: ConnectionSpec, options: ConnectOptions) {
    this.host = spec.name;
    this.#spec = spec;
    this.#options = options;
    setMaxListeners(0, this.#closed.signal); // one listener per running command
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<CommandResult> {
    if (this.#closed.signal.aborted) throw this.#closed.signal.reason;
    const plan = planExec(command, opts, this.#spec, this.#options, { remoteGuard: false, graceMs: 0 });
    const proc = spawnGroup(plan.script);
    this.#running.add(proc);
    try {
      return await runSession(proc, { ...plan.session, signal: this.#closed.signal });
    } finally {
      this.#running.delete(proc);
    }
  }

  async close(): Promise<void> {
    if (this.#closed.signal.aborted) return;
    this.#closed.abort(new UnreachableError(this.host, 'closed', `${this.host} (local): connection closed`));
    for (const proc of this.#running) proc.kill();
  }
}

/** Starts `/bin/sh -c script` as the leader of a new process group. */
function spawnGroup(script: string): ProcessHandle {
  // fleet's own secrets stay in fleet: sudo gets the become password on stdin, never from env.
  const child = spawn('/bin/sh', ['-c', script], { detached: true, env: childEnv(process.env), stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.on('error', () => undefined); // EPIPE when the command exits without reading stdin
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('error', (err) => {
      child.stderr.emit('data', Buffer.from(`fleet: cannot start /bin/sh: ${err.message}\n`));
      resolve({ code: null, signal: null });
    });
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    write: (data) => {
      if (child.stdin.writable) child.stdin.write(data);
    },
    endInput: () => {
      if (child.stdin.writable) child.stdin.end();
    },
    kill: () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
    exited,
  };
}
