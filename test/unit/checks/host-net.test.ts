/** nic.link, sysctl.*, arp.duplicate-ip, route.default-gateway. */
import { describe, expect, it } from 'vitest';
import { derive, facts } from '../../fixtures/facts/load.js';
import { check, failed } from './run.js';

describe('nic.link', () => {
  it('passes for an up uplink with carrier (clean capture)', () => {
    expect(check('nic.link', facts('clean'))).toMatchObject({ status: 'pass', message: 'uplink eth0 is up with carrier (operstate UP)' });
  });

  it('fails critical with a bring-up fix when the uplink is admin down', () => {
    const f = derive(facts('clean'), (m) => {
      const l = m.links.ok ? m.links.value.find((x) => x.ifname === 'eth0') : undefined;
      if (l) Object.assign(l, { up: false, operstate: 'DOWN', flags: ['BROADCAST', 'MULTICAST'] });
    });
    expect(check('nic.link', f)).toMatchObject({ status: 'fail', fixId: 'link-up', fix: '# bring eth0 up\nip link set dev eth0 up' });
  });

  it('fails without a runtime fix when up but no carrier (cable/switch)', () => {
    const f = derive(facts('clean'), (m) => {
      const l = m.links.ok ? m.links.value.find((x) => x.ifname === 'eth0') : undefined;
      if (l) Object.assign(l, { carrier: false, operstate: 'DOWN', flags: ['NO-CARRIER', 'BROADCAST', 'MULTICAST', 'UP'] });
    });
    const r = check('nic.link', f);
    expect(r).toMatchObject({
      status: 'fail',
      severity: 'critical',
      message: 'uplink eth0 is up but has no link (operstate DOWN): check cable, switch port (shut/err-disabled/port security)',
    });
    expect(r.fixId).toBeUndefined();
  });

  it('is skipped when no uplink is known', () => {
    expect(check('nic.link', facts('no-libvirt'), { bridge: 'br7' }).status).toBe('skipped');
  });
});

describe('sysctl.ip-forward', () => {
  it('is skipped on a bridged-only host (clean capture)', () => {
    expect(check('sysctl.ip-forward', facts('clean'))).toMatchObject({
      status: 'skipped',
      message: 'bridged-only host: guests are switched, not routed, so ip_forward is not needed',
    });
  });

  it('fails critical for an active NAT network with ip_forward=0 (real capture)', () => {
    const r = check('sysctl.ip-forward', facts('nat-broken'), { vmNetworkMode: 'nat' });
    expect(r).toMatchObject({
      status: 'fail',
      severity: 'critical',
      fixId: 'ip-forward',
      message: 'net.ipv4.ip_forward is 0 but network default (nat) routes guest traffic: guests cannot leave the host; set it to 1',
    });
    expect(r.fix).toContain("sysctl -w 'net.ipv4.ip_forward=1'");
  });

  it('passes with forwarding on (real capture) and fails high for an IPv6 NAT network without v6 forwarding', () => {
    expect(check('sysctl.ip-forward', facts('nat-ok')).status).toBe('pass');
    const f = derive(facts('nat-ok'), (m) => {
      const n = m.libvirt.ok ? m.libvirt.value.networks.find((x) => x.name === 'default') : undefined;
      n?.ips.push({ family: 'ipv6', address: 'fd00::1', prefix: 64, dhcp: false });
    });
    expect(check('sysctl.ip-forward', f)).toMatchObject({ status: 'fail', severity: 'high' });
  });

  it('says error when sysctls are unknown on a NAT host', () => {
    const f = derive(facts('nat-broken'), (m) => {
      m.sysctls = failed('sysctl: exit 2');
    });
    expect(check('sysctl.ip-forward', f).status).toBe('error');
  });
});

