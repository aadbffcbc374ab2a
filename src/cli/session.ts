/**
 * Turns parsed CLI options into what a run needs: inventory and hosts (validated before anything
 * connects), the results store, transports and connection options, secrets and their redactor.
 */
import os from 'node:os';
import path from 'node:path';
import type { ConnectionSpec, Host, Inventory, Vars } from '../core/inventory.js';
import { InputError } from '../core/errors.js';
import type { Redactor } from '../core/redact.js';
import { applyLimit, connectionSpec, inventorySecretValues, loadInventory, parseExtraVars, selectHosts } from '../inventory/index.js';
import { openRunStore, openRunStoreReadOnly } from '../store/open.js';
import type { RunStore } from '../store/types.js';
import type { SqlRunStore } from '../store/sql-run-store.js';
import type { ConnectOptions, HostKeyMode } from '../transport/types.js';
import { createSshTransport } from '../transport/ssh.js';
import { createLocalTransport } from '../transport/local.js';
import { ConnectionPool } from '../engine/connections.js';
import { HandshakeGate } from '../engine/handshake-gate.js';
import { promptSecret } from './prompt.js';
import { warnerOf } from './io.js';

import type { ConnectionArgs, InventoryArgs } from './options.js';

export type { ConnectionArgs, InventoryArgs } from './options.js';

export interface Targets {
  readonly inventory: Inventory;
  readonly hosts: Host[];
  readonly extraVars: Vars;
  readonly sources: string[];
}

/**
 * Inventory sources from -i. There is deliberately no implicit default: an example inventory in the
 * current directory must never be dialled by accident.
 */
export function inventorySources(args: InventoryArgs, _cwd: string): string[] {
  if (args.inventory?.length) return args.inventory;
  throw new InputError('no inventory given: use -i FILE|DIR|SCRIPT or -i "host1,host2," (see inventory/example/ for the format)');
}

export type LoadedTargets = Omit<Targets, 'hosts'> & {
  /** Hosts matching a pattern, with --limit applied. Throws InputError when none match. */
  select(pattern: string): Host[];
};

/** Loads the inventory and -e vars; warnings go to `warn`. Throws InputError before any connection. */
export async function loadTargets(args: InventoryArgs, cwd: string, warn: (w: string) => void): Promise<LoadedTargets> {
  // yargs turns a repeated --limit into an array; say how to combine patterns instead of guessing.
  const limits: unknown = args.limit;
  if (Array.isArray(limits))
    throw new InputError(`--limit was given ${limits.length} times: give it once, patterns joined with ',' (--limit a,b)`);
  const sources = inventorySources(args, cwd);
  const inventory = await loadInventory(sources, { cwd });
  for (const w of inventory.warnings) warn(w);
  const extraVars = await parseExtraVars(args['extra-vars'] ?? [], cwd);
  const select = (pattern: string): Host[] => {
    let hosts = selectHosts(inventory, pattern);
    // `--limit ''` is a limit too (an empty one, refused by applyLimit), never "no limit".
    if (args.limit !== undefined) hosts = applyLimit(inventory, hosts, args.limit, cwd);
    if (hosts.length === 0)
      throw new InputError(`no hosts matched '${pattern}'${args.limit !== undefined ? ` with --limit '${args.limit}'` : ''}`);
    return hosts;
  };
  return { inventory, extraVars, sources, select };
}

/** Loads the inventory and resolves one pattern and --limit. */
export async function resolveTargets(pattern: string, args: InventoryArgs, cwd: string, warn: (w: string) => void): Promise<Targets> {
  const loaded = await loadTargets(args, cwd, warn);
  return { ...loaded, hosts: loaded.select(pattern) };
}

export async function openStore(dbArg: string | undefined, redact: Redactor): Promise<SqlRunStore> {
  const store = await openRunStore(dbArg, { redact }); // a postgres:// URL or an SQLite path
  // A run left `running` by a controller that died is closed off by whoever opens the DB next.
  await store.recoverInterrupted();
  return store;
}

/**
 * Opens the results store for the length of `fn` and always closes it, flushing what was queued.
 * Every command that touches the DB goes through here: one open per command.
 */
