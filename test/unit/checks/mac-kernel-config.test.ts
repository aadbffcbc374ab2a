/** mac.duplicate-host, fleet.duplicate-mac, kernel.modules-devices, config.drift. */
import { describe, expect, it } from 'vitest';
import { FLEET_CHECKS, factsForFleetChecks } from '../../../src/checks/registry.js';
import type { HostFacts } from '../../../src/facts/types.js';
import { derive, facts } from '../../fixtures/facts/load.js';
import { check, failed } from './run.js';

describe('mac.duplicate-host', () => {
  it('passes on the clean capture', () => {
    expect(check('mac.duplicate-host', facts('clean')).message).toBe('2 guest MAC(s), all unique and valid');
  });

  it('fails critical for a MAC shared by two running guests (real capture)', () => {
    expect(check('mac.duplicate-host', facts('libvirt-faults'))).toMatchObject({
      status: 'fail',
      severity: 'critical',
      message: 'MAC 52:54:00:aa:bb:01 is used by web01, clone01 (both running: the bridge FDB flaps): give one a new MAC',
    });
  });

  it('fails for an fe: guest MAC and for a guest using a host NIC MAC', () => {
    const noDup = (f: HostFacts) =>
      derive(f, (m) => {
        const nic = m.libvirt.ok ? m.libvirt.value.domains.find((d) => d.name === 'clone01')?.interfaces[0] : undefined;
        if (nic) nic.mac = '52:54:00:aa:bb:99';
      });
    expect(check('mac.duplicate-host', noDup(facts('libvirt-faults'))).message).toContain('guest clone01 uses MAC fe:54:00:00:00:07');
    const hostMac = derive(noDup(facts('libvirt-faults')), (m) => {
      const nic = m.libvirt.ok ? m.libvirt.value.domains.find((d) => d.name === 'clone01')?.interfaces[1] : undefined;
      if (nic) nic.mac = '52:54:00:aa:bb:98';
    });
    expect(check('mac.duplicate-host', hostMac).message).toContain(
      'guest clone01 uses MAC 02:18:fa:00:00:0a, the MAC of host interface eth0, br0',
    );
  });

  it('says error without libvirt facts', () => {
    expect(check('mac.duplicate-host', facts('no-libvirt')).status).toBe('error');
  });
});

