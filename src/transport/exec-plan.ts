/**
 * Turns one exec() call into what actually runs: the wrapped script and the session settings
 * (timeouts, become, stdin). Shared by the SSH and local transports so both behave the same.
 */
import type { ConnectionSpec } from '../core/inventory.js';
import type { SessionOptions } from './command-session.js';
import { buildRemoteCommand } from './remote-command.js';
import type { ConnectOptions, ExecOptions } from './types.js';

export interface ExecPlan {
  readonly script: string;
  readonly session: Omit<SessionOptions, 'signal'>;
}

export interface PlanPolicy {
  /** Always guard with a `timeout` on the host (SSH: closing a channel does not kill its command). */
  readonly remoteGuard: boolean;
  /** Extra time the local deadline allows over the guard, so the guard normally acts first. */
  readonly graceMs: number;
}

export function planExec(command: string, opts: ExecOptions, spec: ConnectionSpec, connect: ConnectOptions, policy: PlanPolicy): ExecPlan {
  const timeoutMs = opts.timeoutMs ?? connect.commandTimeoutMs;
  const becomeOn = opts.become ?? spec.become;
  const password = becomeOn ? spec.becomePassword : undefined;
  // A sudo'd command runs as another user: only a guard inside sudo can surely kill it.
  const guardMs = timeoutMs > 0 && (policy.remoteGuard || becomeOn) ? timeoutMs : undefined;
  const built = buildRemoteCommand(command, {
    guardMs,
    become: becomeOn ? { user: opts.becomeUser ?? spec.becomeUser ?? 'root', withPassword: password !== undefined } : undefined,
  });
  return {
    script: built.script,
    session: {
      command,
      timeoutMs: timeoutMs > 0 ? timeoutMs + policy.graceMs : 0,
      guardMs,
      stdin: opts.stdin,
      become: built.become,
      becomePassword: password,
      outputCapBytes: connect.outputCapBytes,
    },
  };
}
