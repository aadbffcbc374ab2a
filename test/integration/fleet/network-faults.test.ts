/**
 * Every KVM-networking fault makes a real, visible change on its host (kernel state, libvirt XML or
 * /etc files), and - unless the fault's point is to cut the host off - SSH still works afterwards so
 * a check run can see it. One host per fault, so faults never interfere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stationAddress } from '../../fleet/addressing.js';
import { runCmd } from '../../fleet/exec.js';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { bridgePorts, json, link, ssh, uniquePrefix } from './helpers.js';

const PN = uniquePrefix('fn');

// ARP duplicate-address probe (RFC 5227: sender IP 0.0.0.0) with a raw socket; exit 1 + MAC if answered.
const DAD_PROBE = `
import socket, struct, sys, time
ifname, target = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.bind((ifname, 0))
mac = s.getsockname()[4]
tip = socket.inet_aton(target)
pkt = b'\\xff' * 6 + mac + b'\\x08\\x06' + struct.pack('!HHBBH', 1, 0x0800, 6, 4, 1) + mac + b'\\x00' * 10 + tip
s.settimeout(0.2)
end = time.time() + 2
s.send(pkt)
while time.time() < end:
    try:
        d = s.recv(128)
    except socket.timeout:
        s.send(pkt)
        continue
    if d[12:14] == b'\\x08\\x06' and struct.unpack('!H', d[20:22])[0] == 2 and d[28:32] == tip:
        print(':'.join('%02x' % b for b in d[22:28]))
        sys.exit(1)
sys.exit(0)
`;

describe('KVM networking faults (bridge mode)', () => {
  let f: SimFleet;
  const sshOk = async (host: string) => {
    const r = await ssh(f, host, 'hostname');
    expect(r.stdout.trim(), r.stderr).toBe(host);
  };
  const xml = async (host: string, cmd: string) => {
    const r = await f.run(host, `virsh -c ${f.host(host).libvirtUri} ${cmd}`);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    f = await SimFleet.up({ prefix: PN, count: 34 });
  });
  afterAll(async () => {
    await f?.down();
  });

  it('bridge.exists: br1 deleted, its ports orphaned; SSH unaffected', async () => {
    await f.inject('hv01', 'bridge.exists');
    expect((await f.run('hv01', 'ip link show dev br1')).code).not.toBe(0);
    expect((await link(f, 'hv01', 'eth1')).master).toBeUndefined();
    await sshOk('hv01');
  });

  it('bridge.exists xml-typo: a domain references a bridge that does not exist', async () => {
    await f.inject('hv02', 'bridge.exists', { variant: 'xml-typo' });
    expect(await xml('hv02', '-q domiflist web02')).toContain('vmbr1');
    expect((await f.run('hv02', 'ip link show dev vmbr1')).code).not.toBe(0);
  });

  it('bridge.up: br1 administratively down', async () => {
    await f.inject('hv03', 'bridge.up');
    expect((await link(f, 'hv03', 'br1')).flags).not.toContain('UP');
    await sshOk('hv03');
  });

  it('bridge.uplink-enslaved: eth1 is no longer a port of br1', async () => {
    await f.inject('hv04', 'bridge.uplink-enslaved');
    expect((await link(f, 'hv04', 'eth1')).master).toBeUndefined();
    expect((await bridgePorts(f, 'hv04')).has('eth1')).toBe(false);
    await sshOk('hv04');
  });

  it('bridge.uplink-enslaved on br0: address moves to eth0, SSH keeps working', async () => {
    await f.inject('hv05', 'bridge.uplink-enslaved', { bridge: 'br0' });
    const eth0 = await link(f, 'hv05', 'eth0');
    expect(eth0.master).toBeUndefined();
    expect(eth0.addr_info?.map((a) => a.local)).toContain(f.host('hv05').address);
    await sshOk('hv05');
  });

  it('bridge.uplink-enslaved renamed: the uplink is now enp7s0 outside the bridge', async () => {
    await f.inject('hv34', 'bridge.uplink-enslaved', { variant: 'renamed' });
    expect((await f.run('hv34', 'ip link show dev eth1')).code).not.toBe(0);
    expect((await link(f, 'hv34', 'enp7s0')).master).toBeUndefined();
  });

  it('bridge.ip-on-port: a global address on the enslaved VM uplink', async () => {
    await f.inject('hv06', 'bridge.ip-on-port');
    const eth1 = await link(f, 'hv06', 'eth1');
    expect(eth1.master).toBe('br1');
    expect(eth1.addr_info?.filter((a) => a.scope === 'global').map((a) => a.local)).toEqual(['198.19.253.2']);
  });

  it('bridge.ip-on-port on br0: the host address left on eth0 too; SSH keeps working', async () => {
    await f.inject('hv07', 'bridge.ip-on-port', { bridge: 'br0' });
    const eth0 = await link(f, 'hv07', 'eth0');
    expect(eth0.master).toBe('br0');
    expect(eth0.addr_info?.map((a) => a.local)).toContain(f.host('hv07').address);
    await sshOk('hv07');
  });

  it('bridge.stp-forward-delay: STP on with 15 s forward delay; existing ports keep forwarding', async () => {
    await f.inject('hv08', 'bridge.stp-forward-delay');
    expect((await link(f, 'hv08', 'br1')).linkinfo?.info_data).toMatchObject({ stp_state: 1, forward_delay: 1500 });
    expect((await bridgePorts(f, 'hv08')).get('eth1')?.state).toBe('forwarding');
  });

  it('bridge.vlan-membership: needs bridge VLAN filtering; refused with the reason when the kernel lacks it', async () => {
    const supported = (await f.run('hv09', 'test -e /sys/class/net/br1/bridge/vlan_filtering')).code === 0;
    if (supported) {
      await f.inject('hv09', 'bridge.vlan-membership');
      expect((await link(f, 'hv09', 'br1')).linkinfo?.info_data).toMatchObject({ vlan_filtering: 1 });
      expect(await xml('hv09', 'dumpxml web09')).toContain("<tag id='10'/>");
    } else {
      await expect(f.inject('hv09', 'bridge.vlan-membership')).rejects.toThrow(/lacks bridge VLAN filtering/);
    }
  });

  it('bridge.mtu: a port at 1400 drags br1 down to 1400 while the uplink stays 1500', async () => {
    await f.inject('hv10', 'bridge.mtu');
    expect((await link(f, 'hv10', 'br1')).mtu).toBe(1400);
    expect((await link(f, 'hv10', 'eth1')).mtu).toBe(1500);
  });

  it('bridge.mac-stability: br1 MAC differs from its uplink', async () => {
    await f.inject('hv11', 'bridge.mac-stability');
    expect((await link(f, 'hv11', 'br1')).address).not.toBe((await link(f, 'hv11', 'eth1')).address);
  });

  it('bridge.port-state disabled: a running guest tap is a disabled port', async () => {
    await f.inject('hv12', 'bridge.port-state');
    expect((await bridgePorts(f, 'hv12')).get('tap-web12')?.state).toBe('disabled');
  });

  it('bridge.port-state blocking: a second uplink into the same LAN is blocked by STP', async () => {
    await f.inject('hv13', 'bridge.port-state', { variant: 'blocking' });
    const ports = await bridgePorts(f, 'hv13');
    expect(ports.get('eth2')?.state).toBe('blocking');
    expect(ports.get('eth1')?.state).toBe('forwarding');
    await sshOk('hv13');
  });

  it('nic.link: the VM uplink loses carrier', async () => {
    await f.inject('hv14', 'nic.link');
    const eth1 = await link(f, 'hv14', 'eth1');
    expect(eth1.flags).toContain('NO-CARRIER');
    expect((await bridgePorts(f, 'hv14')).get('eth1')?.state).toBe('disabled');
  });

  it('netfilter.br-nf-iptables: bridge-nf-call-iptables=1 with FORWARD policy DROP', async () => {
    await f.inject('hv15', 'netfilter.br-nf-iptables');
    const r = await f.run('hv15', 'sysctl -n net.bridge.bridge-nf-call-iptables; iptables-nft-save -t filter');
    expect(r.stdout).toMatch(/^1\n/);
    expect(r.stdout).toContain(':FORWARD DROP');
    await sshOk('hv15');
  });

  it('netfilter.nft-forward: an inet forward chain with policy drop; bridge-family variant drops a tap', async () => {
    await f.inject('hv16', 'netfilter.nft-forward');
    const set = await json<{ nftables: Array<{ chain?: { hook?: string; policy?: string; family: string } }> }>(
      f,
      'hv16',
      'nft -j list ruleset',
    );
    expect(set.nftables.map((o) => o.chain).filter((c) => c?.hook === 'forward')).toEqual([
      expect.objectContaining({ family: 'inet', policy: 'drop' }),
    ]);
    await f.inject('hv17', 'netfilter.nft-forward', { variant: 'bridge-family' });
    expect((await f.run('hv17', 'nft list table bridge filter')).stdout).toContain('iifname "tap-web17" drop');
  });

  it('netfilter.host-input: INPUT drops all but SSH; new SSH sessions still work', async () => {
    await f.inject('hv18', 'netfilter.host-input');
    expect((await f.run('hv18', 'iptables-nft-save -t filter')).stdout).toContain(':INPUT DROP');
    await sshOk('hv18');
  });

  it('sysctl.ip-forward: refused on a bridge-mode fleet (ip_forward=0 is correct there)', async () => {
    await expect(f.inject('hv19', 'sysctl.ip-forward')).rejects.toThrow(/vmNetworkMode 'nat'/);
  });

  it('sysctl.rp-filter: strict rp_filter on a host with policy routing', async () => {
    await f.inject('hv20', 'sysctl.rp-filter');
    expect((await f.run('hv20', 'sysctl -n net.ipv4.conf.all.rp_filter')).stdout.trim()).toBe('1');
    const rules = await json<Array<{ priority: number; table: string }>>(f, 'hv20', 'ip -j rule show');
    expect(rules).toContainEqual(expect.objectContaining({ priority: 1000, table: '100' }));
  });

  it('arp.duplicate-ip: another station answers ARP for the host address; SSH keeps working', async () => {
    const h = f.host('hv21');
    const probe = (ip: string) => runCmd('ip', ['netns', 'exec', h.netns, '/usr/bin/python3', '-c', DAD_PROBE, 'br0', ip]);
    expect((await probe(h.address)).code).toBe(0);
    await f.inject('hv21', 'arp.duplicate-ip');
    const dup = await probe(h.address);
    expect(dup.code, dup.stderr).toBe(1);
    expect(dup.stdout.trim()).not.toBe((await link(f, 'hv21', 'br0')).address);
    expect((await probe(stationAddress(f.block, 0, 19))).code).toBe(0);
    await sshOk('hv21');
  });

  it('route.default-gateway: default route missing, or two of them; SSH keeps working', async () => {
    await f.inject('hv22', 'route.default-gateway');
    expect(await json(f, 'hv22', 'ip -j route show default')).toEqual([]);
    await sshOk('hv22');
    await f.inject('hv23', 'route.default-gateway', { variant: 'duplicate' });
    expect(await json<unknown[]>(f, 'hv23', 'ip -j route show default')).toHaveLength(2);
  });

  it('libvirt.iface-direct: the domain uses type=direct on eth3, its tap replaced by a macvtap', async () => {
    await f.inject('hv24', 'libvirt.iface-direct');
    expect((await xml('hv24', '-q domiflist web24')).trim().split(/\s+/).slice(1, 3)).toEqual(['direct', 'eth3']);
    expect((await link(f, 'hv24', 'macvtap0')).linkinfo?.info_kind).toMatch(/^macv(tap|lan)$/);
    expect((await f.run('hv24', 'ip link show dev tap-web24')).code).not.toBe(0);
  });

  it('libvirt.tap-attached: the running guest tap lost its bridge', async () => {
    await f.inject('hv25', 'libvirt.tap-attached');
    expect((await link(f, 'hv25', 'tap-web25')).master).toBeUndefined();
    expect(await xml('hv25', '-q domiflist web25')).toContain('tap-web25');
  });

  it('libvirt.link-state: the interface XML says link down', async () => {
    await f.inject('hv26', 'libvirt.link-state');
    expect(await xml('hv26', 'dumpxml web26')).toContain("<link state='down'/>");
  });

  it('mac.duplicate-host: two domains share a MAC (XML, guest ends and taps)', async () => {
    await f.inject('hv27', 'mac.duplicate-host');
    const macs = await Promise.all(['web27', 'db27'].map(async (d) => (await xml('hv27', `-q domiflist ${d}`)).trim().split(/\s+/)[4]));
    expect(macs[0]).toBe(f.host('hv27').vms[0]!.mac);
    expect(macs[1]).toBe(macs[0]);
    expect((await link(f, 'hv27', 'tap-db27')).address).toBe((await link(f, 'hv27', 'tap-web27')).address);
  });

  it('fleet.duplicate-mac: a guest MAC of another host of the same LAN appears here too', async () => {
    await f.inject('hv28', 'fleet.duplicate-mac', { from: 'hv29' });
    const mac = (await xml('hv28', '-q domiflist web28')).trim().split(/\s+/)[4];
    expect(mac).toBe(f.host('hv29').vms[0]!.mac);
  });

  it('config.drift: /etc/network/interfaces (as SSH sees it) lost the VM bridge, runtime still has it', async () => {
    await f.inject('hv29', 'config.drift');
    const r = await ssh(f, 'hv29', 'cat /etc/network/interfaces; ip -br link show dev br1');
    expect(r.stdout).not.toContain('iface br1');
    expect(r.stdout).toMatch(/^br1 +UP/m);
    await f.inject('hv33', 'config.drift', { variant: 'runtime' });
    expect((await link(f, 'hv33', 'br0')).addr_info?.map((a) => a.local)).toContain('198.19.252.2');
  });

  it('config.sysctl-persistence: a sysctl.d file says rp_filter=1, runtime is 0', async () => {
    await f.inject('hv30', 'config.sysctl-persistence');
    const r = await ssh(f, 'hv30', 'cat /etc/sysctl.d/60-hardening.conf; sysctl -n net.ipv4.conf.all.rp_filter');
    expect(r.stdout).toContain('net.ipv4.conf.all.rp_filter = 1');
    expect(r.stdout.trim().split('\n').pop()).toBe('0');
  });

  it('libvirt.nwfilter: a clean-traffic filterref with an IP the guest does not use', async () => {
    await f.inject('hv31', 'libvirt.nwfilter');
    expect(await xml('hv31', 'dumpxml web31')).toMatch(
      /<filterref filter='clean-traffic'>\s*<parameter name='IP' value='198.19.250.250'\/>/,
    );
  });

  it('libvirt.default-network / nat-rules: refused on a bridge-mode fleet', async () => {
    await expect(f.inject('hv32', 'libvirt.default-network')).rejects.toThrow(/vmNetworkMode 'nat'/);
    await expect(f.inject('hv32', 'libvirt.nat-rules')).rejects.toThrow(/vmNetworkMode 'nat'/);
  });

  it('bridge.exists on br0 cuts the host off, as it would a real hypervisor', async () => {
    await f.inject('hv32', 'bridge.exists', { bridge: 'br0' });
    const r = await ssh(f, 'hv32', 'hostname', 10_000, 2);
    expect(r.code).toBe(255);
  });

  it('untouched hosts are still clean after all that', async () => {
    const ports = await bridgePorts(f, 'hv33');
    expect(ports.get('eth1')).toMatchObject({ master: 'br1', state: 'forwarding' });
    await sshOk('hv33');
  });
});
