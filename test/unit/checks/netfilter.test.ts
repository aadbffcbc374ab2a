import { describe, expect, it } from 'vitest';
import { planFix } from '../../../src/checks/fixes.js';
import type { HostFacts, IptChain } from '../../../src/facts/types.js';
import { derive, facts, mutable } from '../../fixtures/facts/load.js';
import { check, failed, notInstalled } from './run.js';

describe('netfilter.br-nf-iptables', () => {
  it('fails critical when br_netfilter feeds br0 into a FORWARD DROP policy (real capture)', () => {
    const r = check('netfilter.br-nf-iptables', facts('brnf-forward-drop'));
    expect(r).toMatchObject({ status: 'fail', severity: 'critical', fixId: 'br-netfilter' });
    expect(r.message).toBe(
      'br_netfilter sends bridged IPv4 on br0 through iptables-nft FORWARD, which drops it (policy DROP of FORWARD): guests lose each other and the LAN; accept bridged traffic or set bridge-nf-call-iptables=0',
    );
    expect(r.fix?.split('\n')[1]).toBe(
      'iptables-nft -C FORWARD -i br0 -o br0 -j ACCEPT 2>/dev/null || iptables-nft -I FORWARD -i br0 -o br0 -j ACCEPT',
    );
  });

  it('passes once a physdev-is-bridged accept precedes the drop (real capture)', () => {
    expect(check('netfilter.br-nf-iptables', facts('brnf-forward-drop-accepted'))).toMatchObject({
      status: 'pass',
      message: 'bridged traffic on br0 is accepted by iptables FORWARD',
    });
  });

  it('passes when bridge-nf-call-iptables is 0 or br_netfilter is not active', () => {
    const off = derive(facts('brnf-forward-drop'), (m) => {
      if (m.sysctls.ok)
        m.sysctls.value = { ...m.sysctls.value, 'net.bridge.bridge-nf-call-iptables': '0', 'net.bridge.bridge-nf-call-ip6tables': '0' };
    });
    expect(check('netfilter.br-nf-iptables', off).message).toContain('bridge-nf-call-iptables/ip6tables are 0');
    const gone = derive(facts('brnf-forward-drop'), (m) => {
      m.brNetfilter = { ok: true, value: false };
    });
    expect(check('netfilter.br-nf-iptables', gone).status).toBe('pass');
  });

  it('follows Docker: DROP policy, jump to DOCKER-USER which RETURNs, and puts the fix in DOCKER-USER', () => {
    const f = derive(facts('brnf-forward-drop'), (m) => {
      if (!m.iptables.v4nft.ok) return;
      const chains: IptChain[] = [
        {
          name: 'FORWARD',
          policy: 'DROP',
          rules: [
            { args: ['-j', 'DOCKER-USER'], target: 'DOCKER-USER' },
            { args: ['-o', 'docker0', '-j', 'ACCEPT'], target: 'ACCEPT' },
          ],
        },
        { name: 'DOCKER-USER', policy: null, rules: [{ args: ['-j', 'RETURN'], target: 'RETURN' }] },
      ];
      m.iptables.v4nft.value = { tables: [{ name: 'filter', chains: mutable(chains) }] };
    });
    const r = check('netfilter.br-nf-iptables', f);
    expect(r.status).toBe('fail');
    expect(r.fix).toContain('iptables-nft -I DOCKER-USER -i br0 -o br0 -j ACCEPT');
  });

  it('judges the legacy backend alone when the kernel has no nf_tables', () => {
    const f = derive(facts('brnf-forward-drop'), (m) => {
      m.iptables.v4legacy = m.iptables.v4nft;
      m.iptables.v4nft = { ok: false, cause: 'unsupported', reason: 'ipt4_nft: the kernel has no nf_tables' };
      m.nft = { ok: false, cause: 'unsupported', reason: 'nft: the kernel has no nf_tables' };
    });
    expect(check('netfilter.br-nf-iptables', f).message).toContain('through iptables-legacy FORWARD, which drops it');
    expect(check('netfilter.nft-forward', f)).toMatchObject({
      status: 'skipped',
      message: 'cannot evaluate: nft: the kernel has no nf_tables',
    });
  });

  it('says error when one backend could not be read (its rules are unknown)', () => {
    const f = derive(facts('clean'), (m) => {
      m.iptables.v4legacy = failed('ipt4_legacy: timed out on the host');
    });
    expect(check('netfilter.br-nf-iptables', f)).toMatchObject({
      status: 'error',
      message: 'cannot evaluate: ipt4_legacy: timed out on the host',
    });
  });
});

