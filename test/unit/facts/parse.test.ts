import { describe, expect, it } from 'vitest';
import { parseFacts } from '../../../src/facts/parse.js';
import { facts, ok, raw } from '../../fixtures/facts/load.js';

describe('parseFacts on a real capture of a clean simulated hypervisor', () => {
  const f = facts('clean');

  it('reads identity sections', () => {
    expect(f.complete).toBe(true);
    expect(ok(f.hostname)).toBe('fxcap-hv01');
    expect(ok(f.machineId)).toBe('5f0c7e2a9b6d4c1e8a3f2b7d6e5c4a01');
    expect(ok(f.kernel)).toMatch(/^\d+\.\d+/);
  });

  it('merges ip -d link and sysfs into links with bridge and port attributes', () => {
    const links = new Map(ok(f.links).map((l) => [l.ifname, l]));
    expect(links.get('br0')).toMatchObject({
      kind: 'bridge',
      up: true,
      mtu: 1500,
      operstate: 'UP',
      address: '02:18:fa:00:00:0a',
      carrier: true,
      physical: false,
      // This kernel lacks CONFIG_BRIDGE_VLAN_FILTERING: no sysfs vlan_filtering file → null.
      bridge: { stpState: 0, forwardDelayCs: 0, vlanFiltering: null, nfCallIptables: 0 },
    });
    expect(links.get('eth0')).toMatchObject({ kind: 'veth', master: 'br0', slaveKind: 'bridge', port: { state: 'forwarding' } });
    expect(links.get('tap-web01')).toMatchObject({ master: 'br0', address: 'fe:54:00:aa:bb:01' });
  });

  it('reads addresses, routes, rules and neighbours', () => {
    expect(ok(f.addrs).filter((a) => a.scope === 'global')).toEqual([
      { ifname: 'br0', family: 'inet', local: '198.18.250.10', prefixlen: 24, scope: 'global', dynamic: false },
    ]);
    expect(ok(f.routes4).find((r) => r.dst === 'default')).toEqual({ dst: 'default', gateway: '198.18.250.1', dev: 'br0' });
    expect(ok(f.routes4).some((r) => r.table === 'local')).toBe(true);
    expect(ok(f.rules4).map((r) => r.priority)).toEqual([0, 32766, 32767]);
    expect(ok(f.neigh)).toContainEqual({ dst: '198.18.250.1', dev: 'br0', lladdr: '02:18:fa:00:00:01', state: ['REACHABLE'] });
    expect(ok(f.bridgeVlans)).toEqual([]);
  });

  it('reads sysctls (interface names verbatim) and br_netfilter state', () => {
    const s = ok(f.sysctls);
    expect(s['net.ipv4.ip_forward']).toBe('0');
    expect(s['net.ipv4.conf.tap-web01.rp_filter']).toBe('0');
    expect(s['net.bridge.bridge-nf-call-iptables']).toBe('1');
    expect(ok(f.brNetfilter)).toBe(true);
  });

  it('reads empty firewalls as empty, not as failures', () => {
    expect(ok(f.nft)).toEqual({ tables: [], chains: [], rules: [] });
    expect(ok(f.iptables.v4nft)).toEqual({ tables: [] });
    expect(ok(f.iptables.v4legacy)).toEqual({ tables: [] });
  });

  it('reads kernel modules and device nodes from built-in-aware sources', () => {
    const k = ok(f.kernelModules);
    expect(k.modules['bridge']).toBe('loaded');
    expect(k.modules['tun']).toBe('loaded');
    expect(k.devices['/dev/net/tun']).toBe('char');
    expect(['char', 'absent']).toContain(k.devices['/dev/vhost-net']);
  });

  it('reads the ifupdown config', () => {
    const c = ok(f.ifupdown);
    expect(c.files).toEqual(['/etc/network/interfaces']);
    expect(c.auto).toEqual(['lo', 'br0']);
    const br0 = c.ifaces.find((s) => s.name === 'br0');
    expect(br0).toMatchObject({ family: 'inet', method: 'static', file: '/etc/network/interfaces', line: 8 });
    expect(br0?.options['bridge-ports']).toEqual(['eth0']);
    expect(br0?.options['bridge-stp']).toEqual(['off']);
  });

  it('reads libvirt domains (running = live XML has an id) and networks', () => {
    const lv = ok(f.libvirt);
    expect(lv.domains.map((d) => [d.name, d.running])).toEqual([
      ['web01', true],
      ['old01', false],
    ]);
    expect(lv.domains[0]?.interfaces).toEqual([
      { type: 'bridge', mac: '52:54:00:aa:bb:01', sourceBridge: 'br0', targetDev: 'tap-web01', model: 'virtio' },
    ]);
    expect(lv.networks).toEqual([
      {
        name: 'host-bridge',
        uuid: '7b4d2a0f-3e52-4c8f-8b66-1d2e3f4a5b01',
        active: true,
        autostart: false,
        persistent: true,
        bridge: 'br0',
        forwardMode: 'bridge',
        forwardDevs: [],
        ips: [],
        dnsDisabled: false,
      },
    ]);
    expect(ok(f.libvirtFirewallBackend)).toBeNull();
    expect(ok(f.dnsmasq)).toEqual([]);
  });

  it('is JSON-serialisable without loss (it is stored in SQLite)', () => {
    expect(JSON.parse(JSON.stringify(f))).toEqual(f);
  });
});

