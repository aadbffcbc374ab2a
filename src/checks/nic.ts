/** Check 9: the uplink NIC has link (carrier) and is up. */
import { defineCheck, skipped } from './define.js';
import { linkMap, listing, resolveUplink } from './model.js';

export const nicLink = defineCheck({
  id: 'nic.link',
  group: 'nic',
  title: 'The uplink is up with carrier',
  severity: 'critical',
  fixId: 'link-up',
  evaluate(f, vars) {
    const links = linkMap(f);
    const up = resolveUplink(f, vars);
    if (up.source === 'ambiguous')
      return { status: 'error', message: `several possible uplinks (${listing(up.candidates)}): set vars.uplink`, evidence: up };
    if (!up.name) return skipped('no uplink known (see bridge.uplink-enslaved)');
    const u = links.get(up.name);
    if (!u) return skipped(`uplink ${up.name} does not exist (see bridge.uplink-enslaved)`);
    // Speed/duplex/error counters need ethtool or two samples; the facts script takes neither.
    const ev = {
      uplink: u.ifname,
      physical: u.physical ?? null,
      up: u.up,
      carrier: u.carrier ?? null,
      operstate: u.operstate,
      note: 'speed/duplex/error counters not sampled',
    };
    if (!u.up) return { status: 'fail', evidence: ev, message: `uplink ${u.ifname} is administratively down: bring it up` };
    const noCarrier = u.carrier === false || u.flags.includes('NO-CARRIER');
    if (noCarrier || u.operstate === 'DOWN' || u.operstate === 'LOWERLAYERDOWN') {
      return {
        status: 'fail',
        fixable: false,
        evidence: ev,
        message: `uplink ${u.ifname} is up but has no link (operstate ${u.operstate}): check cable, switch port (shut/err-disabled/port security)`,
      };
    }
    return { status: 'pass', evidence: ev, message: `uplink ${u.ifname} is up with carrier (operstate ${u.operstate})` };
  },
});
