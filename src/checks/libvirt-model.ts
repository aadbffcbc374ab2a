/** libvirt network views shared by checks and fixes. */
import type { HostFacts, LibvirtNetwork } from '../facts/types.js';
import { parseCidr4 } from './model.js';
import { need } from './need.js';

export interface NetUse {
  running: string[];
  autostart: string[];
}

/** Networks referenced by running or autostart guests (plus `default` when vmNetworkMode is nat). */
export function usedNetworks(f: HostFacts, natMode: boolean): Map<string, NetUse> {
  const used = new Map<string, NetUse>();
  for (const d of need(f.libvirt).domains) {
    if (!d.running && !d.autostart) continue;
    for (const nic of d.interfaces) {
      if (nic.type !== 'network' || !nic.sourceNetwork) continue;
      const u = used.get(nic.sourceNetwork) ?? { running: [], autostart: [] };
      (d.running ? u.running : u.autostart).push(d.name);
      used.set(nic.sourceNetwork, u);
    }
  }
  if (natMode && !used.has('default')) used.set('default', { running: [], autostart: [] });
  return used;
}

export function networkCidr(n: LibvirtNetwork): string | undefined {
  const ip = n.ips.find((i) => i.family === 'ipv4');
  const c = ip ? parseCidr4(`${ip.address}/${ip.prefix}`) : undefined;
  if (!c) return undefined;
  const b = c.base;
  return `${[b >>> 24, (b >>> 16) & 255, (b >>> 8) & 255, b & 255].join('.')}/${c.len}`;
}