describe('sysctl.rp-filter', () => {
  it('passes with rp_filter 0 (clean capture)', () => {
    expect(check('sysctl.rp-filter', facts('clean')).status).toBe('pass');
  });

  it('fails medium for strict rp_filter plus a policy rule (real capture)', () => {
    const r = check('sysctl.rp-filter', facts('rp-filter-strict'));
    expect(r).toMatchObject({
      status: 'fail',
      severity: 'medium',
      fixId: 'rp-filter-loose',
      message:
        'strict rp_filter (1) on br0, eth0 with 1 policy routing rule(s): asymmetric replies are dropped silently; use loose mode (2)',
    });
  });

  it('passes strict rp_filter on a symmetric host', () => {
    const f = derive(facts('rp-filter-strict'), (m) => {
      if (m.rules4.ok) m.rules4.value = m.rules4.value.filter((r) => r.priority !== 100);
    });
    expect(check('sysctl.rp-filter', f).message).toContain('routing is symmetric');
  });

  it('says error without sysctls', () => {
    expect(
      check(
        'sysctl.rp-filter',
        derive(facts('clean'), (m) => {
          m.sysctls = failed('x');
        }),
      ).status,
    ).toBe('error');
  });
});

describe('arp.duplicate-ip', () => {
  it('passes on the clean capture and says honestly what it cannot see', () => {
    expect(check('arp.duplicate-ip', facts('clean')).message).toBe(
      'no conflict visible passively (a remote owner of a host/guest IP needs an active DAD probe, not run)',
    );
  });

  it('warns low for two interfaces in one subnet with default ARP sysctls (real capture)', () => {
    expect(check('arp.duplicate-ip', facts('arp-flux'))).toMatchObject({
      status: 'warn',
      severity: 'low',
      message: expect.stringContaining('br0 and mgmt1 share subnet 198.18.250.10/24'),
    });
  });

  it('fails when one address sits on two interfaces', () => {
    const f = derive(facts('ip-on-port'), (m) => {
      m.addrs.ok &&
        m.addrs.value.push({ ifname: 'br0', family: 'inet', local: '198.18.250.10', prefixlen: 24, scope: 'global', dynamic: false });
    });
    expect(check('arp.duplicate-ip', f)).toMatchObject({
      status: 'fail',
      severity: 'high',
      message: '198.18.250.10 is configured on eth0, br0: both answer ARP for it; keep it on one interface (the bridge)',
    });
  });

  it('fails critical when the gateway resolves to a guest MAC', () => {
    const f = derive(facts('clean'), (m) => {
      if (m.neigh.ok) m.neigh.value[0]!.lladdr = '52:54:00:aa:bb:01';
    });
    expect(check('arp.duplicate-ip', f)).toMatchObject({
      status: 'fail',
      severity: 'critical',
      message: expect.stringContaining('the MAC of guest web01'),
    });
  });

  it('says error without addresses', () => {
    expect(
      check(
        'arp.duplicate-ip',
        derive(facts('clean'), (m) => {
          m.addrs = failed('x');
        }),
      ).status,
    ).toBe('error');
  });
});

describe('route.default-gateway', () => {
  it('passes with one default via br0 and a reachable gateway (clean capture)', () => {
    expect(check('route.default-gateway', facts('clean')).message).toBe(
      'default route via 198.18.250.1 dev br0; gateway 198.18.250.1 resolved (REACHABLE)',
    );
  });

  it('fails critical without a default route (real capture), planning it from the ifupdown gateway', () => {
    const r = check('route.default-gateway', facts('no-default-route'));
    expect(r).toMatchObject({ status: 'fail', severity: 'critical', fixId: 'default-route' });
    expect(r.fix).toContain('route replace default via 198.18.250.1 dev br0');
  });

  it('fails critical for a default via a bridge port (real capture)', () => {
    expect(check('route.default-gateway', facts('ip-on-port')).message).toBe(
      'the default route uses eth0, a port of br0: route via the bridge instead (see bridge.ip-on-port)',
    );
  });

  it('warns for two defaults with one metric and fails for a FAILED gateway neighbour', () => {
    const two = derive(facts('clean'), (m) => {
      m.routes4.ok && m.routes4.value.push({ dst: 'default', gateway: '198.18.250.2', dev: 'br0' });
    });
    expect(check('route.default-gateway', two)).toMatchObject({ status: 'warn', severity: 'medium' });
    const dead = derive(facts('clean'), (m) => {
      if (m.neigh.ok) m.neigh.value[0]!.state = ['FAILED'];
    });
    expect(check('route.default-gateway', dead)).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('does not answer ARP (neighbour FAILED)'),
    });
  });

  it('says error without routes', () => {
    expect(
      check(
        'route.default-gateway',
        derive(facts('clean'), (m) => {
          m.routes4 = failed('x');
        }),
      ).status,
    ).toBe('error');
  });
});
