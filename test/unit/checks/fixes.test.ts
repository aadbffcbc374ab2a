import { describe, expect, it } from 'vitest';
import { FIX_IDS, FixPlanError, planFix } from '../../../src/checks/fixes.js';
import type { HostFacts } from '../../../src/facts/types.js';
import { derive, facts, type Capture } from '../../fixtures/facts/load.js';
import { shellWords } from './shell-words.js';

/** Renames interfaces everywhere in the facts (links, addresses, routes, guests, ifupdown). */
function rename(f: HostFacts, names: Record<string, string>): HostFacts {
  const r = (n: string | undefined) => (n !== undefined ? (names[n] ?? n) : n);
  return derive(f, (m) => {
    if (m.links.ok) for (const l of m.links.value) Object.assign(l, { ifname: r(l.ifname), ...(l.master ? { master: r(l.master) } : {}) });
    if (m.addrs.ok) for (const a of m.addrs.value) a.ifname = r(a.ifname) ?? a.ifname;
    if (m.routes4.ok) for (const x of m.routes4.value) if (x.dev) x.dev = r(x.dev);
    if (m.neigh.ok) for (const x of m.neigh.value) x.dev = r(x.dev) ?? x.dev;
    if (m.libvirt.ok)
      for (const d of m.libvirt.value.domains)
        for (const i of d.interfaces)
          Object.assign(i, i.sourceBridge ? { sourceBridge: r(i.sourceBridge) } : {}, i.targetDev ? { targetDev: r(i.targetDev) } : {});
    if (m.ifupdown.ok) {
      for (const s of m.ifupdown.value.ifaces) {
        s.name = r(s.name) ?? s.name;
        const ports = s.options['bridge-ports'];
        if (ports)
          s.options['bridge-ports'] = ports.map((p) =>
            p
              .split(' ')
              .map((x) => r(x) ?? x)
              .join(' '),
          );
      }
      m.ifupdown.value.auto = m.ifupdown.value.auto.map((a) => r(a) ?? a);
    }
  });
}