describe('parseFacts on other real captures', () => {
  it('parses iptables-save chains, policies and quoted rules (nat-ok: libvirt-shaped rules)', () => {
    const d = ok(facts('nat-ok').iptables.v4nft);
    const filter = d.tables.find((t) => t.name === 'filter');
    expect(filter?.chains.find((c) => c.name === 'FORWARD')?.policy).toBe('ACCEPT');
    expect(filter?.chains.find((c) => c.name === 'LIBVIRT_FWX')).toEqual({
      name: 'LIBVIRT_FWX',
      policy: null,
      rules: [{ args: ['-i', 'virbr0', '-o', 'virbr0', '-j', 'ACCEPT'], target: 'ACCEPT' }],
    });
    const prt = d.tables.find((t) => t.name === 'nat')?.chains.find((c) => c.name === 'LIBVIRT_PRT');
    expect(prt?.rules.filter((r) => r.target === 'MASQUERADE')).toHaveLength(3);
  });

  it('parses nft rules into conditions and verdicts (nft-forward-drop-accepted)', () => {
    const rs = ok(facts('nft-forward-drop-accepted').nft);
    expect(rs.chains).toContainEqual({
      family: 'inet',
      table: 'fw',
      name: 'forward',
      type: 'filter',
      hook: 'forward',
      prio: 0,
      policy: 'drop',
    });
    const rules = rs.rules.filter((r) => r.table === 'fw');
    expect(rules).toEqual([
      {
        family: 'inet',
        table: 'fw',
        chain: 'forward',
        conds: [{ key: 'ct.state', op: 'in', values: ['established', 'related'] }],
        opaque: 0,
        verdict: 'accept',
      },
      {
        family: 'inet',
        table: 'fw',
        chain: 'forward',
        conds: [
          { key: 'iifname', op: '==', values: ['br0'] },
          { key: 'oifname', op: '==', values: ['br0'] },
        ],
        opaque: 0,
        verdict: 'accept',
      },
    ]);
  });

  it('records iptables-nft compat matches as xt (physdev is not readable from nft -j)', () => {
    const rs = ok(facts('brnf-forward-drop-accepted').nft);
    expect(rs.rules).toEqual([
      { family: 'ip', table: 'filter', chain: 'FORWARD', conds: [], opaque: 1, verdict: 'accept', xt: ['physdev'] },
    ]);
  });

  it('parses networks with ip/dhcp and a running dnsmasq command line (nat-ok)', () => {
    const f = facts('nat-ok');
    const def = ok(f.libvirt).networks.find((n) => n.name === 'default');
    expect(def).toMatchObject({
      active: true,
      bridge: 'virbr0',
      bridgeStp: 'on',
      bridgeDelay: 0,
      forwardMode: 'nat',
      ips: [{ family: 'ipv4', address: '198.18.251.1', prefix: 24, dhcp: true }],
    });
    expect(ok(f.dnsmasq).some((c) => c.includes('--conf-file=/var/lib/libvirt/dnsmasq/default.conf'))).toBe(true);
  });

  it('parses link state, direct NICs and duplicate MACs from domain XML (libvirt-faults)', () => {
    const clone = ok(facts('libvirt-faults').libvirt).domains.find((d) => d.name === 'clone01');
    expect(clone?.running).toBe(true);
    expect(clone?.interfaces.map((i) => [i.type, i.mac, i.linkState ?? null])).toEqual([
      ['bridge', '52:54:00:aa:bb:01', 'down'],
      ['bridge', 'fe:54:00:00:00:07', null],
      ['direct', '52:54:00:aa:bb:08', null],
      ['network', '02:18:fa:00:00:0a', null],
    ]);
    expect(clone?.interfaces[2]).toMatchObject({ sourceDev: 'eth0', sourceMode: 'bridge' });
  });

  it("records an unreachable libvirt as a failed fact with virsh's message, not a crash", () => {
    const lv = facts('no-libvirt').libvirt;
    expect(lv.ok).toBe(false);
    if (!lv.ok) {
      expect(lv.cause).toBe('failed');
      expect(lv.reason).toMatch(/^virsh: exit 1: .*does-not-exist\.xml/);
    }
  });
});

