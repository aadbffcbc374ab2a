/**
 * Test-only Connection: runs each command with a REAL /bin/sh in the host's own temp directory, so
 * modules (copy, template, command, shell, sysctl with a temp sysctl_file) really run. Not a mock of
 * results: what a task reports is what the shell did.
 */
import { spawn } from 'node:child_process';
import type { ConnectionSpec } from '../../../src/core/inventory.js';
import type { CommandResult } from '../../../src/core/result.js';
import { UnreachableError, type Connection, type ConnectOptions, type ExecOptions, type Transport } from '../../../src/transport/types.js';

export class LocalDirConnection implements Connection {
  closed = false;
  readonly commands: string[] = [];
  constructor(
    readonly host: string,
    readonly cwd: string,
    /** Makes the connection drop (UnreachableError) after this many commands. */
    private readonly dropAfter = Infinity,
  ) {}

  exec(command: string, options: ExecOptions = {}): Promise<CommandResult> {
    if (this.closed) return Promise.reject(new UnreachableError(this.host, 'closed', `${this.host}: connection closed`));
    if (this.commands.length >= this.dropAfter) {
      this.closed = true;
      return Promise.reject(new UnreachableError(this.host, 'closed', `${this.host}: connection lost`));
    }
    this.commands.push(command);
    const started = Date.now();
    return new Promise((resolve) => {
      const child = spawn('/bin/sh', ['-c', command], { cwd: this.cwd, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      const timer =
        options.timeoutMs && options.timeoutMs > 0
          ? setTimeout(() => {
              timedOut = true;
              try {
                process.kill(-(child.pid ?? 0), 'SIGKILL');
              } catch {
                // already gone
              }
            }, options.timeoutMs)
          : undefined;
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.stdin ?? '');
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        resolve({ command, rc: timedOut ? null : code, signal, stdout, stderr, durationMs: Date.now() - started, timedOut });
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A transport handing out LocalDirConnections; hosts in `unreachable` fail to connect. */
export class LocalDirTransport implements Transport {
  readonly connections: LocalDirConnection[] = [];
  constructor(
    private readonly dirOf: (host: string) => string,
    private readonly unreachable: ReadonlySet<string> = new Set(),
    private readonly dropAfter: ReadonlyMap<string, number> = new Map(),
  ) {}

  async connect(spec: ConnectionSpec, _options: ConnectOptions): Promise<Connection> {
    if (this.unreachable.has(spec.name)) throw new UnreachableError(spec.name, 'refused', `${spec.name}: connection refused`);
    // A dropped connection stays dropped only for the first dial (re-dialling works again).
    const previous = this.connections.filter((c) => c.host === spec.name).length;
    const conn = new LocalDirConnection(
      spec.name,
      this.dirOf(spec.name),
      previous === 0 ? (this.dropAfter.get(spec.name) ?? Infinity) : Infinity,
    );
    this.connections.push(conn);
    return conn;
  }

  async close(): Promise<void> {
    for (const c of this.connections) c.closed = true;
  }
}
