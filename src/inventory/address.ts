/**
 * Ansible's `parse_address`: splits `host:port`, `[v6]:port` and `1.2.3.4:port`, and decides whether a
 * string is a valid host name or address (possibly with `[x:y]` ranges). Ansible only takes the port off
 * when what is left is a valid name, so `weird!name:22` stays a single literal name.
 */

const numericRange = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const hexRange = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const alnumRange = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const v6c = String.raw`(?:[0-9a-f]{1,4}|${hexRange})`;
const v4c = String.raw`(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${numericRange})`;
// Python's \w is Unicode-aware.
const w = String.raw`[\p{L}\p{N}_]`;
const label = String.raw`(?:${w}|${alnumRange})(?:${w}|[_-]|${alnumRange})*(?<![_-])`;

const BRACKETED_HOSTPORT = /^\[(.+)\]:([0-9]+)$/;
const HOSTPORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/;
const IPV4 = new RegExp(String.raw`^(?:${v4c}\.){3}${v4c}$`, 'i');
const IPV6 = new RegExp(
  '^(?:' +
    [
      String.raw`(?:${v6c}:){7}${v6c}`,
      String.raw`(?:${v6c}:){1,6}:`,
      String.raw`(?:${v6c}:)(?::${v6c}){1,6}`,
      String.raw`(?:${v6c}:){2}(?::${v6c}){1,5}`,
      String.raw`(?:${v6c}:){3}(?::${v6c}){1,4}`,
      String.raw`(?:${v6c}:){4}(?::${v6c}){1,3}`,
      String.raw`(?:${v6c}:){5}(?::${v6c}){1,2}`,
      String.raw`(?:${v6c}:){6}(?::${v6c})`,
      String.raw`:(?::${v6c}){1,6}`,
      String.raw`${v6c}?::`,
      String.raw`(?:0:){6}(?:${v6c}\.){3}${v6c}`,
      String.raw`::(?:ffff:)?(?:${v6c}\.){3}${v6c}`,
      String.raw`(?:0:){5}ffff:(?:${v6c}\.){3}${v6c}`,
    ].join('|') +
    ')$',
  'i',
);
const HOSTNAME = new RegExp(String.raw`^${label}(?:\.${label})*$`, 'iu');

/** True for an IPv4 or IPv6 address (ranges allowed), as Ansible's address patterns judge it. */
export function isIpAddress(s: string): boolean {
  return IPV4.test(s) || IPV6.test(s);
}

/** Returns {host, port} or undefined when Ansible would raise ("Not a valid network hostname"). */
export function parseAddress(address: string, allowRanges: boolean): { host: string; port: number | undefined } | undefined {
  let rest = address;
  let port: number | undefined;
  for (const re of [BRACKETED_HOSTPORT, HOSTPORT]) {
    const m = re.exec(rest);
    if (m) {
      rest = m[1]!;
      port = Number(m[2]);
    }
  }
  if (!(IPV4.test(rest) || IPV6.test(rest) || HOSTNAME.test(rest))) return undefined;
  if (!allowRanges && rest.includes('[')) return undefined;
  return { host: rest, port };
}
