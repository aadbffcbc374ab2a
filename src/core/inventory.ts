/** Pure inventory types. Vars are Ansible-style: plain JSON-like values. */
export type Vars = Record<string, unknown>;

export interface Host {
  /** Inventory name (what patterns match and what reports show). */
  readonly name: string;
  /** Every group the host belongs to, directly or through children, including `all`. */
  readonly groups: readonly string[];
  /** Fully merged vars (group precedence applied, host vars last; extra vars are applied later). */
  readonly vars: Vars;
}

export interface Group {
  readonly name: string;
  /** Hosts listed directly in this group (not through children). */
  readonly hosts: readonly string[];
  readonly children: readonly string[];
  /** The group's own vars (inline + group_vars/). */
  readonly vars: Vars;
}

export interface Inventory {
  /** Hosts in definition order. */
  readonly hosts: ReadonlyMap<string, Host>;
  readonly groups: ReadonlyMap<string, Group>;
  /** Where it came from (the -i values), for the run record. */
  readonly sources: readonly string[];
}

/**
 * How to reach one host, derived from its vars (ansible_host, ansible_port, …).
 * Secrets (become password, key passphrase) live here only in memory; never stored or logged.
 */
export interface ConnectionSpec {
  /** Inventory name, used in messages and results. */
  readonly name: string;
  readonly connection: 'ssh' | 'local';
  /** Address to dial (ansible_host or the name). */
  readonly address: string;
  readonly port: number;
  readonly user: string | undefined;
  readonly privateKeyFile: string | undefined;
  /** `user@host:port` of a jump host from `-o ProxyJump=…` in ansible_ssh_common_args. */
  readonly proxyJump: string | undefined;
  readonly become: boolean;
  readonly becomeUser: string | undefined;
  readonly becomePassword: string | undefined;
}
