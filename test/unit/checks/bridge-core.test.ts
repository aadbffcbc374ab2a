import { describe, expect, it } from 'vitest';
import { derive, facts } from '../../fixtures/facts/load.js';
import { check, failed } from './run.js';

describe('bridge.exists', () => {
  it('passes on the clean capture', () => {
    expect(check('bridge.exists', facts('clean'))).toMatchObject({ status: 'pass', message: 'br0 exists and is a bridge' });
  });

  it('fails critical for a bridge a running guest names (libvirt-faults: clone01 on br9)', () => {
    const r = check('bridge.exists', facts('libvirt-faults'));
    expect(r).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(r.message).toBe('bridge br9 (used by clone01) does not exist: guests on it cannot start ("Cannot get interface MTU")');
    // Creating an empty br9 would hide a typo and isolate the guest: no automatic fix.
    expect(r.fixId).toBeUndefined();
    expect(r.fix).toContain('safe-apply');
  });

  it('does not insist on the default br0 when guests use another existing bridge (e.g. Proxmox vmbr0)', () => {
    const vmbr = derive(facts('clean'), (m) => {
      if (m.links.ok)
        for (const l of m.links.value) {
          if (l.ifname === 'br0') l.ifname = 'vmbr0';
          if (l.master === 'br0') l.master = 'vmbr0';
        }
      if (m.libvirt.ok) for (const d of m.libvirt.value.domains) for (const i of d.interfaces) i.sourceBridge = 'vmbr0';
    });
    expect(check('bridge.exists', vmbr)).toMatchObject({ status: 'pass', message: 'vmbr0 exists and is a bridge' });
    expect(check('bridge.exists', vmbr, { bridge: 'br0' })).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('bridge br0 (the configured VM bridge) does not exist'),
    });
  });

  it('fails when the vars bridge is a plain device, without offering a runtime fix', () => {
    const r = check('bridge.exists', facts('clean'), { bridge: 'eth0' });
    expect(r).toMatchObject({
      status: 'fail',
      message: expect.stringContaining('eth0 (the configured VM bridge) exists but is a veth device, not a bridge'),
    });
    expect(r.fixId).toBeUndefined();
  });

  it('is skipped in NAT mode when no guest names a host bridge', () => {
    const r = check('bridge.exists', facts('no-libvirt'), { vmNetworkMode: 'nat' });
    expect(r.status).toBe('skipped');
  });

  it('says error when links are unknown', () => {
    const f = derive(facts('clean'), (m) => {
      m.links = failed('links: exit 1: boom');
    });
    expect(check('bridge.exists', f)).toMatchObject({ status: 'error', message: 'cannot evaluate: links: exit 1: boom' });
  });
});

describe('bridge.up', () => {
  it('passes on the clean capture', () => {
    expect(check('bridge.up', facts('clean')).status).toBe('pass');
  });

  it('fails critical when br0 is administratively down (real capture) with the bring-up fix', () => {
    const r = check('bridge.up', facts('bridge-down'));
    expect(r).toMatchObject({
      status: 'fail',
      severity: 'critical',
      fixId: 'bridge-up',
      message: 'br0 is administratively down: guests on it are cut off; bring it up',
    });
    expect(r.fix).toBe('# bring br0 up\nip link set dev br0 up');
  });

  it('fails when up but without carrier while an uplink is expected', () => {
    const f = derive(facts('clean'), (m) => {
      const br = m.links.ok ? m.links.value.find((l) => l.ifname === 'br0') : undefined;
      if (br) br.operstate = 'DOWN';
    });
    expect(check('bridge.up', f)).toMatchObject({ status: 'fail', message: expect.stringContaining('no carrier (operstate DOWN)') });
  });

  it('is skipped when the bridge does not exist', () => {
    expect(check('bridge.up', facts('no-libvirt'), { bridge: 'br7' }).status).toBe('skipped');
  });
});

describe('bridge.uplink-enslaved', () => {
  it('passes on the clean capture', () => {
    expect(check('bridge.uplink-enslaved', facts('clean'))).toMatchObject({ status: 'pass', message: 'eth0 is a forwarding port of br0' });
  });

  it('fails critical when the uplink lost its master (real capture), naming it from the ifupdown config', () => {
    const r = check('bridge.uplink-enslaved', facts('uplink-not-enslaved'));
    expect(r).toMatchObject({
      status: 'fail',
      severity: 'critical',
      fixId: 'uplink-enslave',
      evidence: { uplink: 'eth0', uplinkFrom: 'config', master: null },
    });
    expect(r.message).toBe('uplink eth0 is not a port of br0 (no master): guests reach each other but not the LAN; enslave it to br0');
  });

  it('does not blame the uplink for the disabled state of a down bridge', () => {
    expect(check('bridge.uplink-enslaved', facts('bridge-down')).status).toBe('pass');
  });

  it('is skipped in NAT mode and says error when the uplink is ambiguous', () => {
    expect(check('bridge.uplink-enslaved', facts('clean'), { vmNetworkMode: 'nat' }).status).toBe('skipped');
    const f = derive(facts('clean'), (m) => {
      if (!m.links.ok) return;
      m.links.value.push({ ...m.links.value[1]!, ifname: 'eth1', ifindex: 9 });
      m.ifupdown = failed('ifupdown: exit 1');
    });
    expect(check('bridge.uplink-enslaved', f)).toMatchObject({
      status: 'error',
      message: 'br0 has several possible uplinks (eth0, eth1): set vars.uplink',
    });
  });
});

describe('bridge.ip-on-port', () => {
  it('passes on the clean capture', () => {
    expect(check('bridge.ip-on-port', facts('clean')).status).toBe('pass');
  });

  it('fails critical for the address left on the enslaved NIC (real capture)', () => {
    const r = check('bridge.ip-on-port', facts('ip-on-port'));
    expect(r).toMatchObject({
      status: 'fail',
      severity: 'critical',
      fixId: 'ip-to-bridge',
      message: 'eth0 is a port of br0 but still holds 198.18.250.10/24: move the address to br0',
    });
    expect(r.fix).toContain('ip -batch -');
  });

  it('fails for a default route via a port even without an address on it', () => {
    const f = derive(facts('ip-on-port'), (m) => {
      if (m.addrs.ok) m.addrs.value = m.addrs.value.filter((a) => a.ifname !== 'eth0');
    });
    expect(check('bridge.ip-on-port', f).message).toBe(
      'the default route goes via eth0, a port of br0: replies arrive on br0; route via br0',
    );
  });

  it('says error when addresses are unknown', () => {
    const f = derive(facts('clean'), (m) => {
      m.addrs = failed('addrs: timed out on the host');
    });
    expect(check('bridge.ip-on-port', f).status).toBe('error');
  });
});
