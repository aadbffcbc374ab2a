import { describe, expect, it } from 'vitest';
import { parseCheckVars, resolveVars } from '../../../src/checks/vars.js';
import { InputError } from '../../../src/core/errors.js';

describe('check vars', () => {
  it('applies the documented defaults', () => {
    expect(resolveVars()).toEqual({
      bridge: 'br0',
      bridgeExplicit: false,
      uplink: undefined,
      mtu: undefined,
      vmNetworkMode: 'bridge',
      vlans: {},
      brNetfilterFix: 'accept-rule',
      libvirtUri: 'qemu:///system',
      l2Segment: undefined,
      guestsNeedHost: false,
    });
  });

  it('parses inventory values, accepting numbers written as strings and ignoring unrelated vars', () => {
    expect(
      parseCheckVars(
        {
          bridge: 'vmbr0',
          uplink: 'eno1',
          mtu: '9000',
          vmNetworkMode: 'nat',
          vlans: { tap100i0: { pvid: '10', tagged: [20, '30'] } },
          ansible_host: 'x',
        },
        'host hv01',
      ),
    ).toEqual({
      bridge: 'vmbr0',
      uplink: 'eno1',
      mtu: 9000,
      vmNetworkMode: 'nat',
      vlans: { tap100i0: { pvid: 10, tagged: [20, 30] } },
    });
  });

  it('rejects bad values with one line naming the host and key', () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ bridge: 'br/0' }, 'host hv01: bridge: not a valid interface name: "br/0"'],
      [{ bridge: 'a-very-long-bridge-name' }, 'host hv01: bridge: not a valid interface name: "a-very-long-bridge-name"'],
      [{ mtu: 20 }, 'host hv01: mtu must be an integer 68-65535, got 20'],
      [{ vmNetworkMode: 'routed' }, 'host hv01: vmNetworkMode must be "bridge" or "nat", got "routed"'],
      [{ vlans: { eth0: { pvid: 5000 } } }, 'host hv01: vlans.eth0.pvid: VLAN id must be 1-4094, got 5000'],
      [{ brNetfilterFix: 'off' }, 'host hv01: brNetfilterFix must be "accept-rule" or "sysctl", got "off"'],
      [{ guestsNeedHost: 'web01' }, 'host hv01: guests_need_host must be true, false or a list of guest (domain) names, got "web01"'],
      [
        { guestsNeedHost: ['web01', 3] },
        'host hv01: guests_need_host must be true, false or a list of guest (domain) names, got ["web01",3]',
      ],
    ];
    for (const [raw, msg] of bad) {
      expect(() => parseCheckVars(raw, 'host hv01')).toThrow(InputError);
      expect(() => parseCheckVars(raw, 'host hv01')).toThrow(msg);
    }
  });

  it('guests_need_host: a boolean (Ansible spellings from INI too) or a list of domain names', () => {
    expect(parseCheckVars({ guestsNeedHost: true }, 'h').guestsNeedHost).toBe(true);
    expect(parseCheckVars({ guestsNeedHost: 'yes' }, 'h').guestsNeedHost).toBe(true);
    expect(parseCheckVars({ guestsNeedHost: 'False' }, 'h').guestsNeedHost).toBe(false);
    expect(parseCheckVars({ guestsNeedHost: ['web01', 'db01'] }, 'h').guestsNeedHost).toEqual(['web01', 'db01']);
  });
});