export async function withStore<T>(
  dbArg: string | undefined,
  fn: (store: SqlRunStore) => Promise<T>,
  redact: Redactor = (t) => t,
): Promise<T> {
  const store = await openStore(dbArg, redact);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * The store for a command that only reads (runs, show, report, diff, export, serve): it changes
 * nothing in the DB (no migration, no recovery of dead runs, no mode fix), so a DB the user may
 * only read works; a DB others can read is reported through `warn` instead of tightened.
 */
export async function withReadOnlyStore<T>(
  io: { readonly stderr: NodeJS.WritableStream },
  dbArg: string | undefined,
  command: string,
  fn: (store: SqlRunStore) => Promise<T>,
): Promise<T> {
  const store = await openRunStoreReadOnly(dbArg, { command }, warnerOf(io));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export interface ConnectionSetup {
  readonly specOf: (host: Host) => ConnectionSpec;
  readonly pool: ConnectionPool;
  /** Every secret gathered here (become passwords, key passphrase): for the redactor. */
  readonly secrets: readonly (string | undefined)[];
  readonly warnings: string[];
}

/** Numeric options must be sane before anything connects (yargs lets `--forks abc` through as NaN). */
export function validateConnectionArgs(args: ConnectionArgs): void {
  const positive = (name: string, v: number, integer: boolean) => {
    if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
      throw new InputError(`--${name} must be a positive ${integer ? 'whole ' : ''}number, not '${v}'`);
    }
  };
  positive('forks', args.forks, true);
  positive('connect-timeout', args['connect-timeout'], false);
  positive('timeout', args.timeout, false);
}

/** Everything needed to reach hosts. Secrets are gathered here and only kept in memory. */
export async function setUpConnections(args: ConnectionArgs, targets: Targets, env = process.env): Promise<ConnectionSetup> {
  const warnings: string[] = [];
  let becomePassword = env.FLEET_BECOME_PASSWORD;
  if (args['ask-become-pass']) becomePassword = await promptSecret('BECOME password: ');
  let passphrase = env.FLEET_SSH_PASSPHRASE;
  if (args['ask-key-passphrase']) passphrase = await promptSecret('SSH key passphrase: ');
  const mode = (args['host-key-checking'] ?? env.FLEET_HOST_KEY_CHECKING ?? 'strict') as HostKeyMode;
  if (!['strict', 'accept-new', 'off'].includes(mode))
    throw new InputError(`FLEET_HOST_KEY_CHECKING must be strict, accept-new or off, not '${mode}'`);
  if (mode === 'off') warnings.push('host key checking is OFF: hosts are not verified and a man in the middle would not be noticed');

  const home = os.homedir();
  const knownHostsFiles = args['known-hosts']?.length
    ? args['known-hosts'].map((f) => path.resolve(f))
    : [path.join(home, '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];

  const options: ConnectOptions = {
    connectTimeoutMs: args['connect-timeout'] * 1000,
    commandTimeoutMs: args.timeout * 1000,
    keepaliveIntervalMs: 5000,
    knownHostsFiles,
    hostKeyMode: mode,
    ...(passphrase !== undefined ? { passphrase } : {}),
    ...(env.SSH_AUTH_SOCK ? { agentSocket: env.SSH_AUTH_SOCK } : {}),
  };

  const specOf = (host: Host): ConnectionSpec => {
    const spec = connectionSpec(host, targets.extraVars);
    return {
      ...spec,
      become: args.become ?? spec.become,
      becomeUser: args['become-user'] ?? spec.becomeUser,
      becomePassword: becomePassword ?? spec.becomePassword,
    };
  };
  const secrets = [
    becomePassword,
    passphrase,
    ...targets.hosts.map((h) => specOf(h).becomePassword),
    ...inventorySecretValues(targets.inventory.hosts.values(), targets.extraVars),
  ];
  // --forks bounds everything either way; the gate only decides how many of those are mid-handshake.
  const gate = args.adaptive === false ? undefined : new HandshakeGate({ forks: args.forks, timeoutMs: options.connectTimeoutMs });
  const pool = new ConnectionPool({ ssh: createSshTransport(), local: createLocalTransport() }, options, gate);
  return { specOf, pool, secrets, warnings };
}
