import { describe, expect, it } from 'vitest';
import { CHECKS, FLEET_CHECKS, runChecks } from '../../../src/checks/registry.js';
import { FIX_IDS } from '../../../src/checks/fixes.js';
import { parseFacts } from '../../../src/facts/parse.js';
import { facts, type Capture } from '../../fixtures/facts/load.js';

const ALL: Capture[] = [
  'clean',
  'ip-on-port',
  'uplink-not-enslaved',
  'bridge-down',
  'stp-on',
  'mtu-mismatch',
  'tap-detached',
  'no-default-route',
  'brnf-forward-drop',
  'brnf-forward-drop-accepted',
  'nft-forward-drop',
  'nft-forward-drop-accepted',
  'rp-filter-strict',
  'arp-flux',
  'nat-broken',
  'nat-ok',
  'libvirt-faults',
  'no-libvirt',
  'config-drift',
];

describe('the check registry', () => {
  it('holds exactly the catalogue ids the brief asks for', () => {
    expect(Object.keys(CHECKS).sort()).toEqual([
      'arp.duplicate-ip',
      'bridge.exists',
      'bridge.ip-on-port',
      'bridge.mac-stability',
      'bridge.mtu',
      'bridge.port-state',
      'bridge.stp-forward-delay',
      'bridge.up',
      'bridge.uplink-enslaved',
      'bridge.vlan-membership',
      'config.drift',
      'kernel.modules-devices',
      'libvirt.default-network',
      'libvirt.iface-direct',
      'libvirt.link-state',
      'libvirt.nat-rules',
      'libvirt.tap-attached',
      'mac.duplicate-host',
      'netfilter.br-nf-iptables',
      'netfilter.host-input',
      'netfilter.nft-forward',
      'nic.link',
      'route.default-gateway',
      'sysctl.ip-forward',
      'sysctl.rp-filter',
    ]);
    expect(Object.keys(FLEET_CHECKS)).toEqual(['fleet.duplicate-mac']);
    for (const c of Object.values(CHECKS)) if (c.fixId) expect(FIX_IDS, c.id).toContain(c.fixId);
  });

  it("finds nothing wrong on the clean capture except the capture machine's missing /dev/vhost-net", () => {
    const bad = runChecks(facts('clean')).filter(
      (r) => r.status === 'fail' || r.status === 'error' || (r.status === 'warn' && r.id !== 'kernel.modules-devices'),
    );
    expect(bad).toEqual([]);
  });

  it('never crashes, keeps messages on one line and results JSON-serialisable, on every capture and mode', () => {
    for (const c of ALL) {
      for (const vars of [{}, { vmNetworkMode: 'nat' as const }, { bridge: 'nosuch0', mtu: 9000 }]) {
        for (const r of runChecks(facts(c), vars)) {
          expect(r.message, `${c} ${r.id}`).not.toMatch(/unexpectedly/);
          expect(r.message).not.toContain('\n');
          expect(r.message.length).toBeLessThanOrEqual(400);
          expect(JSON.parse(JSON.stringify(r))).toEqual(r);
          if (r.status === 'pass' || r.status === 'skipped') expect(r.fixId, `${c} ${r.id}`).toBeUndefined();
        }
      }
    }
  });

  it('answers error or skipped, never fail, when the host returned garbage', () => {
    const results = runChecks(parseFacts('Permission denied (publickey).\n'));
    expect(results.filter((r) => r.status !== 'error' && r.status !== 'skipped')).toEqual([]);
    expect(results.find((r) => r.id === 'bridge.exists')?.message).toMatch(/^cannot evaluate: links: no facts header in output/);
  });

  it('reports an unknown id as an error result', () => {
    expect(runChecks(facts('clean'), {}, ['bridge.nope'])).toEqual([
      { id: 'bridge.nope', status: 'error', severity: 'info', message: 'unknown check id bridge.nope' },
    ]);
  });
});
