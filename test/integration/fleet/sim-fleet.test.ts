/**
 * The simulated fleet itself: real sshd per host reachable with strict host keys, the per-host view
 * (hostname, bridges, /etc/network/interfaces, libvirt test driver), two fleets side by side, a
 * deterministic read-only snapshot, and a teardown that leaves nothing behind.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ip4ToInt } from '../../fleet/addressing.js';
import { leftovers } from '../../fleet/cleanup-lib.js';
import { runCmd } from '../../fleet/exec.js';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { bridgePorts, link, ssh, uniquePrefix } from './helpers.js';

const PA = uniquePrefix('fa');
const PB = uniquePrefix('fb');
const PD = uniquePrefix('fd');

describe('SimFleet (bridge mode, two fleets side by side)', () => {
  let a: SimFleet;
  let b: SimFleet;

  beforeAll(async () => {
    a = await SimFleet.up({ prefix: PA, count: 3 });
    b = await SimFleet.up({ prefix: PB, count: 2 });
  });

  afterAll(async () => {
    await a?.down();
    await b?.down();
  });

  it('every host answers over real SSH with its own name, bridges, interfaces file and libvirt domains', async () => {
    for (const h of a.hosts) {
      const r = await ssh(
        a,
        h.name,
        // Bare virsh: sessions get LIBVIRT_DEFAULT_URI pointing at the host's test driver.
        'hostname; ip -j addr show dev br0; bridge -j link show; cat /etc/network/interfaces; virsh -q list --all --name',
      );
      expect(r.code, r.stderr).toBe(0);
      const [name, addrJson, bridgeJson, ...rest] = r.stdout.split('\n');
      expect(name).toBe(h.name);
      const br0 = JSON.parse(addrJson!)[0] as { addr_info: Array<{ local: string; prefixlen: number }> };
      expect(br0.addr_info.map((x) => `${x.local}/${x.prefixlen}`)).toContain(`${h.address}/22`);
      const ports = JSON.parse(bridgeJson!) as Array<{ ifname: string; master: string; state: string }>;
      expect(ports.find((p) => p.ifname === 'eth0')).toMatchObject({ master: 'br0', state: 'forwarding' });
      expect(ports.find((p) => p.ifname === 'eth1')).toMatchObject({ master: 'br1', state: 'forwarding' });
      for (const vm of h.vms) expect(ports.find((p) => p.ifname === vm.tap)).toMatchObject({ master: 'br1', state: 'forwarding' });
      const text = rest.join('\n');
      expect(text).toContain(`iface br0 inet static\n    address ${h.address}/22\n    gateway ${h.gateway}\n    bridge_ports eth0`);
      expect(text).toContain('iface br1 inet manual\n    bridge_ports eth1');
      expect(text.trim().split('\n').slice(-h.vms.length)).toEqual(h.vms.map((v) => v.name));
      // Each host's sshd logs (VERBOSE) to its own file: the benchmarks count connections and channels there.
      expect(readFileSync(path.join(a.dir, h.name, 'sshd.log'), 'utf8')).toMatch(
        /Accepted publickey for root[^]*Starting session: command for root/,
      );
    }
  });

  it('hosts have the clean bridge state: STP off, forward_delay 0, bridge MAC = uplink MAC, default route via br0', async () => {
    const h = a.hosts[0]!;
    for (const [br, up] of [
      ['br0', 'eth0'],
      ['br1', 'eth1'],
    ] as const) {
      const bl = await link(a, h.name, br);
      expect(bl.linkinfo?.info_kind).toBe('bridge');
      expect(bl.linkinfo?.info_data).toMatchObject({ stp_state: 0, forward_delay: 0 });
      expect(bl.address).toBe((await link(a, h.name, up)).address);
      expect(bl.flags).toContain('UP');
    }
    const routes = JSON.parse((await a.run(h.name, 'ip -j route show default')).stdout) as Array<{ gateway: string; dev: string }>;
    expect(routes).toEqual([expect.objectContaining({ gateway: h.gateway, dev: 'br0' })]);
    expect((await a.run(h.name, 'iptables-nft-save; nft list ruleset')).stdout).not.toMatch(/DROP|drop/);
  });

  it('virsh in the host sees bridge-type interfaces on br1 with unique 52:54:00 MACs', async () => {
    const macs: string[] = [];
    for (const h of [...a.hosts, ...b.hosts]) {
      for (const vm of h.vms) {
        const r = await (h.netns.startsWith(PA) ? a : b).run(h.name, `virsh -c ${h.libvirtUri} -q domiflist ${vm.name}`);
        expect(r.stdout.trim().split(/\s+/)).toEqual([vm.tap, 'bridge', 'br1', 'virtio', vm.mac]);
        expect(vm.mac).toMatch(/^52:54:00:/);
        macs.push(vm.mac);
      }
    }
    expect(new Set(macs).size).toBe(macs.length);
  });

  it('the two fleets use disjoint address blocks, own bridges and are both reachable', async () => {
    expect(a.block).not.toBe(b.block);
    const blockOf = (ip: string) => Math.floor((ip4ToInt(ip) - ip4ToInt('198.18.0.0')) / 4096);
    expect(new Set(a.hosts.map((h) => blockOf(h.address)))).toEqual(new Set([a.block]));
    expect(new Set(b.hosts.map((h) => blockOf(h.address)))).toEqual(new Set([b.block]));
    expect(a.mgmtBridges).toEqual([`${PA}-m0`]);
    // The controller never routes host traffic onwards (network safety), whatever ip_forward says.
    expect(readFileSync(`/proc/sys/net/ipv4/conf/${PA}-m0/forwarding`, 'utf8').trim()).toBe('0');
    expect(b.mgmtBridges).toEqual([`${PB}-m0`]);
    const r = await ssh(b, 'hv02', 'hostname');
    expect(r.stdout.trim()).toBe('hv02');
    // Known_hosts of one fleet does not vouch for the other's hosts (same names, different keys).
    expect(readFileSync(a.knownHostsPath, 'utf8')).not.toContain(b.hosts[0]!.hostPublicKey.split(' ')[1]!);
  });

  it('writes an Ansible inventory with connection vars, libvirt_uri and groups dc1/dc2', () => {
    const inv = readFileSync(a.inventoryPath, 'utf8');
    for (const h of a.hosts) {
      expect(inv).toContain(`${h.name} ansible_host=${h.address} libvirt_uri=${h.libvirtUri}`);
    }
    expect(inv).toMatch(/\[dc1\]\nhv01 .*\nhv02 .*\n\n\[dc2\]\nhv03 /);
    expect(inv).toContain(`ansible_ssh_private_key_file=${a.keyPath}`);
    expect(inv).toContain(`UserKnownHostsFile=${a.knownHostsPath}`);
    expect(inv).toContain('\nbridge=br1\nuplink=eth1\n');
  });

  it('ansible-inventory reads the same hosts, groups and vars', async () => {
    const r = await runCmd('ansible-inventory', ['-i', a.inventoryPath, '--list'], { timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    const inv = JSON.parse(r.stdout) as { _meta: { hostvars: Record<string, Record<string, string>> }; dc2: { hosts: string[] } };
    expect(inv.dc2.hosts).toEqual(['hv03']);
    expect(inv._meta.hostvars.hv02).toMatchObject({
      ansible_host: a.hosts[1]!.address,
      libvirt_uri: a.hosts[1]!.libvirtUri,
      bridge: 'br1',
      uplink: 'eth1',
      ansible_user: 'root',
      ansible_ssh_private_key_file: a.keyPath,
    });
  });

  it('/etc/network/interfaces is valid ifupdown input naming exactly the runtime bridges', async () => {
    const r = await a.run('hv01', 'ifquery --list && ifup --no-act -a >/dev/null');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toEqual(['lo', 'br0', 'br1']);
  });

  it('snapshot is deterministic and does not change the host', async () => {
    const first = await a.snapshot('hv02');
    const second = await a.snapshot('hv02');
    expect(second).toBe(first);
    expect(first).toContain('=== links');
    expect(first).toContain('"ifname": "br1"');
    expect(first).toContain('=== /etc/network/interfaces');
    expect(first).not.toMatch(/timer|"ifindex"/);
    // Reading iptables/nft state must not have created tables.
    expect((await a.run('hv02', 'nft list tables')).stdout.trim()).toBe('');
    await a.run('hv02', 'ip link set dev br1 mtu 1400');
    expect(await a.snapshot('hv02')).not.toBe(first);
    await a.run('hv02', 'ip link set dev br1 mtu 1500');
  });

  it('rejects unknown hosts and faults with one-line errors', async () => {
    expect(() => a.host('hv99')).toThrow(`fleet ${PA} has no host "hv99"`);
    await expect(a.inject('hv01', 'no-such-fault' as never)).rejects.toThrow('unknown fault "no-such-fault"');
    await expect(SimFleet.up({ prefix: 'Bad-Prefix', count: 1 })).rejects.toThrow(/invalid fleet prefix/);
  });
});

describe('SimFleet.down', () => {
  it('removes namespaces, links, sshd processes, /etc/netns entries and the work dir', async () => {
    const f = await SimFleet.up({ prefix: PD, count: 3 });
    expect(leftovers(PD, f.dir).netns.length).toBe(4);
    expect(leftovers(PD, f.dir).processes.length).toBeGreaterThanOrEqual(3);
    await f.inject('hv01', 'arp.duplicate-ip');
    await f.inject('hv02', 'netem', { delayMs: 10 });
    await f.inject('hv03', 'hang');
    await ssh(f, 'hv03', 'virsh list', 1500).catch(() => undefined);
    await f.down();
    expect(leftovers(PD, f.dir)).toEqual({ netns: [], links: [], etc: [], processes: [], dirs: [] });
    const ps = await runCmd('pgrep', ['-af', f.dir]);
    expect(ps.stdout.trim()).toBe('');
    await f.down(); // idempotent
  });
});
