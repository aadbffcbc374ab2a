/**
 * Host key policy for one connection: which host key algorithms to ask for, and whether to accept
 * the key the server presents under strict / accept-new / off. Decisions carry the one-line reason
 * that becomes the UnreachableError message.
 */
import type { UnreachableKind } from '../core/result.js';
import type { HostKeyMode } from './types.js';
import type { KnownHostsStore } from './known-hosts-store.js';
import {
  checkHostKey,
  type HostKeyVerdict,
  fingerprintSha256,
  keyTypeLabel,
  keyTypeOf,
  knownHostsName,
  knownKeyTypes,
  preferredHostKeyAlgorithms,
} from './known-hosts.js';
import { shQuote } from '../core/shell.js';

export type HostKeyDecision =
  | { readonly accept: true; readonly appended: boolean }
  | { readonly accept: false; readonly kind: Extract<UnreachableKind, 'hostkey-changed' | 'hostkey-unknown'>; readonly reason: string };

export interface HostKeyCheck {
  /** Server host key algorithms in preference order (known types first). */
  readonly algorithms: readonly string[];
  verify(blob: Buffer): Promise<HostKeyDecision>;
}

export interface HostKeyCheckOptions {
  readonly mode: HostKeyMode;
  readonly store: KnownHostsStore;
  /** Address and port as dialled (the jump target's address when tunnelled). */
  readonly host: string;
  readonly port: number;
  /** ssh2's default algorithm list, and everything it supports. */
  readonly defaultAlgorithms: readonly string[];
  readonly supportedAlgorithms: readonly string[];
  /** Write accepted keys hashed (HashKnownHosts yes). OpenSSH's default is no. */
  readonly hashKnownHosts?: boolean;
}

/** Prepares the check (reads known_hosts unless mode is off). */
export async function prepareHostKeyCheck(opts: HostKeyCheckOptions): Promise<HostKeyCheck> {
  const name = knownHostsName(opts.host, opts.port);
  if (opts.mode === 'off') {
    return { algorithms: opts.defaultAlgorithms, verify: async () => ({ accept: true, appended: false }) };
  }
  const entries = await opts.store.entriesFor(name);
  const algorithms = preferredHostKeyAlgorithms(knownKeyTypes(entries, name), opts.defaultAlgorithms, opts.supportedAlgorithms);
  return {
    algorithms,
    async verify(blob) {
      const verdict = checkHostKey(await opts.store.entriesFor(name), name, blob);
      if (opts.mode !== 'accept-new' || verdict.status !== 'unknown' || verdict.otherTypes.length > 0)
        return decide(opts, name, blob, verdict);
      try {
        const outcome = await opts.store.acceptNew(name, blob, opts.hashKnownHosts ?? false);
        // Not added: since we first read it, another connection or fleet process recorded this name.
        return outcome.added ? { accept: true, appended: true } : decide(opts, name, blob, outcome.verdict);
      } catch (err) {
        // Accepting a key we could not record would silently skip verification next time.
        return {
          accept: false,
          kind: 'hostkey-unknown',
          reason: `host key for ${name} (${describeKey(blob)}) is new but could not be added to ${opts.store.files[0]}: ${(err as Error).message}`,
        };
      }
    },
  };
}

function describeKey(blob: Buffer): string {
  return `${keyTypeLabel(keyTypeOf(blob) ?? 'unknown')} key ${fingerprintSha256(blob)}`;
}

/** The decision for a key that accept-new does not (or may not) record. */
function decide(opts: HostKeyCheckOptions, name: string, blob: Buffer, verdict: HostKeyVerdict): HostKeyDecision {
  const fp = describeKey(blob);
  const port = opts.port === 22 ? '' : `-p ${opts.port} `;
  const target = shQuote(opts.store.files[0] ?? '~/.ssh/known_hosts');
  switch (verdict.status) {
    case 'known':
      return { accept: true, appended: false };
    case 'revoked':
      return {
        accept: false,
        kind: 'hostkey-changed',
        reason: `host key ${fp} for ${name} is REVOKED (@revoked in ${verdict.entry.file}:${verdict.entry.line}); refusing to connect`,
      };
    case 'changed': {
      const old = verdict.expected[0];
      const where = old ? ` (${old.file}:${old.line} has ${fingerprintSha256(old.key)})` : '';
      return {
        accept: false,
        kind: 'hostkey-changed',
        reason:
          `WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED! The ${fp} presented by ${name} does not match known_hosts${where}; ` +
          `someone could be eavesdropping (man-in-the-middle) or the host key was just changed. ` +
          `If the change is legitimate, remove the old key with: ssh-keygen -R ${shQuote(name)}${old ? ` -f ${shQuote(old.file)}` : ''}`,
      };
    }
    case 'unknown': {
      if (opts.mode === 'accept-new' && verdict.others.length > 0) {
        // OpenSSH's accept-new would add it; a man in the middle without the host's key would present
        // exactly this (a type the client has not pinned yet), so it is refused like a changed key.
        const first = verdict.others[0];
        const where = first ? ` at ${first.file}:${first.line}` : '';
        const scanType = keyTypeLabel(keyTypeOf(blob) ?? 'unknown').toLowerCase();
        return {
          accept: false,
          kind: 'hostkey-changed',
          reason:
            `host key for ${name}: it presented ${fp} but known_hosts has only keys of other types (${verdict.otherTypes.join(', ')}${where}); ` +
            `accept-new does not add a new key type next to known ones. If the host really has this key, check the fingerprint, then add it with: ` +
            `ssh-keyscan -t ${scanType} ${port}${shQuote(opts.host)} >> ${target}`,
        };
      }
      const others = verdict.otherTypes.length ? ` (keys of other types are known: ${verdict.otherTypes.join(', ')})` : '';
      return {
        accept: false,
        kind: 'hostkey-unknown',
        reason:
          `host key for ${name} is not known${others}: it presented ${fp}. ` +
          `Check the fingerprint, then add it with: ssh-keyscan ${port}${shQuote(opts.host)} >> ${target} ` +
          `or run with --host-key-checking accept-new`,
      };
    }
  }
}
