/**
 * detectStack: which manager owns the host's network config, from a few gathered facts.
 * A host var `network_stack` overrides detection. Ambiguous hosts (two managers active) are an
 * error, not a guess: writing config for the wrong owner is how hosts fall off the network.
 */
import { hostError, paramError } from './errors.js';
import { HOST_STACKS, type HostStack } from './types.js';

/** What detection needs; the lead fills it from gathered facts. */
export interface StackFacts {
  /** Active systemd units, e.g. "networking.service", "NetworkManager.service", "systemd-networkd.service". */
  activeUnits: string[];
  /** Files in /etc/netplan (names or paths); any *.yaml/*.yml means netplan generates the config. */
  netplanFiles: string[];
  /** Which ifupdown is installed: `dpkg-query -W ifupdown ifupdown2` (null: neither). */
  ifupdownFlavor: 'classic' | 'ifupdown2' | null;
  /** `nmcli` is installed. */
  hasNmcli: boolean;
  /** Proxmox VE host (/etc/pve exists or pve-manager installed). */
  proxmox?: boolean;
  /** /etc/network/interfaces has `source /etc/network/interfaces.d/*` (Debian's default file does). */
  interfacesSourcesD?: boolean;
}

export interface DetectedStack {
  stack: HostStack;
  /** One line: why this stack was chosen, for logs and `--check` output. */
  reason: string;
}

const ALIASES: Record<string, HostStack> = {
  nm: 'networkmanager',
  'network-manager': 'networkmanager',
  'systemd-networkd': 'networkd',
  proxmox: 'ifupdown2',
  'ifupdown-classic': 'ifupdown',
  'interfaces.d': 'ifupdown-interfaces-d',
};

const unitName = (u: string) => (u.includes('.') ? u : `${u}.service`);

/** Picks the stack for `host`; `networkStackVar` is the host's `network_stack` variable, if any. */
export function detectStack(facts: StackFacts, host: string, networkStackVar?: unknown): DetectedStack {
  if (networkStackVar !== undefined && networkStackVar !== null && networkStackVar !== '') {
    const v = typeof networkStackVar === 'string' ? networkStackVar.trim().toLowerCase() : '';
    const stack = (HOST_STACKS as readonly string[]).includes(v) ? (v as HostStack) : ALIASES[v];
    if (!stack) throw paramError(host, 'network_stack', `must be one of ${HOST_STACKS.join(', ')}`, networkStackVar);
    return { stack, reason: 'host var network_stack' };
  }

  const active = new Set(facts.activeUnits.map(unitName));
  const nm = active.has('NetworkManager.service');
  const networkd = active.has('systemd-networkd.service');
  const netplanFiles = facts.netplanFiles.filter((f) => /\.ya?ml$/.test(f));

  // netplan regenerates networkd/NM config in /run at every boot; files for those managers in
  // /etc would fight with it, so netplan owns the config whichever backend it renders for.
  if (netplanFiles.length > 0) return { stack: 'netplan', reason: `netplan files present (${netplanFiles.join(', ')})` };
  if (facts.proxmox) return { stack: 'ifupdown2', reason: 'Proxmox VE host' };
  if (nm && networkd) {
    throw hostError(host, 'both NetworkManager and systemd-networkd are active; set network_stack to the one that owns the bridge');
  }
  if (nm) {
    if (!facts.hasNmcli) throw hostError(host, 'NetworkManager is active but nmcli is missing (needed to reload connections)');
    // Debian desktops run networking.service for lo next to NetworkManager: NM still owns the NICs.
    return { stack: 'networkmanager', reason: 'NetworkManager.service active' };
  }
  const ifupdownActive = active.has('networking.service') || active.has('ifupdown-pre.service');
  if (networkd && ifupdownActive && facts.ifupdownFlavor) {
    throw hostError(host, 'both ifupdown (networking.service) and systemd-networkd are active; set network_stack');
  }
  if (networkd) return { stack: 'networkd', reason: 'systemd-networkd.service active' };
  if (facts.ifupdownFlavor === 'ifupdown2') return { stack: 'ifupdown2', reason: 'ifupdown2 installed' };
  if (facts.ifupdownFlavor === 'classic') {
    return facts.interfacesSourcesD
      ? { stack: 'ifupdown-interfaces-d', reason: 'classic ifupdown; /etc/network/interfaces sources interfaces.d' }
      : { stack: 'ifupdown', reason: 'classic ifupdown' };
  }
  throw hostError(
    host,
    'no supported network manager found (ifupdown, ifupdown2, netplan, NetworkManager, systemd-networkd); set network_stack',
  );
}
