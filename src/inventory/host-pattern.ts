/**
 * One host entry of an INI or YAML inventory (`hv[01:40].dc1`, `db1:2222`) turned into host names and an
 * optional port, as Ansible's `_expand_hostpattern` does.
 */
import { parseAddress } from './address.js';
import { expandHostnameRange, hasRange } from './range.js';

export interface ExpandedHosts {
  readonly names: string[];
  readonly port: number | undefined;
}

/** Expands ranges and splits off `:port`; throws HostRangeError for a bad range. */
export function expandHostPattern(pattern: string): ExpandedHosts {
  const parsed = parseAddress(pattern, true);
  const base = parsed ? parsed.host : pattern;
  const port = parsed ? parsed.port : undefined;
  return { names: hasRange(base) ? expandHostnameRange(base) : [base], port };
}
