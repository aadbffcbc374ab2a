import { describe, expect, it } from 'vitest';
import type { Link } from '../../../src/facts/types.js';
import { derive, facts, type Mutable } from '../../fixtures/facts/load.js';
import { check } from './run.js';

function link(m: { links: Mutable<import('../../../src/facts/types.js').HostFacts>['links'] }, name: string): Mutable<Link> {
  const l = m.links.ok ? m.links.value.find((x) => x.ifname === name) : undefined;
  if (!l) throw new Error(`no ${name} in fixture`);
  return l;
}

describe('bridge.stp-forward-delay', () => {
  it('passes with STP off (clean capture)', () => {
    expect(check('bridge.stp-forward-delay', facts('clean'))).toMatchObject({ status: 'pass', message: 'STP off on br0' });
  });

  it('warns medium with STP on and fd 15 s (real capture), fix turns STP off before fd 0', () => {
    const r = check('bridge.stp-forward-delay', facts('stp-on'));
    expect(r).toMatchObject({ status: 'warn', severity: 'medium', fixId: 'stp-off' });
    expect(r.message).toContain('br0 has STP on (forward_delay 15 s): each new guest port is dark for ~30 s');
    expect(r.fix?.split('\n').slice(1)).toEqual([
      'ip link set dev br0 type bridge stp_state 0',
      'ip link set dev br0 type bridge forward_delay 0',
    ]);
  });

  it('accepts STP on a bridge with two uplinks (loop protection)', () => {
    const f = derive(facts('stp-on'), (m) => {
      if (m.links.ok) m.links.value.push({ ...link(m, 'eth0'), ifname: 'eth1', ifindex: 9 });
    });
    expect(check('bridge.stp-forward-delay', f)).toMatchObject({ status: 'pass', message: expect.stringContaining('2 uplinks') });
  });

  it('is skipped without the bridge', () => {
    expect(check('bridge.stp-forward-delay', facts('no-libvirt'), { bridge: 'br9' }).status).toBe('skipped');
  });
});

describe('bridge.mtu', () => {
  it('passes on the clean capture', () => {
    expect(check('bridge.mtu', facts('clean')).message).toBe('MTU consistent on br0 (1500)');
  });

  it('fails medium for the 1400 tap that dragged br0 down (real capture) and raises ports first', () => {
    const r = check('bridge.mtu', facts('mtu-mismatch'));
    expect(r).toMatchObject({ status: 'fail', severity: 'medium', fixId: 'mtu' });
    expect(r.message).toBe('tap-web01 on br0 has MTU 1400, expected 1500: the bridge drops to the smallest port MTU; raise ports then br0');
    expect(r.fix?.split('\n').slice(1)).toEqual(['ip link set dev tap-web01 mtu 1500', 'ip link set dev br0 mtu 1500']);
  });

  // Without an uplink (renamed, gone) and without vars.mtu, the bridge's own MTU is no yardstick: the
  // kernel dropped it to the low tap's. The highest port's MTU is what the others should carry.
  it('without uplink or declared MTU, fails the tap below its peers (the bridge followed it down)', () => {
    const f = derive(facts('mtu-mismatch'), (m) => {
      if (!m.links.ok) throw new Error('no links');
      const eth0 = link(m, 'eth0');
      eth0.ifname = 'enp7s0';
      delete eth0.master;
      m.links.value.push({ ...link(m, 'tap-web01'), ifname: 'tap-web02', ifindex: 9, mtu: 1500 });
    });
    const r = check('bridge.mtu', f, { uplink: 'eth0' });
    expect(r).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(r.message).toBe('tap-web01 on br0 has MTU 1400, expected 1500: the bridge drops to the smallest port MTU; raise ports then br0');
    expect(r.fix?.split('\n').slice(1)).toEqual(['ip link set dev tap-web01 mtu 1500', 'ip link set dev br0 mtu 1500']);
  });

  it('without uplink or declared MTU, ports that agree pass at their MTU', () => {
    const f = derive(facts('mtu-mismatch'), (m) => {
      if (!m.links.ok) throw new Error('no links');
      m.links.value = m.links.value.filter((l) => l.ifname !== 'eth0');
      m.links.value.push({ ...link(m, 'tap-web01'), ifname: 'tap-web02', ifindex: 9 });
    });
    expect(check('bridge.mtu', f, { uplink: 'eth0' })).toMatchObject({ status: 'pass', message: 'MTU consistent on br0 (1400)' });
  });

  it('fails high when the uplink is below an inventory MTU', () => {
    const r = check('bridge.mtu', facts('clean'), { mtu: 9000 });
    expect(r).toMatchObject({
      status: 'fail',
      severity: 'high',
      message: 'uplink eth0 has MTU 1500 but br0 expects 9000: raise it (large transfers stall)',
    });
  });

  it('is skipped without the bridge', () => {
    expect(check('bridge.mtu', facts('no-libvirt'), { bridge: 'nope0' }).status).toBe('skipped');
  });
});