describe('fleet.duplicate-mac', () => {
  const fleet = FLEET_CHECKS['fleet.duplicate-mac']!;
  const other = (f: HostFacts, n: number) =>
    derive(f, (m) => {
      m.machineId = { ok: true, value: `${n}`.padStart(32, '0') };
      const br = m.links.ok ? m.links.value.find((l) => l.ifname === 'br0') : undefined;
      if (br) br.address = `02:18:fa:00:01:0${n}`;
      if (m.libvirt.ok)
        for (const d of m.libvirt.value.domains) for (const i of d.interfaces) if (i.mac) i.mac = i.mac.replace(/..$/, `${n}${n}`);
    });

  it('fails high for two hosts cloned from one capture (same guest MACs, bridge MAC, machine-id)', () => {
    const r = fleet.run(
      new Map([
        ['hv01', facts('clean')],
        ['hv02', facts('clean')],
      ]),
    );
    expect(r).toMatchObject({ status: 'fail', severity: 'high', hosts: ['hv01', 'hv02'] });
    expect(r.message).toBe(
      'guest MAC 52:54:00:aa:bb:01 is used by web01@hv01, web01@hv02 (+3 more duplicates): give all but one guest a new MAC',
    );
  });

  it('passes for distinct hosts', () => {
    const r = fleet.run(
      new Map([
        ['hv01', facts('clean')],
        ['hv02', other(facts('clean'), 2)],
      ]),
    );
    expect(r).toMatchObject({ status: 'pass', hosts: [] });
  });

  it('keeps only the machine-id (medium) when the hosts sit on different L2 segments', () => {
    const vars = new Map([
      ['hv01', { l2Segment: 'dc1' }],
      ['hv02', { l2Segment: 'dc2' }],
    ]);
    const r = fleet.run(
      new Map([
        ['hv01', facts('clean')],
        ['hv02', facts('clean')],
      ]),
      vars,
    );
    expect(r).toMatchObject({
      status: 'fail',
      severity: 'medium',
      message: expect.stringMatching(/^machine-id 5f0c7e2a9b6d4c1e8a3f2b7d6e5c4a01 is used by/),
    });
  });

  // A run keeps only factsForFleetChecks() of each finished host: the check must read nothing else.
  it('finds the same on the facts a run keeps as on the full facts', () => {
    const cases: Array<[string, Map<string, HostFacts>]> = [
      [
        'cloned',
        new Map([
          ['hv01', facts('clean')],
          ['hv02', facts('clean')],
        ]),
      ],
      [
        'distinct',
        new Map([
          ['hv01', facts('clean')],
          ['hv02', other(facts('clean'), 2)],
        ]),
      ],
      [
        'no libvirt',
        new Map([
          ['hv01', facts('no-libvirt')],
          ['hv02', other(facts('no-libvirt'), 3)],
        ]),
      ],
    ];
    for (const [what, all] of cases) {
      const kept = new Map([...all].map(([h, f]) => [h, factsForFleetChecks(f)]));
      expect(Object.keys(kept.get('hv01')!).length, what).toBeLessThan(Object.keys(all.get('hv01')!).length);
      expect(fleet.run(kept), what).toEqual(fleet.run(all));
    }
  });

  it('says error when no host had libvirt facts', () => {
    const r = fleet.run(
      new Map([
        ['hv01', facts('no-libvirt')],
        ['hv02', other(facts('no-libvirt'), 3)],
      ]),
    );
    expect(r.status).toBe('error');
  });
});

describe('kernel.modules-devices', () => {
  const withDevices = (devices: Record<string, 'char' | 'absent' | 'other'>) =>
    derive(facts('clean'), (m) => {
      if (m.kernelModules.ok) m.kernelModules.value.devices = { ...m.kernelModules.value.devices, ...devices };
    });

  it('warns medium on the capture machine, which has no /dev/vhost-net (host-global, real)', () => {
    const r = check('kernel.modules-devices', withDevices({ '/dev/vhost-net': 'absent' }));
    expect(r).toMatchObject({ status: 'warn', severity: 'medium' });
    expect(r.message).toMatch(/^\/dev\/vhost-net is missing: virtio-net runs in QEMU userspace \(slower\)/);
  });

  it('passes with all three device nodes', () => {
    expect(check('kernel.modules-devices', withDevices({ '/dev/vhost-net': 'char' })).status).toBe('pass');
  });

  it('fails critical without /dev/kvm or /dev/net/tun, loading tun when it can', () => {
    expect(check('kernel.modules-devices', withDevices({ '/dev/kvm': 'absent' }))).toMatchObject({
      status: 'fail',
      severity: 'critical',
      message: expect.stringMatching(/^\/dev\/kvm is missing/),
    });
    const tun = check('kernel.modules-devices', withDevices({ '/dev/net/tun': 'absent', '/dev/vhost-net': 'char' }));
    expect(tun).toMatchObject({
      status: 'fail',
      fixId: 'load-modules',
      fix: '# load tun (persist in /etc/modules-load.d/)\nmodprobe -a tun',
    });
  });

  it('says error when the modules section failed', () => {
    expect(
      check(
        'kernel.modules-devices',
        derive(facts('clean'), (m) => {
          m.kernelModules = failed('modules: exit 1');
        }),
      ).status,
    ).toBe('error');
  });
});

