/** Parsers for the procfs/sysfs-derived sections: sysctls, kernel modules/devices, dnsmasq, libvirt conf. */
import type { KernelFacts, ModuleState } from './types.js';

const SYSCTL_LINE = /^\/proc\/sys\/(.+?):(.*)$/;

/** `grep -H` lines `/proc/sys/net/ipv4/ip_forward:1` → `{ "net.ipv4.ip_forward": "1" }`. */
export function parseSysctls(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = SYSCTL_LINE.exec(line);
    if (!m || m[2] === 'absent') continue;
    out[(m[1] ?? '').replaceAll('/', '.')] = (m[2] ?? '').trim();
  }
  return out;
}

/** br_netfilter is active iff /proc/sys/net/bridge exists; the script prints `…:absent` otherwise. */
export function parseBrNetfilter(text: string): boolean {
  if (text.includes('/proc/sys/net/bridge:absent')) return false;
  return text.split('\n').some((l) => l.startsWith('/proc/sys/net/bridge/'));
}

const MODULES = ['bridge', 'br_netfilter', 'tun', 'vhost_net', 'macvtap', 'kvm', 'kvm_intel', 'kvm_amd'] as const;
const MISC: Readonly<Record<string, string>> = { tun: 'tun', kvm: 'kvm', 'vhost-net': 'vhost_net' };
const CONFIG: Readonly<Record<string, string>> = {
  BRIDGE: 'bridge',
  BRIDGE_NETFILTER: 'br_netfilter',
  TUN: 'tun',
  VHOST_NET: 'vhost_net',
  MACVTAP: 'macvtap',
  KVM: 'kvm',
  KVM_INTEL: 'kvm_intel',
  KVM_AMD: 'kvm_amd',
};

/**
 * The `modules` section. lsmod misses built-in code, so a module is: loaded (/sys/module or its misc
 * device is registered), builtin (modules.builtin or =y), available (modules.dep or =m), absent (we
 * could read a list that would have named it), or unknown (nothing to tell from).
 */
export function parseKernel(text: string): KernelFacts {
  const loaded = new Set<string>();
  const builtin = new Set<string>();
  const available = new Set<string>();
  const devices: Record<string, 'char' | 'other' | 'absent'> = {};
  const lists = new Set<string>();
  for (const line of text.split('\n')) {
    const [word, a = '', b = ''] = line.trim().split(/\s+/);
    if (word === 'loaded') loaded.add(a);
    else if (word === 'misc' && MISC[a]) loaded.add(MISC[a]);
    else if (word === 'dev' && (b === 'char' || b === 'other' || b === 'absent')) devices[a] = b;
    else if (word === 'builtin-list' || word === 'dep-list' || word === 'config-list') lists.add(word);
    else if (word === 'builtin' || word === 'dep') {
      const m = /\/([a-z_]+)\.ko/.exec(a);
      if (m?.[1]) (word === 'builtin' ? builtin : available).add(m[1]);
    } else if (word === 'config') {
      const m = /^CONFIG_([A-Z_]+)=([ym])$/.exec(a);
      const mod = m?.[1] ? CONFIG[m[1]] : undefined;
      if (mod) (m?.[2] === 'y' ? builtin : available).add(mod);
    }
  }
  // "absent" needs a complete picture: the kernel config, or both module lists.
  const complete = lists.has('config-list') || (lists.has('builtin-list') && lists.has('dep-list'));
  const modules: Record<string, ModuleState> = {};
  for (const m of MODULES) {
    modules[m] = loaded.has(m) ? 'loaded' : builtin.has(m) ? 'builtin' : available.has(m) ? 'available' : complete ? 'absent' : 'unknown';
  }
  return { modules, devices };
}

/** `pgrep -a dnsmasq` → command lines (pid stripped). */
export function parseDnsmasq(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim().replace(/^\d+\s+/, ''))
    .filter((l) => l !== '');
}

/** `firewall_backend = "nftables"` → nftables; nothing (grep rc 1/2) → null. */
export function parseLibvirtConf(text: string): string | null {
  const m = /^\s*firewall_backend\s*=\s*"?([A-Za-z]+)"?/m.exec(text);
  return m?.[1] ?? null;
}
