/**
 * /etc/network/interfaces of a simulated host (classic ifupdown + bridge-utils syntax, as in
 * kvm-network-checks.md §3a), describing exactly the clean runtime state so `config.drift` passes.
 * Comments sit on their own lines: interfaces(5) has no end-of-line comments.
 */
import { HOST_LAYOUT, type SimHost } from '../model.js';

export interface InterfacesInput {
  host: SimHost;
  mgmtMac: string;
  vmMac: string;
  /** Leave the VM bridge out (the `config.drift` 'file' fault: persistent config lost the bridge). */
  omitVmBridge?: boolean;
}

export function renderInterfaces(input: InterfacesInput): string {
  const { host } = input;
  const { mgmtBridge, mgmtUplink, vmBridge, vmUplink } = HOST_LAYOUT;
  const lines = [
    `# /etc/network/interfaces of ${host.name} (fleet simulator)`,
    'auto lo',
    'iface lo inet loopback',
    '',
    '# Ports carry no addresses and are not marked auto (bridge-utils-interfaces(5)).',
    `iface ${mgmtUplink} inet manual`,
    '',
    '# Management bridge: the host address lives here.',
    `auto ${mgmtBridge}`,
    `iface ${mgmtBridge} inet static`,
    `    address ${host.address}/${host.prefixLength}`,
    `    gateway ${host.gateway}`,
    `    bridge_ports ${mgmtUplink}`,
    '    bridge_stp off',
    '    bridge_fd 0',
    '    bridge_maxwait 0',
    `    hwaddress ${input.mgmtMac}`,
    '    mtu 1500',
  ];
  if (!input.omitVmBridge) {
    lines.push(
      '',
      `iface ${vmUplink} inet manual`,
      '',
      '# VM bridge: L2 only, guests attach their taps here.',
      `auto ${vmBridge}`,
      `iface ${vmBridge} inet manual`,
      `    bridge_ports ${vmUplink}`,
      '    bridge_stp off',
      '    bridge_fd 0',
      '    bridge_maxwait 0',
      `    hwaddress ${input.vmMac}`,
      '    mtu 1500',
    );
  }
  lines.push('');
  return lines.join('\n');
}