describe('netfilter.nft-forward', () => {
  it('fails critical for a drop-policy forward chain in its own table (real capture)', () => {
    const r = check('netfilter.nft-forward', facts('nft-forward-drop'));
    expect(r).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(r.message).toBe(
      'nft chain inet fw forward (hook forward) drops bridged traffic on br0 (policy drop of inet fw forward); an accept in another table does not help: add iifname "br0" oifname "br0" accept to that chain',
    );
  });

  it('fixes it by inserting the bridge-to-bridge accept at the top of that chain, guarded (real capture)', () => {
    const r = check('netfilter.nft-forward', facts('nft-forward-drop'));
    expect(r.fixId).toBe('nft-forward-accept');
    expect(r.fix?.split('\n').slice(1)).toEqual([
      `nft list chain inet fw forward | grep -qF 'iifname "br0" oifname "br0" accept' || nft insert rule inet fw forward iifname '"br0"' oifname '"br0"' accept`,
    ]);
    expect(planFix('nft-forward-accept', facts('nft-forward-drop-accepted')).commands).toEqual([]);
  });

  it('leaves a bridge-family drop and odd nft names to a human', () => {
    const bridgeFamily = derive(facts('clean'), (m) => {
      m.nft = {
        ok: true,
        value: {
          tables: [{ family: 'bridge', name: 'l2' }],
          chains: [{ family: 'bridge', table: 'l2', name: 'fwd', type: 'filter', hook: 'forward', prio: 0, policy: 'drop' }],
          rules: [],
        },
      };
    });
    expect(check('netfilter.nft-forward', bridgeFamily)).toMatchObject({ status: 'fail' });
    expect(check('netfilter.nft-forward', bridgeFamily).fixId).toBeUndefined();
    const odd = derive(facts('nft-forward-drop'), (m) => {
      if (!m.nft.ok) return;
      for (const c of m.nft.value.chains) if (c.table === 'fw') c.table = 'f w';
      for (const t of m.nft.value.tables) if (t.name === 'fw') t.name = 'f w';
      for (const x of m.nft.value.rules) if (x.table === 'fw') x.table = 'f w';
    });
    expect(() => planFix('nft-forward-accept', odd)).toThrow(/nft name "f w" would need nft quoting/);
  });

  it('passes once that chain accepts br0 to br0 (real capture)', () => {
    expect(check('netfilter.nft-forward', facts('nft-forward-drop-accepted')).status).toBe('pass');
  });

  it("leaves iptables-nft's own FORWARD chain to br-nf-iptables (no double report)", () => {
    expect(check('netfilter.nft-forward', facts('brnf-forward-drop')).status).toBe('pass');
  });

  it('fails high for a bridge-family forward chain with policy drop', () => {
    const f = derive(facts('clean'), (m) => {
      m.nft = {
        ok: true,
        value: {
          tables: [{ family: 'bridge', name: 'l2' }],
          chains: [{ family: 'bridge', table: 'l2', name: 'fwd', type: 'filter', hook: 'forward', prio: 0, policy: 'drop' }],
          rules: [],
        },
      };
    });
    expect(check('netfilter.nft-forward', f)).toMatchObject({
      status: 'fail',
      severity: 'high',
      message: expect.stringContaining('nft bridge-family chain l2 fwd drops frames crossing br0'),
    });
  });

  it('is skipped when nft is not installed', () => {
    const f = derive(facts('clean'), (m) => {
      m.nft = notInstalled('nft: command not found');
    });
    expect(check('netfilter.nft-forward', f).status).toBe('skipped');
  });
});

function natWithInput(mutate: (input: IptChain) => IptChain): HostFacts {
  return derive(facts('nat-ok'), (m) => {
    if (!m.iptables.v4nft.ok) return;
    const filter = m.iptables.v4nft.value.tables.find((t) => t.name === 'filter');
    if (!filter) return;
    filter.chains = filter.chains.map((c) => (c.name === 'INPUT' ? mutable(mutate(c as IptChain)) : c));
  });
}

describe('netfilter.host-input', () => {
  it("passes when libvirt's INPUT accepts reach DHCP/DNS on virbr0 (real capture)", () => {
    expect(check('netfilter.host-input', facts('nat-ok'))).toMatchObject({
      status: 'pass',
      message: 'DHCP/DNS from virbr0 reach the host',
    });
  });

  it('still passes under a DROP policy as long as the LIBVIRT_INP jump comes first', () => {
    expect(
      check(
        'netfilter.host-input',
        natWithInput((c) => ({ ...c, policy: 'DROP' })),
      ).status,
    ).toBe('pass');
  });

  it("fails high when a flush removed libvirt's accepts and INPUT drops", () => {
    const r = check(
      'netfilter.host-input',
      natWithInput((c) => ({ ...c, policy: 'DROP', rules: [] })),
    );
    expect(r).toMatchObject({ status: 'fail', severity: 'high' });
    expect(r.message).toBe(
      'iptables-nft INPUT drops udp/67 from virbr0 (policy DROP of INPUT): guests of network default get no DHCP; accept it before the drop',
    );
    expect(r.fix).toContain('virsh -c qemu:///system net-destroy default');
  });

  it('is skipped, not passed, when the network serves neither DHCP nor DNS (nothing to block)', () => {
    const f = derive(
      natWithInput((c) => ({ ...c, policy: 'DROP', rules: [] })),
      (m) => {
        if (m.libvirt.ok)
          for (const n of m.libvirt.value.networks) Object.assign(n, { dnsDisabled: true, ips: n.ips.map((i) => ({ ...i, dhcp: false })) });
      },
    );
    expect(check('netfilter.host-input', f)).toMatchObject({
      status: 'skipped',
      message: 'default serves neither DHCP nor DNS from the host: nothing for INPUT to block',
    });
  });

  it('is skipped on a bridged-only host (clean capture) and errors without libvirt facts', () => {
    expect(check('netfilter.host-input', facts('clean')).status).toBe('skipped');
    expect(check('netfilter.host-input', facts('no-libvirt')).status).toBe('error');
  });
});
