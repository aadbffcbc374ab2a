import { describe, expect, it } from 'vitest';
import { groupsFromFacts, summariseFacts } from '../../../src/report/facts-summary.js';
import { hostAllowed, isLoopback } from '../../../src/report/server.js';

const ok = <T>(value: T) => ({ ok: true, value });

describe('summariseFacts', () => {
  it('boils fleet-facts/v1 down to bridges, NICs, route, VMs and what was not gathered', () => {
    const facts = {
      format: 'fleet-facts/v1',
      complete: true,
      hostname: ok('hv1'),
      kernel: ok('6.1.0'),
      machineId: { ok: false, cause: 'failed', reason: 'cat: /etc/machine-id: No such file' },
      links: ok([
        { ifname: 'eno1', physical: true, operstate: 'UP', mtu: 1500, master: 'br0', carrier: true },
        { ifname: 'eno2', physical: true, operstate: 'DOWN', mtu: 1500, carrier: false },
        { ifname: 'br0', kind: 'bridge', operstate: 'UP', mtu: 1500, bridge: { stpState: 1, vlanFiltering: 1 } },
        { ifname: 'vnet0', kind: 'tun', master: 'br0', operstate: 'UNKNOWN', mtu: 1500 },
      ]),
      addrs: ok([
        { ifname: 'br0', local: '198.18.0.5', prefixlen: 16, scope: 'global' },
        { ifname: 'br0', local: 'fe80::1', prefixlen: 64, scope: 'link' },
      ]),
      routes4: ok([
        { dst: 'default', gateway: '198.18.0.1', dev: 'br0' },
        { dst: 'default', gateway: '10.0.0.1', dev: 'eno2', table: '100' },
      ]),
      libvirt: ok({
        domains: [
          { name: 'web1', running: true },
          { name: '<img src=x>', running: false },
        ],
        networks: [{ name: 'default', active: false, bridge: 'virbr0' }],
      }),
      brNetfilter: ok(true),
      sysctls: ok({ 'net.ipv4.ip_forward': '1' }),
      nft: { ok: false, cause: 'not-installed', reason: 'nft: not found' },
      groups: ['dc1'],
    };
    expect(summariseFacts(facts)).toEqual([
      ['hostname', 'hv1'],
      ['kernel', '6.1.0'],
      ['bridge br0', 'UP mtu 1500 stp on vlan-filtering 198.18.0.5/16; ports: eno1, vnet0'],
      ['nic eno1', 'UP mtu 1500 -> br0'],
      ['nic eno2', 'DOWN no-carrier mtu 1500'],
      ['default route', 'via 198.18.0.1 dev br0'],
      ['VMs', '2 (1 running): web1, <img src=x>'],
      ['libvirt networks', 'default (inactive) on virbr0'],
      ['br_netfilter', 'active'],
      ['ip_forward', '1'],
      ['not gathered', 'machineId (cat: /etc/machine-id: No such file); nft (nft: not found)'],
    ]);
  });
  it('previews anything else generically, bounded', () => {
    const out = summariseFacts(
      { a: 1, b: [1, 2], c: [{}, {}], d: { x: 1 }, e: { y: { z: 1 } }, groups: ['g'], long: 'x'.repeat(500) },
      5,
      20,
    );
    expect(out).toEqual([
      ['a', '1'],
      ['b', '[1, 2]'],
      ['c', '2 items'],
      ['d', 'x=1'],
      ['e', '1 keys: y'],
      ['…', '1 more (fleet show RUN --host HOST --json)'],
    ]);
    expect(summariseFacts(undefined)).toEqual([]);
  });
});

describe('groupsFromFacts', () => {
  it('reads string groups, dropping all/ungrouped and duplicates', () => {
    expect(groupsFromFacts({ groups: ['all', 'dc1', 7, 'dc1', 'ungrouped', 'rack'] })).toEqual(['dc1', 'rack']);
    expect(groupsFromFacts({ groups: 'dc1' })).toEqual([]);
    expect(groupsFromFacts(null)).toEqual([]);
  });
});

describe('serve: Host header check (DNS rebinding)', () => {
  it.each([
    ['127.0.0.1:8377', '127.0.0.1', true],
    ['localhost:8377', '127.0.0.1', true],
    ['[::1]:8377', '127.0.0.1', true],
    ['127.0.0.1:8378', '127.0.0.1', false],
    ['evil.example:8377', '127.0.0.1', false],
    ['127.0.0.1.evil.example:8377', '127.0.0.1', false],
    [undefined, '127.0.0.1', false],
    ['10.1.2.3:8377', '10.1.2.3', true],
    ['localhost:8377', '10.1.2.3', false],
    ['10.9.9.9:8377', '0.0.0.0', true],
    ['reports.corp:8377', '0.0.0.0', false],
    ['[fd00::5]:8377', '::', true],
  ] as [string | undefined, string, boolean][])('Host %s on %s -> %s', (header, bind, allowed) => {
    expect(hostAllowed(header, bind, 8377)).toBe(allowed);
  });
  it('knows loopback', () => {
    expect([isLoopback('127.0.0.1'), isLoopback('127.9.9.9'), isLoopback('::1'), isLoopback('0.0.0.0'), isLoopback('10.0.0.1')]).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
  });
});
