/**
 * Which template becomes which file (path, mode) for each stack, and the commands that apply it.
 * Kept apart from the templates so the safe-apply code can see paths and commands without rendering.
 */
import { shJoin, shQuote } from '../core/shell.js';
import type { BridgeParams, BridgeStack } from './types.js';

export interface FileSpec {
  /** Template name under templates/. */
  template: string;
  path: string;
  mode: number;
}

export interface StackPlan {
  files: FileSpec[];
  preWrite: string[];
  reload: string[];
}

/** ifdown only what ifupdown has up (ifdown of an unknown interface exits 1). */
const ifdownIfUp = (iface: string) => `! ifquery --state ${shQuote(iface)} >/dev/null 2>&1 || ifdown ${shQuote(iface)}`;

/** Runtime commands for a bridge networkd already created: it never changes an existing netdev. */
function networkdRuntime(p: BridgeParams): string[] {
  const set = (...words: (string | number)[]) => shJoin(['ip', 'link', 'set', 'dev', p.bridge, ...words]);
  const fdCs = p.forward_delay * 100; // ip link takes centiseconds (USER_HZ)
  // Order matters: the kernel refuses forward_delay < 2 s while STP runs.
  const stp = p.stp
    ? [set('type', 'bridge', 'forward_delay', fdCs), set('type', 'bridge', 'stp_state', 1)]
    : [set('type', 'bridge', 'stp_state', 0), set('type', 'bridge', 'forward_delay', fdCs)];
  const out = [...stp];
  if (p.vlan_aware) out.push(set('type', 'bridge', 'vlan_filtering', 1, 'vlan_default_pvid', 1));
  if (p.bridge_mac) out.push(set('address', p.bridge_mac));
  if (p.mtu !== null) out.push(set('mtu', p.mtu));
  return out;
}

/** The plan for `stack`; `ids` are the NetworkManager connection UUIDs (bridge, port). */
export function stackPlan(stack: BridgeStack, p: BridgeParams, ids: { bridge: string; port: string }): StackPlan {
  switch (stack) {
    case 'ifupdown':
    case 'ifupdown-interfaces-d':
      return {
        files: [
          stack === 'ifupdown'
            ? { template: 'bridge/ifupdown/interfaces.j2', path: '/etc/network/interfaces', mode: 0o644 }
            : { template: 'bridge/ifupdown/interfaces.d.j2', path: `/etc/network/interfaces.d/${p.bridge}`, mode: 0o644 },
        ],
        preWrite: [ifdownIfUp(p.bridge), ifdownIfUp(p.uplink)],
        reload: [shJoin(['ifup', p.bridge])],
      };
    case 'ifupdown2':
      return {
        files: [{ template: 'bridge/ifupdown2/interfaces.j2', path: '/etc/network/interfaces', mode: 0o644 }],
        preWrite: [],
        reload: ['ifreload -a'],
      };
    case 'netplan':
      return {
        files: [{ template: 'bridge/netplan/bridge.yaml.j2', path: `/etc/netplan/60-${p.bridge}.yaml`, mode: 0o600 }],
        preWrite: [],
        // generate first: a config netplan rejects fails here, before apply touches anything.
        reload: ['netplan generate', 'netplan apply'],
      };
    case 'networkmanager': {
      const dir = '/etc/NetworkManager/system-connections';
      return {
        files: [
          { template: 'bridge/networkmanager/bridge.nmconnection.j2', path: `${dir}/${p.bridge}.nmconnection`, mode: 0o600 },
          { template: 'bridge/networkmanager/port.nmconnection.j2', path: `${dir}/${p.bridge}-port-${p.uplink}.nmconnection`, mode: 0o600 },
        ],
        preWrite: [],
        reload: [
          'nmcli connection reload',
          shJoin(['nmcli', 'connection', 'up', 'uuid', ids.bridge]),
          shJoin(['nmcli', 'connection', 'up', 'uuid', ids.port]),
        ],
      };
    }
    case 'networkd': {
      const dir = '/etc/systemd/network';
      return {
        files: [
          { template: 'bridge/networkd/bridge.netdev.j2', path: `${dir}/10-${p.bridge}.netdev`, mode: 0o644 },
          { template: 'bridge/networkd/uplink.network.j2', path: `${dir}/20-${p.uplink}.network`, mode: 0o644 },
          { template: 'bridge/networkd/bridge.network.j2', path: `${dir}/30-${p.bridge}.network`, mode: 0o644 },
        ],
        preWrite: [],
        reload: ['networkctl reload', ...networkdRuntime(p), shJoin(['networkctl', 'reconfigure', p.uplink, p.bridge])],
      };
    }
    case 'libvirt': {
      const file = `/var/lib/fleet/libvirt/${p.libvirt_network}.xml`;
      const net = p.libvirt_network;
      return {
        files: [{ template: 'bridge/libvirt/network.xml.j2', path: file, mode: 0o644 }],
        preWrite: [],
        reload: [
          shJoin(['virsh', 'net-define', file]),
          shJoin(['virsh', 'net-autostart', net]),
          `virsh net-info ${shQuote(net)} | grep -Eq '^Active: +yes' || virsh net-start ${shQuote(net)}`,
        ],
      };
    }
  }
}
