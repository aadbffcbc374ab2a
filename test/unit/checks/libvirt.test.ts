import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../../src/facts/types.js';
import { derive, facts } from '../../fixtures/facts/load.js';
import { check } from './run.js';

// The libvirt test driver loads every network active with autostart "no" (doc §5.1); a real host
// would have autostart on, so the "healthy NAT host" is the nat-ok capture with that one flag set.
function healthyNat(): HostFacts {
  return derive(facts('nat-ok'), (m) => {
    const n = m.libvirt.ok ? m.libvirt.value.networks.find((x) => x.name === 'default') : undefined;
    if (n) n.autostart = true;
  });
}

describe('libvirt.default-network', () => {
  it('is skipped when guests use host bridges only (clean capture)', () => {
    expect(check('libvirt.default-network', facts('clean')).status).toBe('skipped');
  });

  it('passes for an active, autostarted network with its bridge, dnsmasq and no clash', () => {
    expect(check('libvirt.default-network', healthyNat(), { vmNetworkMode: 'nat' })).toMatchObject({
      status: 'pass',
      message: 'network default active, autostarted and serving',
    });
  });

  it('reports the worst problem first: no dnsmasq for a network a running guest uses (real capture)', () => {
    const r = check('libvirt.default-network', facts('nat-broken'));
    expect(r).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(r.message).toBe(
      'no dnsmasq runs for network default (used by nat01): its guests get no DHCP/DNS; restart the network (virsh net-destroy/net-start) or virtnetworkd (+1 more)',
    );
  });

  it('fails high for a network that is not autostarted, with virsh -c fixes', () => {
    const r = check('libvirt.default-network', facts('nat-ok'), { libvirtUri: 'qemu+ssh://x/system' });
    expect(r).toMatchObject({ status: 'fail', severity: 'high', fixId: 'libvirt-net-start' });
    expect(r.fix?.split('\n')[1]).toBe('virsh -c qemu+ssh://x/system net-autostart default');
  });

  it('fails for an inactive network and for an undefined one (real capture: nosuchnet)', () => {
    const inactive = derive(healthyNat(), (m) => {
      const n = m.libvirt.ok ? m.libvirt.value.networks.find((x) => x.name === 'default') : undefined;
      if (n) n.active = false;
    });
    expect(check('libvirt.default-network', inactive).message).toContain('network default (used by nat01) is inactive');
    expect(check('libvirt.default-network', facts('libvirt-faults')).message).toBe(
      'network nosuchnet (used by clone01) is not defined: guests using it cannot start; define it or fix their XML',
    );
  });

  it('fails when the network subnet overlaps another route', () => {
    const f = derive(healthyNat(), (m) => {
      m.routes4.ok && m.routes4.value.push({ dst: '198.18.251.0/25', dev: 'eth0', protocol: 'kernel' });
    });
    expect(check('libvirt.default-network', f).message).toContain(
      'network default (198.18.251.0/24) overlaps route 198.18.251.0/25 dev eth0',
    );
  });

  it('says error when libvirt is unreachable (real capture)', () => {
    expect(check('libvirt.default-network', facts('no-libvirt')).status).toBe('error');
  });
});

describe('libvirt.nat-rules', () => {
  it('passes with libvirt-shaped masquerade and forward rules (real capture)', () => {
    expect(check('libvirt.nat-rules', facts('nat-ok'))).toMatchObject({ status: 'pass', message: 'libvirt rules present for default' });
  });

  it('fails critical when the rules are gone (real capture)', () => {
    const r = check('libvirt.nat-rules', facts('nat-broken'));
    expect(r).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(r.message).toBe(
      'network default (nat, 198.18.251.0/24) is active but masquerade for 198.18.251.0/24, forward accept for virbr0 is gone (rules flushed?): guests cannot get out; restart virtnetworkd/libvirtd',
    );
  });

  it("accepts libvirt's nftables backend table", () => {
    const f = derive(facts('nat-broken'), (m) => {
      m.nft = {
        ok: true,
        value: {
          tables: [{ family: 'ip', name: 'libvirt_network' }],
          chains: [],
          rules: [
            {
              family: 'ip',
              table: 'libvirt_network',
              chain: 'guest_nat',
              conds: [{ key: 'ip.saddr', op: '==', values: ['198.18.251.0/24'] }],
              opaque: 1,
              verdict: 'masquerade',
            },
            {
              family: 'ip',
              table: 'libvirt_network',
              chain: 'guest_output',
              conds: [{ key: 'iifname', op: '==', values: ['virbr0'] }],
              opaque: 1,
              verdict: 'accept',
            },
          ],
        },
      };
    });
    expect(check('libvirt.nat-rules', f).status).toBe('pass');
  });

  it('is skipped on a bridged-only host', () => {
    expect(check('libvirt.nat-rules', facts('clean')).message).toBe('no active NAT/route libvirt network: bridged-only host');
  });
});

