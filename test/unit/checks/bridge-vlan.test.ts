/**
 * The test kernel has no CONFIG_BRIDGE_VLAN_FILTERING, so the VLAN-aware cases are the real clean
 * capture with br0 switched to vlan_filtering=1 and a `bridge -j vlan show` table edited in.
 */
import { describe, expect, it } from 'vitest';
import type { HostFacts, PortVlans } from '../../../src/facts/types.js';
import { derive, facts, mutable } from '../../fixtures/facts/load.js';
import { check } from './run.js';

function vlanAware(table: PortVlans[], tags?: number[]): HostFacts {
  return derive(facts('clean'), (m) => {
    const br = m.links.ok ? m.links.value.find((l) => l.ifname === 'br0') : undefined;
    if (br?.bridge) br.bridge = { ...br.bridge, vlanFiltering: 1, defaultPvid: 1 };
    m.bridgeVlans = { ok: true, value: mutable(table) };
    const nic = m.libvirt.ok ? m.libvirt.value.domains[0]?.interfaces[0] : undefined;
    if (nic && tags) nic.vlanTags = tags;
  });
}

describe('bridge.vlan-membership', () => {
  it('is skipped on a kernel without bridge VLAN filtering when nothing expects VLANs (clean capture)', () => {
    expect(check('bridge.vlan-membership', facts('clean'))).toMatchObject({
      status: 'skipped',
      message: 'the kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING) and no VLANs are expected',
    });
  });

  it('fails high when VLANs are expected but the kernel cannot filter them', () => {
    const r = check('bridge.vlan-membership', facts('clean'), { vlans: { 'tap-web01': { pvid: 10 } } });
    expect(r).toMatchObject({ status: 'fail', severity: 'high' });
    expect(r.message).toContain('but vars.vlans expects VLAN 10 on tap-web01');
    expect(r.fixId).toBeUndefined();
  });

  it('passes when the guest tap has its VLAN as PVID untagged and the uplink carries it', () => {
    const f = vlanAware(
      [
        { ifname: 'tap-web01', vlans: [{ vlan: 10, pvid: true, untagged: true }] },
        {
          ifname: 'eth0',
          vlans: [
            { vlan: 1, pvid: true, untagged: true },
            { vlan: 2, vlanEnd: 4094, pvid: false, untagged: false },
          ],
        },
      ],
      [10],
    );
    expect(check('bridge.vlan-membership', f)).toMatchObject({ status: 'pass', message: '2 VLAN membership(s) on br0 as expected' });
  });

  it('fails high for a re-attached tap that lost its VLAN (only default PVID 1), with bridge vlan add fixes', () => {
    const f = vlanAware(
      [
        { ifname: 'tap-web01', vlans: [{ vlan: 1, pvid: true, untagged: true }] },
        { ifname: 'eth0', vlans: [{ vlan: 1, pvid: true, untagged: true }] },
      ],
      [10],
    );
    const r = check('bridge.vlan-membership', f);
    expect(r).toMatchObject({ status: 'fail', severity: 'high', fixId: 'vlan-membership' });
    expect(r.message).toBe('tap-web01 on br0 lacks VLAN 10 as PVID untagged (guest web01) (+1 more): add it with bridge vlan add');
    expect(r.fix?.split('\n').slice(1)).toEqual(['bridge vlan add dev tap-web01 vid 10 pvid untagged', 'bridge vlan add dev eth0 vid 10']);
  });

  it('is skipped with filtering on but nothing declared', () => {
    expect(check('bridge.vlan-membership', vlanAware([])).status).toBe('skipped');
  });

  it('says error when the VLAN table could not be read', () => {
    const f = derive(vlanAware([], [10]), (m) => {
      m.bridgeVlans = { ok: false, cause: 'failed', reason: 'br_vlan: exit 255' };
    });
    expect(check('bridge.vlan-membership', f).status).toBe('error');
  });
});