describe('planFix', () => {
  it('plans nothing on a healthy host for every fix id (fixes are derived from facts, so re-running is a no-op)', () => {
    for (const id of FIX_IDS) {
      const plan = planFix(id, facts('clean'));
      expect(plan.commands, id).toEqual([]);
      expect(plan.description, id).toMatch(/^nothing to do: /);
    }
  });

  it('refuses unknown fix ids and unplannable situations with a one-line FixPlanError', () => {
    expect(() => planFix('reboot-everything', facts('clean'))).toThrow(FixPlanError);
    const noGw = derive(facts('no-default-route'), (m) => {
      m.ifupdown = { ok: true, value: { files: [], auto: [], hotplug: [], ifaces: [], sources: [] } };
    });
    expect(() => planFix('default-route', noGw)).toThrow(/default gateway unknown/);
    expect(() => planFix('tap-attach', facts('no-libvirt'))).toThrow(/cannot plan tap-attach: virsh: exit 1/);
  });

  it('moves the address and default route from the port to the bridge in ONE detached ip -batch (real capture)', () => {
    const plan = planFix('ip-to-bridge', facts('ip-on-port'));
    expect(plan.detached).toBe(true);
    expect(plan.commands).toHaveLength(1);
    // The plan is the plain batch; the fix executor detaches it (setsid, session closed) and waits.
    expect(plan.commands[0]).not.toMatch(/setsid|&\s*$/);
    const inner = shellWords(plan.commands[0] ?? '');
    expect(inner.slice(0, inner.indexOf('«|»'))).toEqual([
      'printf',
      '%s\\n',
      'address flush dev eth0 scope global',
      'address replace 198.18.250.10/24 dev br0',
      'route replace default via 198.18.250.1 dev br0',
      'link set dev br0 up',
    ]);
    expect(inner.slice(inner.indexOf('«|»'), inner.indexOf('«|»') + 4)).toEqual(['«|»', 'ip', '-batch', '-']);
    expect(inner).toContain('arping');
  });

  it('enslaving an uplink that holds the management address becomes the same detached batch', () => {
    const f = derive(facts('ip-on-port'), (m) => {
      const eth0 = m.links.ok ? m.links.value.find((l) => l.ifname === 'eth0') : undefined;
      if (eth0) {
        delete eth0.master;
        delete eth0.port;
      }
    });
    const plan = planFix('uplink-enslave', f);
    expect(plan.detached).toBe(true);
    const inner = shellWords(plan.commands[0] ?? '');
    expect(inner.slice(2, 6)).toEqual([
      'link set dev eth0 master br0',
      'link set dev eth0 up',
      'link set dev br0 up',
      'address flush dev eth0 scope global',
    ]);
  });

  it('quotes hostile interface names as single arguments everywhere', () => {
    const hostile = { br0: 'br$(reboot)', eth0: "e'th;0", 'tap-web01': 't`id`' };
    const tapPlan = planFix('tap-attach', rename(facts('tap-detached'), hostile));
    expect(tapPlan.commands.map(shellWords)).toEqual([
      ['ip', 'link', 'set', 'dev', 't`id`', 'master', 'br$(reboot)'],
      ['ip', 'link', 'set', 'dev', 't`id`', 'up'],
    ]);
    const mtu = planFix('mtu', rename(facts('mtu-mismatch'), hostile));
    expect(mtu.commands.map(shellWords)).toEqual([
      ['ip', 'link', 'set', 'dev', 't`id`', 'mtu', '1500'],
      ['ip', 'link', 'set', 'dev', 'br$(reboot)', 'mtu', '1500'],
    ]);
    const nf = planFix('br-netfilter', rename(facts('brnf-forward-drop'), hostile));
    expect(shellWords(nf.commands[0] ?? '')).toEqual([
      'iptables-nft',
      '-C',
      'FORWARD',
      '-i',
      'br$(reboot)',
      '-o',
      'br$(reboot)',
      '-j',
      'ACCEPT',
      '2>/dev/null',
      '«||»',
      'iptables-nft',
      '-I',
      'FORWARD',
      '-i',
      'br$(reboot)',
      '-o',
      'br$(reboot)',
      '-j',
      'ACCEPT',
    ]);
  });

  it('falls back from ip -batch to quoted ip commands when a name would confuse the batch reader', () => {
    const plan = planFix('ip-to-bridge', rename(facts('ip-on-port'), { eth0: "e'th#0", br0: 'br$(x)' }));
    const inner = shellWords(plan.commands[0] ?? '');
    expect(inner).not.toContain('-batch');
    expect(inner.slice(0, 16)).toEqual([
      'ip',
      'address',
      'flush',
      'dev',
      "e'th#0",
      'scope',
      'global',
      '«&&»',
      'ip',
      'address',
      'replace',
      '198.18.250.10/24',
      'dev',
      'br$(x)',
      '«&&»',
      'ip',
    ]);
  });

  it("uses the sysctl variant when asked, and leaves DOCKER-less hosts' FORWARD to the accept rule by default", () => {
    const s = planFix('br-netfilter', facts('brnf-forward-drop'), { brNetfilterFix: 'sysctl' });
    expect(s.commands).toEqual([
      "sysctl -w 'net.bridge.bridge-nf-call-iptables=0' 'net.bridge.bridge-nf-call-ip6tables=0' 'net.bridge.bridge-nf-call-arptables=0'",
    ]);
  });

  it('writes rp_filter through /proc so odd interface names need no sysctl escaping', () => {
    const plan = planFix(
      'rp-filter-loose',
      derive(facts('rp-filter-strict'), (m) => {
        if (m.sysctls.ok) m.sysctls.value = { ...m.sysctls.value, 'net.ipv4.conf.br0.rp_filter': '1' };
      }),
    );
    expect(plan.commands).toEqual(["sysctl -w 'net.ipv4.conf.all.rp_filter=2'", 'echo 2 > /proc/sys/net/ipv4/conf/br0/rp_filter']);
  });

  const faults: Array<[string, Capture, string[]]> = [
    ['bridge-up', 'bridge-down', ['ip link set dev br0 up']],
    ['uplink-enslave', 'uplink-not-enslaved', ['ip link set dev eth0 master br0', 'ip link set dev eth0 up', 'ip link set dev br0 up']],
    ['stp-off', 'stp-on', ['ip link set dev br0 type bridge stp_state 0', 'ip link set dev br0 type bridge forward_delay 0']],
    ['ip-forward', 'nat-broken', ["sysctl -w 'net.ipv4.ip_forward=1'"]],
    ['libvirt-net-start', 'nat-ok', ['virsh -c qemu:///system net-autostart default']],
  ];
  for (const [id, capture, commands] of faults) {
    it(`${id} on the ${capture} capture`, () => {
      expect(planFix(id, facts(capture), capture.startsWith('nat') ? { vmNetworkMode: 'nat' } : {}).commands).toEqual(commands);
    });
  }

  it('creates a missing bridge only when absent (guarded) and keeps STP off', () => {
    expect(planFix('bridge-create', facts('libvirt-faults')).commands).toEqual([
      'ip link show dev br9 >/dev/null 2>&1 || ip link add name br9 type bridge stp_state 0 forward_delay 0',
      'ip link set dev br9 up',
    ]);
  });
});
