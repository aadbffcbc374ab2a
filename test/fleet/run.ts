/**
 * `run(host, cmd)`: runs a shell command inside a simulated host's network namespace with
 * `ip netns exec` (same /etc overlay and /sys view as its SSH sessions; the UTS hostname is the
 * machine's, not the host's). For assertions on host state without going through SSH.
 */
import { runCmd, type RunResult } from './exec.js';

export interface RunInHostOptions {
  /** Default 30 s. */
  timeoutMs?: number;
  input?: string;
}

/** `host` is a SimHost (anything with `netns`) or a namespace name. Never rejects; check `code`. */
export function run(host: { netns: string } | string, cmd: string, opts: RunInHostOptions = {}): Promise<RunResult> {
  const netns = typeof host === 'string' ? host : host.netns;
  return runCmd('ip', ['netns', 'exec', netns, 'sh', '-c', cmd], opts);
}

export type { RunResult };
