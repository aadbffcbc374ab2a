/** detectStack: picks the owner of the network config from facts; network_stack overrides. */
import { describe, expect, it } from 'vitest';
import { detectStack, type StackFacts } from '../../../src/bridge/index.js';

const none: StackFacts = { activeUnits: [], netplanFiles: [], ifupdownFlavor: null, hasNmcli: false };
const detect = (f: Partial<StackFacts>, override?: unknown) => detectStack({ ...none, ...f }, 'hv1', override);
const fails = (f: Partial<StackFacts>, override?: unknown) => {
  try {
    detect(f, override);
  } catch (e) {
    return (e as Error).message;
  }
  return '(no error)';
};

describe('detectStack', () => {
  it.each<[string, Partial<StackFacts>, string]>([
    ['Debian server with classic ifupdown', { activeUnits: ['networking.service'], ifupdownFlavor: 'classic' }, 'ifupdown'],
    [
      'classic ifupdown whose interfaces file sources interfaces.d',
      { activeUnits: ['networking'], ifupdownFlavor: 'classic', interfacesSourcesD: true },
      'ifupdown-interfaces-d',
    ],
    ['ifupdown2', { activeUnits: ['networking.service'], ifupdownFlavor: 'ifupdown2' }, 'ifupdown2'],
    ['Proxmox VE', { activeUnits: ['networking.service'], ifupdownFlavor: 'ifupdown2', proxmox: true }, 'ifupdown2'],
    ['Ubuntu server (netplan on networkd)', { activeUnits: ['systemd-networkd.service'], netplanFiles: ['50-cloud-init.yaml'] }, 'netplan'],
    [
      'Ubuntu desktop (netplan on NetworkManager)',
      { activeUnits: ['NetworkManager.service'], netplanFiles: ['/etc/netplan/01-network-manager-all.yml'], hasNmcli: true },
      'netplan',
    ],
    ['RHEL-like with NetworkManager', { activeUnits: ['NetworkManager.service'], hasNmcli: true }, 'networkmanager'],
    [
      'Debian desktop: networking (lo only) next to NetworkManager',
      { activeUnits: ['networking.service', 'NetworkManager.service'], ifupdownFlavor: 'classic', hasNmcli: true },
      'networkmanager',
    ],
    ['plain systemd-networkd', { activeUnits: ['systemd-networkd.service'] }, 'networkd'],
    ['ifupdown installed but not active', { ifupdownFlavor: 'classic' }, 'ifupdown'],
  ])('%s → %s', (_name, facts, stack) => {
    expect(detect(facts).stack).toBe(stack);
    expect(detect(facts).reason).not.toBe('');
  });

  it('ignores non-YAML files in /etc/netplan', () => {
    expect(detect({ netplanFiles: ['README'], activeUnits: ['systemd-networkd.service'] }).stack).toBe('networkd');
  });

  it('refuses to guess when two managers are active', () => {
    expect(fails({ activeUnits: ['NetworkManager.service', 'systemd-networkd.service'], hasNmcli: true })).toBe(
      'host hv1: both NetworkManager and systemd-networkd are active; set network_stack to the one that owns the bridge',
    );
    expect(fails({ activeUnits: ['networking.service', 'systemd-networkd.service'], ifupdownFlavor: 'classic' })).toContain(
      'set network_stack',
    );
  });

  it('fails clearly when nothing is found, or NM runs without nmcli', () => {
    expect(fails({})).toContain('host hv1: no supported network manager found');
    expect(fails({ activeUnits: ['NetworkManager.service'] })).toContain('nmcli is missing');
  });

  it('network_stack overrides detection, with aliases, and is validated', () => {
    const facts: Partial<StackFacts> = { activeUnits: ['NetworkManager.service', 'systemd-networkd.service'], hasNmcli: true };
    expect(detect(facts, 'networkd')).toEqual({ stack: 'networkd', reason: 'host var network_stack' });
    expect(detect(facts, 'NetworkManager').stack).toBe('networkmanager');
    expect(detect(facts, 'systemd-networkd').stack).toBe('networkd');
    expect(detect({}, 'proxmox').stack).toBe('ifupdown2');
    expect(fails({}, 'wicked')).toContain(
      "host hv1: bridge var 'network_stack' must be one of ifupdown, ifupdown-interfaces-d, ifupdown2, netplan, networkmanager, networkd",
    );
    expect(fails({}, 'libvirt')).toContain("'network_stack' must be one of");
    expect(fails({}, 7)).toContain("'network_stack' must be one of");
  });
});
