/**
 * vmNetworkMode 'nat': each host also has libvirt's `default` NAT network (virbr0, ip_forward=1,
 * libvirt's iptables chains), with the first VM on it; the NAT-only faults change exactly that.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { bridgePorts, link, ssh, uniquePrefix } from './helpers.js';

const PZ = uniquePrefix('fz');

describe('NAT-mode fleet', () => {
  let f: SimFleet;
  beforeAll(async () => {
    f = await SimFleet.up({ prefix: PZ, count: 5, vmNetworkMode: 'nat', vmsPerHost: 2 });
  });
  afterAll(async () => {
    await f?.down();
  });

  it('clean NAT host: virbr0 up with its address, first VM on it, forwarding on, libvirt rules present', async () => {
    const h = f.host('hv01');
    const virbr0 = await link(f, 'hv01', 'virbr0');
    expect(virbr0.addr_info?.map((a) => `${a.local}/${a.prefixlen}`)).toEqual(['198.19.254.1/24']);
    expect((await bridgePorts(f, 'hv01')).get(h.vms[0]!.tap)).toMatchObject({ master: 'virbr0', state: 'forwarding' });
    const r = await f.run(
      'hv01',
      `sysctl -n net.ipv4.ip_forward; iptables-nft-save; virsh -c ${h.libvirtUri} -q net-list --all; virsh -c ${h.libvirtUri} -q domiflist ${h.vms[0]!.name}`,
    );
    const [fwd] = r.stdout.split('\n');
    expect(fwd).toBe('1');
    expect(r.stdout).toContain('-A LIBVIRT_PRT -s 198.19.254.0/24 ! -d 198.19.254.0/24 -j MASQUERADE');
    expect(r.stdout).toContain('-A LIBVIRT_INP -i virbr0 -p udp -m udp --dport 67 -j ACCEPT');
    expect(r.stdout).toMatch(/default\s+active/);
    expect(r.stdout).toMatch(/network\s+default/);
    expect((await ssh(f, 'hv01', 'hostname')).stdout.trim()).toBe('hv01');
  });

  it('sysctl.ip-forward: forwarding off while a NAT network is active', async () => {
    await f.inject('hv02', 'sysctl.ip-forward');
    expect((await f.run('hv02', 'sysctl -n net.ipv4.ip_forward')).stdout.trim()).toBe('0');
  });

  it('libvirt.nat-rules: masquerade rules gone, chain left empty', async () => {
    await f.inject('hv03', 'libvirt.nat-rules');
    const nat = (await f.run('hv03', 'iptables-nft-save -t nat')).stdout;
    expect(nat).toContain(':LIBVIRT_PRT');
    expect(nat).not.toContain('-A LIBVIRT_PRT');
  });

  it('libvirt.default-network: virbr0 deleted (its tap orphaned) or the network undefined in libvirt', async () => {
    await f.inject('hv04', 'libvirt.default-network');
    expect((await f.run('hv04', 'ip link show dev virbr0')).code).not.toBe(0);
    expect((await link(f, 'hv04', f.host('hv04').vms[0]!.tap)).master).toBeUndefined();
    await f.inject('hv05', 'libvirt.default-network', { variant: 'undefined' });
    const nets = await f.run('hv05', `virsh -c ${f.host('hv05').libvirtUri} -q net-list --all`);
    expect(nets.stdout.trim()).toBe('');
  });

  it('netfilter.host-input: libvirt DNS/DHCP accepts flushed, INPUT drops; SSH still works', async () => {
    await f.inject('hv01', 'netfilter.host-input');
    const filter = (await f.run('hv01', 'iptables-nft-save -t filter')).stdout;
    expect(filter).toContain(':INPUT DROP');
    expect(filter).not.toContain('-A LIBVIRT_INP');
    expect((await ssh(f, 'hv01', 'hostname')).stdout.trim()).toBe('hv01');
  });
});
