/**
 * parseFacts: raw facts-script output → HostFacts. Never throws: a section that is missing, failed,
 * timed out or unparseable becomes an explicit `ok: false` with a reason, so each check can answer
 * `error`/`skipped` honestly instead of the whole host failing.
 */
import { buildLinks, parseSysfs } from './links.js';
import { parseIfupdown } from './parse-ifupdown.js';
import { parseAddrs, parseBridgeVlans, parseIpLinks, parseNeigh, parseRoutes, parseRules } from './parse-ip.js';
import { parseIptablesSave } from './parse-iptables.js';
import { parseVirsh } from './parse-libvirt.js';
import { parseNft } from './parse-nft.js';
import { parseBrNetfilter, parseDnsmasq, parseKernel, parseLibvirtConf, parseSysctls } from './parse-sys.js';
import { FACTS_FORMAT_VERSION } from './script.js';
import { gather, splitSections, type SplitOutput } from './sections.js';
import type { Gathered, HostFacts } from './types.js';

function firstLineOf(stdout: string): string {
  // Scanned, not split: a hostile host can send a section of millions of empty lines.
  const at = /\S/.exec(stdout)?.index;
  if (at === undefined) throw new Error('empty output');
  const end = stdout.indexOf('\n', at);
  return stdout.slice(at, end < 0 ? stdout.length : end).trim();
}

/**
 * A firewall tool that exists while the kernel lacks its backend (nft/iptables-nft without
 * nf_tables) answers "…not supported": that backend cannot hold rules, so it is `unsupported`
 * (checks skip it) rather than `failed` (checks would have to say error).
 */
function firewall<T>(split: SplitOutput, name: string, parse: (stdout: string) => T): Gathered<T> {
  const g = gather(split, name, parse);
  const err = split.sections.get(name)?.stderr ?? '';
  if (!g.ok && g.cause === 'failed' && /(Operation|Protocol) not supported|nf_tables.*(not|un)available/i.test(err)) {
    return { ok: false, cause: 'unsupported', reason: `${name}: the kernel has no nf_tables (${err.split('\n')[0]?.trim() ?? ''})` };
  }
  return g;
}

function virsh(split: SplitOutput): HostFacts['libvirt'] {
  const s = split.sections.get('virsh');
  const nonce = split.nonce ?? '';
  // A failed listing (no libvirtd, bad URI) has no LIST block: report the failure with virsh's stderr.
  // Once the listing worked, rc 1 only means one dumpxml failed; that is recorded per domain.
  const listed = s !== undefined && hasLine(s.stdout, `@@LIST@@ ${nonce}`);
  return gather(split, 'virsh', (out) => parseVirsh(out, nonce), { okRcs: listed ? [0, 1] : [0] });
}

/** Whether `line` is one whole line of `text` (without splitting it into an array). */
function hasLine(text: string, line: string): boolean {
  for (let at = text.indexOf(line); at >= 0; at = text.indexOf(line, at + 1)) {
    const end = at + line.length;
    if ((at === 0 || text[at - 1] === '\n') && (end === text.length || text[end] === '\n')) return true;
  }
  return false;
}

/** Parses the facts script's whole stdout. */
export function parseFacts(raw: string): HostFacts {
  const split = splitSections(raw);
  if (split.nonce !== null && split.version !== FACTS_FORMAT_VERSION) {
    const reason = `facts format ${split.version ?? '?'} is not ${FACTS_FORMAT_VERSION}`;
    return allMissing(split, reason);
  }
  const nonce = split.nonce ?? '';
  return {
    format: 'fleet-facts/v1',
    complete: split.complete,
    hostname: gather(split, 'hostname', firstLineOf),
    machineId: gather(split, 'machine_id', firstLineOf),
    kernel: gather(split, 'kernel', firstLineOf),
    links: buildLinks(gather(split, 'links', parseIpLinks), gather(split, 'sysfs', parseSysfs)),
    addrs: gather(split, 'addrs', parseAddrs),
    routes4: gather(split, 'routes4', parseRoutes),
    routes6: gather(split, 'routes6', parseRoutes),
    rules4: gather(split, 'rules4', parseRules),
    neigh: gather(split, 'neigh', parseNeigh),
    bridgeVlans: gather(split, 'br_vlan', parseBridgeVlans),
    sysctls: gather(split, 'sysctl', parseSysctls),
    brNetfilter: gather(split, 'sysctl', parseBrNetfilter),
    nft: firewall(split, 'nft', parseNft),
    iptables: {
      v4nft: firewall(split, 'ipt4_nft', parseIptablesSave),
      v4legacy: firewall(split, 'ipt4_legacy', parseIptablesSave),
      v6nft: firewall(split, 'ipt6_nft', parseIptablesSave),
      v6legacy: firewall(split, 'ipt6_legacy', parseIptablesSave),
    },
    kernelModules: gather(split, 'modules', parseKernel),
    ifupdown: gather(split, 'ifupdown', (out) => parseIfupdown(out, nonce)),
    // grep: 1 = no firewall_backend line, 2 = no network.conf; both mean "libvirt's default".
    libvirtFirewallBackend: gather(split, 'libvirt_conf', parseLibvirtConf, { okRcs: [0, 1, 2] }),
    // pgrep: 1 = no such process.
    dnsmasq: gather(split, 'dnsmasq', parseDnsmasq, { okRcs: [0, 1] }),
    libvirt: virsh(split),
  };
}

function allMissing(split: SplitOutput, reason: string): HostFacts {
  const no: Gathered<never> = { ok: false, cause: 'unsupported', reason };
  return {
    format: 'fleet-facts/v1',
    complete: split.complete,
    hostname: no,
    machineId: no,
    kernel: no,
    links: no,
    addrs: no,
    routes4: no,
    routes6: no,
    rules4: no,
    neigh: no,
    bridgeVlans: no,
    sysctls: no,
    brNetfilter: no,
    nft: no,
    iptables: { v4nft: no, v4legacy: no, v6nft: no, v6legacy: no },
    kernelModules: no,
    ifupdown: no,
    libvirtFirewallBackend: no,
    dnsmasq: no,
    libvirt: no,
  };
}
