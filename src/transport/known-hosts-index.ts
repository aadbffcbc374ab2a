/**
 * known_hosts entries indexed by host name, so looking up one host costs the same with 10 lines or
 * 100,000: entries whose host field is only plain names (what `ssh-keyscan` and accept-new write)
 * are found by name; only hashed, wildcard and negated fields are matched one by one (hashed ones
 * cannot be indexed: each has its own salt, OpenSSH scans them too). Lookups keep file order.
 */
import { hostFieldMatches, type KnownHostEntry } from './known-hosts.js';

export class KnownHostsIndex {
  readonly #byName = new Map<string, KnownHostEntry[]>();
  readonly #scanned: KnownHostEntry[] = [];
  readonly #order = new Map<KnownHostEntry, number>();

  constructor(entries: readonly KnownHostEntry[] = []) {
    for (const e of entries) this.add(e);
  }

  add(e: KnownHostEntry): void {
    this.#order.set(e, this.#order.size);
    const patterns = e.hosts.startsWith('|') ? null : e.hosts.toLowerCase().split(',');
    if (patterns === null || patterns.some((p) => /[*?!]/.test(p))) {
      this.#scanned.push(e);
      return;
    }
    for (const p of new Set(patterns)) {
      const list = this.#byName.get(p);
      if (list) list.push(e);
      else this.#byName.set(p, [e]);
    }
  }

  /** Every entry whose host field matches `name` (from knownHostsName), in file order. */
  forName(name: string): KnownHostEntry[] {
    const direct = this.#byName.get(name) ?? [];
    const scanned = this.#scanned.filter((e) => hostFieldMatches(e.hosts, name));
    if (scanned.length === 0) return [...direct];
    return [...direct, ...scanned].sort((a, b) => this.#order.get(a)! - this.#order.get(b)!);
  }
}
