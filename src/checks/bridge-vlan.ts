/** Check 6: VLAN-aware bridge membership (vars.vlans and libvirt <vlan><tag> on bridged guests). */
import { defineCheck, skipped } from './define.js';
import { linkMap } from './model.js';
import { unmetVlanNeeds, vlanNeeds } from './vlan-model.js';

export const bridgeVlanMembership = defineCheck({
  id: 'bridge.vlan-membership',
  group: 'bridge',
  title: 'VLAN-aware bridge: guest ports carry their VLAN as PVID/untagged, the uplink carries it tagged',
  severity: 'high',
  fixId: 'vlan-membership',
  evaluate(f, vars) {
    const br = linkMap(f).get(vars.bridge);
    if (!br?.bridge) return skipped(`bridge ${vars.bridge} does not exist (see bridge.exists)`);
    const needs = vlanNeeds(f, vars);
    const ev = { bridge: vars.bridge, vlanFiltering: br.bridge.vlanFiltering, needs };
    if (br.bridge.vlanFiltering !== 1) {
      const why =
        br.bridge.vlanFiltering === null
          ? 'the kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING)'
          : `VLAN filtering is off on ${vars.bridge}`;
      const first = needs[0];
      if (!first) return skipped(`${why} and no VLANs are expected`, ev);
      return {
        status: 'fail',
        fixable: false,
        evidence: ev,
        message: `${why} but ${first.why} expects VLAN ${first.vlan} on ${first.port}: tag inside the guest or use a per-VLAN bridge`,
      };
    }
    if (needs.length === 0) return skipped(`VLAN filtering is on but no VLANs are declared (vars.vlans or guest <vlan>) to verify`, ev);
    const unmet = unmetVlanNeeds(f, vars);
    const u = unmet[0];
    if (!u) return { status: 'pass', message: `${needs.length} VLAN membership(s) on ${vars.bridge} as expected`, evidence: ev };
    const what = u.access ? `VLAN ${u.vlan} as PVID untagged` : `VLAN ${u.vlan}`;
    return {
      status: 'fail',
      evidence: { ...ev, unmet },
      message: `${u.port} on ${vars.bridge} lacks ${what} (${u.why})${unmet.length > 1 ? ` (+${unmet.length - 1} more)` : ''}: add it with bridge vlan add`,
    };
  },
});