describe('parseFacts on broken output', () => {
  it('marks every section missing for output that is not facts at all', () => {
    const f = parseFacts('bash: line 1: sh: command not found\n');
    expect(f.complete).toBe(false);
    expect(f.links).toMatchObject({ ok: false, cause: 'missing' });
    expect(f.libvirt.ok ? '' : f.libvirt.reason).toContain('no facts header');
  });

  it('keeps the sections before a cut and marks the rest missing', () => {
    const text = raw('clean');
    const cut = text.slice(0, text.indexOf(' nft\n'));
    const f = parseFacts(cut);
    expect(f.complete).toBe(false);
    expect(ok(f.links).length).toBe(4);
    expect(f.nft).toMatchObject({ ok: false, cause: 'missing', reason: 'nft: facts output was cut short before this section' });
  });

  it('refuses another facts format version instead of misreading it', () => {
    const f = parseFacts(raw('clean').replace(/begin v1/, 'begin v2'));
    expect(f.links).toMatchObject({ ok: false, cause: 'unsupported' });
  });

  it('falls back to sysfs when ip -j fails (old iproute2 without JSON)', () => {
    const text = raw('clean');
    const nonce = /@@FLEET@@ (\S+) begin/.exec(text)?.[1] ?? '';
    const broken = text.replace(
      new RegExp(`(@@FLEET@@ ${nonce} links\\n)[^\\n]*\\n(\\n?@@RC@@ ${nonce}) 0`),
      `$1Option "-j" is unknown, try "ip -help".\n$2 255`,
    );
    const links = new Map(ok(parseFacts(broken).links).map((l) => [l.ifname, l]));
    expect(links.get('br0')).toMatchObject({
      kind: 'bridge',
      up: true,
      mtu: 1500,
      bridge: { stpState: 0, forwardDelayCs: 0, vlanFiltering: null },
    });
    expect(links.get('eth0')).toMatchObject({
      master: 'br0',
      port: { state: 'forwarding' },
      carrier: true,
      flags: ['UP', 'BROADCAST', 'MULTICAST', 'LOWER_UP'],
    });
  });

  it('reports one unparseable section without losing the others', () => {
    const text = raw('clean');
    const nonce = /@@FLEET@@ (\S+) begin/.exec(text)?.[1] ?? '';
    const f = parseFacts(text.replace(new RegExp(`(@@FLEET@@ ${nonce} addrs\\n)\\[`), '$1{{'));
    expect(f.addrs).toMatchObject({ ok: false, cause: 'unparseable' });
    expect(f.routes4.ok).toBe(true);
  });
});

describe('firewall backends the kernel does not support', () => {
  it('records nft / iptables-nft without nf_tables as unsupported (checks skip them), not failed', () => {
    const text = raw('clean');
    const nonce = /@@FLEET@@ (\S+) begin/.exec(text)?.[1] ?? '';
    const broken = text
      .replace(
        new RegExp(`(@@FLEET@@ ${nonce} nft\\n)[^\\n]*\\n(\\n?@@RC@@ ${nonce}) 0`),
        `$1$2 1\nError: Could not process rule: Operation not supported`,
      )
      .replace(
        new RegExp(`(@@FLEET@@ ${nonce} ipt4_nft\\n)\\n?(@@RC@@ ${nonce}) 0`),
        `$1$2 1\niptables-nft-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Protocol not supported`,
      );
    const f = parseFacts(broken);
    expect(f.nft).toMatchObject({
      ok: false,
      cause: 'unsupported',
      reason: 'nft: the kernel has no nf_tables (Error: Could not process rule: Operation not supported)',
    });
    expect(f.iptables.v4nft).toMatchObject({ ok: false, cause: 'unsupported' });
  });
});