describe('libvirt.iface-direct', () => {
  it('passes without macvtap NICs and warns (info) for one (real capture)', () => {
    expect(check('libvirt.iface-direct', facts('clean')).status).toBe('pass');
    expect(check('libvirt.iface-direct', facts('libvirt-faults'))).toMatchObject({
      status: 'warn',
      severity: 'info',
      message:
        'clone01 NIC 52:54:00:aa:bb:08 is macvtap on eth0 (type=direct, mode bridge): it can never talk to this host; fine unless the guest needs the host',
    });
  });

  // The catalog: FAIL high when the inventory says the guest must talk to its host.
  it('fails high when the inventory says every guest, or this one, needs the host', () => {
    const message =
      'clone01 NIC 52:54:00:aa:bb:08 is macvtap on eth0 (type=direct, mode bridge) but the inventory says it needs this host (guests_need_host): macvtap never reaches its host';
    for (const guestsNeedHost of [true, ['db09', 'clone01']]) {
      expect(check('libvirt.iface-direct', facts('libvirt-faults'), { guestsNeedHost })).toMatchObject({
        status: 'fail',
        severity: 'high',
        message,
      });
    }
  });

  it('stays a warning (info) when only other guests, or none, need the host', () => {
    for (const guestsNeedHost of [false, ['db09']]) {
      expect(check('libvirt.iface-direct', facts('libvirt-faults'), { guestsNeedHost })).toMatchObject({
        status: 'warn',
        severity: 'info',
      });
    }
  });

  it('says error without libvirt facts', () => {
    expect(check('libvirt.iface-direct', facts('no-libvirt')).status).toBe('error');
  });
});

describe('libvirt.tap-attached', () => {
  it("passes when the running guest's tap is a port of its bridge (clean capture)", () => {
    expect(check('libvirt.tap-attached', facts('clean')).message).toBe('1 tap(s) of web01 attached to their bridges');
  });

  it('fails critical for a detached tap (real capture) with a re-attach fix', () => {
    const r = check('libvirt.tap-attached', facts('tap-detached'));
    expect(r).toMatchObject({
      status: 'fail',
      severity: 'critical',
      fixId: 'tap-attach',
      message: 'tap tap-web01 of running guest web01 is attached to no bridge, not br0: the guest is cut off; re-attach it',
    });
    expect(r.fix?.split('\n').slice(1)).toEqual(['ip link set dev tap-web01 master br0', 'ip link set dev tap-web01 up']);
  });

  it('fails without a runtime fix when the tap itself is gone (real capture)', () => {
    const r = check('libvirt.tap-attached', facts('libvirt-faults'));
    expect(r.message).toMatch(/^tap tap-clone01 of running guest clone01 does not exist/);
    expect(r.fixId).toBeUndefined();
  });

  it('is skipped with no running guest and errors without libvirt facts', () => {
    const f = derive(facts('clean'), (m) => {
      if (m.libvirt.ok) for (const d of m.libvirt.value.domains) d.running = false;
    });
    expect(check('libvirt.tap-attached', f).status).toBe('skipped');
    expect(check('libvirt.tap-attached', facts('no-libvirt')).status).toBe('error');
  });
});

describe('libvirt.link-state', () => {
  it('passes without link-down NICs and fails high for one (real capture)', () => {
    expect(check('libvirt.link-state', facts('clean')).status).toBe('pass');
    const r = check('libvirt.link-state', facts('libvirt-faults'));
    expect(r).toMatchObject({ status: 'fail', severity: 'high', fixId: 'libvirt-link-up' });
    expect(r.fix?.split('\n').slice(1)).toEqual([
      'virsh -c qemu:///system domif-setlink clone01 52:54:00:aa:bb:01 up',
      // A transient guest (virsh create) has no config to change: --config would fail the fix.
      'if virsh -c qemu:///system list --all --persistent --name | grep -qxF -- clone01; then virsh -c qemu:///system domif-setlink clone01 52:54:00:aa:bb:01 up --config; fi',
    ]);
  });

  it('says error without libvirt facts', () => {
    expect(check('libvirt.link-state', facts('no-libvirt')).status).toBe('error');
  });
});