describe('config.drift (ifupdown)', () => {
  it('passes when the interfaces file matches runtime (clean capture)', () => {
    expect(check('config.drift', facts('clean')).message).toBe('ifupdown config matches runtime for eth0, br0 (2 stanza(s) compared)');
  });

  it('fails high when the file has no bridge but configures its port by DHCP (real capture)', () => {
    const r = check('config.drift', facts('config-drift'));
    expect(r).toMatchObject({ status: 'fail', severity: 'high' });
    expect(r.message).toBe(
      'the file has no stanza for br0 but configures its port eth0 (inet dhcp): after a reboot guests lose the bridge (+1 more differences)',
    );
  });

  it('fails medium for a runtime-only change (real capture: STP switched on by hand)', () => {
    const r = check('config.drift', facts('stp-on'));
    expect(r).toMatchObject({
      status: 'fail',
      severity: 'medium',
      message: 'the file says bridge_stp off, runtime STP is on (+1 more differences)',
    });
    expect((r.evidence as { diffs: Array<{ attr: string }> }).diffs.map((d) => d.attr)).toEqual(['bridge-stp', 'bridge-fd']);
  });

  it("leaves a bridge MTU that only follows a low tap to bridge.mtu (real capture: the file's mtu is right)", () => {
    const r = check('config.drift', facts('mtu-mismatch'));
    expect(r).toMatchObject({ status: 'pass' });
    expect(r.message).toBe(
      'ifupdown config matches runtime for eth0, br0 (2 stanza(s) compared); br0 MTU follows a low port (see bridge.mtu)',
    );
    expect(check('bridge.mtu', facts('mtu-mismatch')).status).toBe('fail');
  });

  it('still reports a bridge MTU lowered by hand while its ports agree', () => {
    const f = derive(facts('clean'), (m) => {
      const br = m.links.ok ? m.links.value.find((l) => l.ifname === 'br0') : undefined;
      if (br) br.mtu = 1400;
    });
    expect(check('config.drift', f)).toMatchObject({ status: 'fail', message: 'the file sets mtu 1500 on br0, runtime has 1400' });
  });

  it('warns when ifupdown brings up other interfaces but has no stanza for the VM bridge or its ports', () => {
    const other = { name: 'eth9', family: 'inet', method: 'dhcp', options: {} };
    const f = derive(facts('clean'), (m) => {
      if (m.ifupdown.ok) {
        m.ifupdown.value.ifaces = [
          ...m.ifupdown.value.ifaces.filter((s) => s.name === 'lo'),
          other as (typeof m.ifupdown.value.ifaces)[number],
        ];
        m.ifupdown.value.auto = ['lo', 'eth9'];
      }
    });
    const r = check('config.drift', f);
    expect(r.status).toBe('warn');
    expect(r.message).toBe(
      'br0 (ports eth0) runs but /etc/network/interfaces, which brings up eth9, has no stanza for it: unless another manager persists it, guests lose it at the next reboot',
    );
    // Without any auto stanza, ifupdown is not managing the host: not compared.
    const notAuto = derive(f, (m) => {
      if (m.ifupdown.ok) m.ifupdown.value.auto = ['lo'];
    });
    expect(check('config.drift', notAuto).status).toBe('skipped');
  });

  it('is skipped when ifupdown is absent or configures only lo', () => {
    const none = derive(facts('clean'), (m) => {
      m.ifupdown = { ok: true, value: { files: [], auto: [], hotplug: [], ifaces: [], sources: [] } };
    });
    expect(check('config.drift', none).status).toBe('skipped');
    const lo = derive(facts('clean'), (m) => {
      if (m.ifupdown.ok) m.ifupdown.value.ifaces = m.ifupdown.value.ifaces.filter((s) => s.name === 'lo');
    });
    expect(check('config.drift', lo).message).toBe('ifupdown configures only lo: another manager owns the network (not compared)');
  });

  it('says error when the files could not be read', () => {
    expect(
      check(
        'config.drift',
        derive(facts('clean'), (m) => {
          m.ifupdown = failed('ifupdown: exit 1');
        }),
      ).status,
    ).toBe('error');
  });
});
