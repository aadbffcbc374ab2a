/**
 * Builds the shell script that actually runs for one command:
 * - the user's command always runs under `/bin/sh -c` (same semantics whatever the login shell);
 * - a `timeout -s KILL` guard on the remote side, because OpenSSH ignores the SSH "signal" request
 *   for root sessions and closing an exec channel does not kill what runs in it;
 * - become through sudo, with a per-command random prompt (to know when to send the password)
 *   and marker (printed once sudo let us through, to know when the command's own stdin starts).
 */
import { randomBytes } from 'node:crypto';
import { shQuote } from '../core/shell.js';

export interface BecomeSpec {
  readonly user: string;
  /** Whether a password will be supplied on stdin (`sudo -S`); otherwise `sudo -n`. */
  readonly withPassword: boolean;
}

/** What the session driver needs to recognise sudo's prompt and the start of the command. */
export interface BecomeProtocol {
  readonly user: string;
  readonly withPassword: boolean;
  /** Printed by sudo on stderr when it wants the password. */
  readonly prompt: string;
  /** First line of stdout once sudo has accepted us. */
  readonly marker: string;
}

export interface RemoteCommand {
  readonly script: string;
  readonly become: BecomeProtocol | undefined;
}

export interface RemoteCommandOptions {
  /** Kill the command (and its process group) on the host after this many ms; 0/undefined: no guard. */
  readonly guardMs?: number;
  readonly become?: BecomeSpec;
}

export function buildRemoteCommand(command: string, options: RemoteCommandOptions = {}): RemoteCommand {
  if (!options.guardMs && !options.become) return { script: `exec /bin/sh -c ${shQuote(command)}`, become: undefined };

  // `timeout` is GNU coreutils (every hypervisor has it); without it the command still runs, unguarded.
  // It puts itself in its own process group and on expiry kills that whole group.
  const prelude = options.guardMs
    ? `T=; command -v timeout >/dev/null 2>&1 && T=${shQuote(`timeout -s KILL ${formatSeconds(options.guardMs)}`)}; `
    : '';
  const guard = options.guardMs ? '$T ' : '';
  let become: BecomeProtocol | undefined;
  let body: string;
  if (!options.become) {
    body = `${prelude}exec ${guard}/bin/sh -c "$1"`;
  } else {
    const nonce = randomBytes(12).toString('hex');
    become = {
      user: options.become.user,
      withPassword: options.become.withPassword,
      prompt: `[fleet-sudo-password-${nonce}]`,
      marker: `FLEET-BECOME-OK-${nonce}`,
    };
    const auth = become.withPassword ? `-S -p ${shQuote(become.prompt)}` : '-n';
    // The guard goes INSIDE sudo: outside, it would run as the login user and could not kill root's processes.
    body =
      `${prelude}exec sudo ${auth} -u ${shQuote(become.user)} -- ` +
      `/bin/sh -c ${shQuote(`echo ${become.marker}; exec "$@"`)} fleet-become ${guard}/bin/sh -c "$1"`;
  }
  // The body runs under /bin/sh whatever the login shell is (zsh would not word-split $T), and the
  // user's command travels as "$1", quoted exactly once.
  return { script: `exec /bin/sh -c ${shQuote(body)} fleet ${shQuote(command)}`, become };
}

/** Seconds for `timeout`, rounded up to 0.1 s. */
function formatSeconds(ms: number): string {
  return (Math.ceil(ms / 100) / 10).toString();
}
