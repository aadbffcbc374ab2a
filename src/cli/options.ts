/** Options shared by several commands, defined once so help texts and defaults agree. */
import type { InferredOptionTypes, Options } from 'yargs';
import { InputError } from '../core/errors.js';
import { DEFAULT_TREND } from '../report/build-report.js';

/** Default --forks, chosen from measurement (see README "Choosing --forks"). */
export const DEFAULT_FORKS = 50;

export const inventoryOptions = {
  inventory: {
    alias: 'i',
    type: 'string',
    array: true,
    description: 'Inventory (required): INI/YAML file, directory, executable script, or a comma list of hosts ("hv1,hv2,"). Repeatable',
  },
  'extra-vars': {
    alias: 'e',
    type: 'string',
    array: true,
    description: 'Extra vars (highest precedence): key=value, a JSON object, or @file.yml. Repeatable',
  },
  limit: {
    alias: 'l',
    type: 'string',
    description:
      'Further limit hosts with a pattern, @file (one host per line), or @failed / @skipped: the hosts that failed, or were never run, in the last run of this playbook (fleet run)',
  },
} as const satisfies Record<string, Options>;

/** The `<run>` of show and export. */
export const runPositional = { type: 'string', demandOption: true, describe: 'Run id, or last' } as const;

export const dbOptions = {
  db: {
    type: 'string',
    description:
      'Results database: an SQLite file, or a postgres:// URL (password from PGPASSWORD or ~/.pgpass). Default: $FLEET_DB or ./fleet.db',
  },
} as const satisfies Record<string, Options>;

/** `--trend` of report and serve: runs in the report's trend chart. */
export const trendOptions = {
  trend: { type: 'number', default: DEFAULT_TREND, description: 'Runs in the trend chart (1-1000)' },
} as const satisfies Record<string, Options>;

/** Throws InputError unless `trend` is a whole number from 1 to 1000. */
export function checkTrend(trend: number): void {
  if (!Number.isInteger(trend) || trend < 1 || trend > 1000)
    throw new InputError(`--trend must be a whole number from 1 to 1000, not ${trend}`);
}

export const connectionOptions = {
  forks: {
    alias: 'f',
    type: 'number',
    default: DEFAULT_FORKS,
    description:
      'How many hosts to work on at once, at most. SSH handshakes start fewer and adapt (see --adaptive); --no-adaptive: exactly this many',
  },
  adaptive: {
    type: 'boolean',
    default: true,
    description:
      'Adapt how many SSH handshakes run at once (up to --forks): start at 10, grow while handshakes stay fast, halve when they slow to 3x their fastest usual time or time out from overload, and retry (twice at most) hosts whose handshake timed out from that overload. Hosts that refuse, never answer TCP, reject the key or show a wrong host key are never retried. --no-adaptive: always --forks at once, no retries',
  },
  become: { alias: 'b', type: 'boolean', description: 'Run commands through sudo (overrides ansible_become)' },
  'become-user': { type: 'string', description: 'User to become (default root)' },
  'ask-become-pass': {
    alias: 'K',
    type: 'boolean',
    description: "Prompt for the sudo password (or set FLEET_BECOME_PASSWORD); it is sent on sudo's stdin, never stored",
  },
  'ask-key-passphrase': {
    type: 'boolean',
    description: 'Prompt for the passphrase of encrypted private keys (or set FLEET_SSH_PASSPHRASE; ssh-agent needs neither)',
  },
  'host-key-checking': {
    type: 'string',
    choices: ['strict', 'accept-new', 'off'],
    description:
      'strict: unknown host keys refused (default; or $FLEET_HOST_KEY_CHECKING). accept-new: unknown keys are added to known_hosts. off: no verification (warned). A changed key is refused unless off',
  },
  'known-hosts': {
    type: 'string',
    array: true,
    description: 'known_hosts file(s) to verify against (default ~/.ssh/known_hosts and /etc/ssh/ssh_known_hosts)',
  },
  'connect-timeout': { type: 'number', default: 10, description: 'Seconds to wait for a host to connect and authenticate' },
  timeout: { alias: 'T', type: 'number', default: 120, description: 'Seconds one command may run before it is killed' },
} as const satisfies Record<string, Options>;

export const outputOptions = {
  json: { type: 'boolean', description: 'Print one JSON document on stdout instead of human output' },
} as const satisfies Record<string, Options>;

/** A repeatable list option whose values may also be comma lists (`-t a,b -t c`): the items, trimmed, none empty. */
export const splitList = (values: readonly string[] | undefined): string[] =>
  (values ?? [])
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);

/** Keys whose value may be undefined become optional: callers (and tests) pass only what they set. */
type OptionalWhenUndefined<T> = { [K in keyof T as undefined extends T[K] ? K : never]?: T[K] } & {
  [K in keyof T as undefined extends T[K] ? never : K]: T[K];
};

/** The parsed arguments of a set of option definitions: one definition, no hand-written copy. */
export type ArgsOf<O extends Record<string, Options>> = OptionalWhenUndefined<InferredOptionTypes<O>>;

/** Every option of a command that runs something on hosts (run, exec). */
export const hostRunOptions = { ...inventoryOptions, ...connectionOptions, ...dbOptions, ...outputOptions } as const;
export type HostRunArgs = ArgsOf<typeof hostRunOptions>;
export type InventoryArgs = ArgsOf<typeof inventoryOptions>;
export type ConnectionArgs = ArgsOf<typeof connectionOptions>;
export type DbArgs = ArgsOf<typeof dbOptions>;

/** Connection options of unattended runs (daemon, schedule run): no prompts; secrets come from the environment. */
const { 'ask-become-pass': _askBecome, 'ask-key-passphrase': _askKey, ...unattended } = connectionOptions;
export const unattendedConnectionOptions = unattended;