describe('bridge.port-state', () => {
  it('passes when every port forwards (clean capture)', () => {
    expect(check('bridge.port-state', facts('clean')).message).toBe(
      'no port stuck: eth0 forwarding, tap-web01 forwarding (MAC flapping not sampled)',
    );
  });

  it('warns for a port still listening right after attach to an STP bridge (real capture: libvirt-style virbr0)', () => {
    const r = check('bridge.port-state', facts('nat-ok'), { vmNetworkMode: 'nat' });
    expect(r).toMatchObject({
      status: 'warn',
      severity: 'medium',
      message: 'tap-nat01 on virbr0 is listening (STP transition); stuck if still so after 2 x forward_delay + 5 s',
    });
  });

  it("fails high for a blocking port and critical for a running guest's disabled tap", () => {
    const blocking = derive(facts('clean'), (m) => {
      link(m, 'eth0').port = { state: 'blocking' };
    });
    expect(check('bridge.port-state', blocking)).toMatchObject({
      status: 'fail',
      severity: 'high',
      message: expect.stringContaining('eth0 on br0 is blocking'),
    });
    const disabled = derive(facts('clean'), (m) => {
      link(m, 'tap-web01').port = { state: 'disabled' };
    });
    expect(check('bridge.port-state', disabled)).toMatchObject({
      status: 'fail',
      severity: 'critical',
      message: expect.stringContaining('belongs to a running guest'),
    });
  });

  it("brings a running guest's admin-down tap up (what `ip link set <tap> down` does to a real guest)", () => {
    const f = derive(facts('clean'), (m) => {
      const t = link(m, 'tap-web01');
      t.up = false;
      t.flags = ['BROADCAST', 'MULTICAST'];
      t.operstate = 'DOWN';
      t.port = { state: 'disabled' };
    });
    const r = check('bridge.port-state', f);
    expect(r).toMatchObject({ status: 'fail', severity: 'critical', fixId: 'tap-up' });
    expect(r.fix?.split('\n').slice(1)).toEqual(['ip link set dev tap-web01 up']);
  });

  it('offers no runtime fix where bringing a link up cannot help: a blocking port, a tap that is up without carrier', () => {
    const blocking = derive(facts('clean'), (m) => {
      link(m, 'eth0').port = { state: 'blocking' };
    });
    expect(check('bridge.port-state', blocking).fixId).toBeUndefined();
    const noCarrier = derive(facts('clean'), (m) => {
      const t = link(m, 'tap-web01');
      t.flags = ['BROADCAST', 'MULTICAST', 'UP'];
      t.operstate = 'DOWN';
      t.port = { state: 'disabled' };
    });
    expect(check('bridge.port-state', noCarrier)).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(check('bridge.port-state', noCarrier).fixId).toBeUndefined();
  });

  it('is skipped when the bridge itself is down (bridge.up has the cause)', () => {
    expect(check('bridge.port-state', facts('bridge-down'))).toMatchObject({
      status: 'skipped',
      message: 'br0 is down: every port is disabled (see bridge.up)',
    });
  });
});

describe('bridge.mac-stability', () => {
  it('passes when br0 carries the uplink MAC (clean capture)', () => {
    expect(check('bridge.mac-stability', facts('clean')).message).toBe("br0 uses eth0's MAC 02:18:fa:00:00:0a");
  });

  it('warns medium for a machine-id-derived bridge MAC, with a detached fix', () => {
    const f = derive(facts('clean'), (m) => {
      link(m, 'br0').address = '9e:1f:33:aa:00:01';
    });
    const r = check('bridge.mac-stability', f);
    expect(r).toMatchObject({ status: 'warn', severity: 'medium', fixId: 'bridge-mac' });
    expect(r.message).toContain("br0 has MAC 9e:1f:33:aa:00:01, not eth0's 02:18:fa:00:00:0a");
    // The suggested text tells a human to detach; the batch itself is plain (the executor detaches).
    expect(r.fix).toContain('run detached from your session');
    expect(r.fix).toContain("'link set dev br0 address 02:18:fa:00:00:0a'");
  });

  it('prefers the permanent MAC of the uplink', () => {
    const f = derive(facts('clean'), (m) => {
      link(m, 'eth0').permaddr = '00:11:22:33:44:55';
    });
    expect(check('bridge.mac-stability', f).status).toBe('warn');
  });

  it('is skipped in NAT mode', () => {
    expect(check('bridge.mac-stability', facts('clean'), { vmNetworkMode: 'nat' }).status).toBe('skipped');
  });
});
