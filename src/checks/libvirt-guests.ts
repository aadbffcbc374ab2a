/** Checks 21–23: macvtap guest NICs, running guests' taps attached to their bridge, link state. */
import { defineCheck, pass, skipped, type Finding } from './define.js';
import { linkMap, listing, networkByName, nicBridge } from './model.js';
import { need } from './need.js';

export const libvirtIfaceDirect = defineCheck({
  id: 'libvirt.iface-direct',
  group: 'libvirt',
  title: 'Guest NICs on macvtap (type=direct) are flagged: guest<->host traffic is impossible by design',
  severity: 'info',
  evaluate(f, vars) {
    const found: Array<{ domain: string; mac: string | null; dev: string | null; mode: string | null; via: string }> = [];
    for (const d of need(f.libvirt).domains) {
      for (const nic of d.interfaces) {
        if (nic.type === 'direct')
          found.push({
            domain: d.name,
            mac: nic.mac ?? null,
            dev: nic.sourceDev ?? null,
            mode: nic.sourceMode ?? 'vepa',
            via: 'type=direct',
          });
        const n = nic.type === 'network' && nic.sourceNetwork ? networkByName(f, nic.sourceNetwork) : undefined;
        const macvtapNet =
          n &&
          ((n.forwardMode === 'bridge' && n.forwardDevs.length > 0) || ['private', 'vepa', 'passthrough'].includes(n.forwardMode ?? ''));
        if (n && macvtapNet)
          found.push({
            domain: d.name,
            mac: nic.mac ?? null,
            dev: n.forwardDevs[0] ?? null,
            mode: n.forwardMode ?? null,
            via: `network ${n.name}`,
          });
      }
    }
    const first = found[0];
    if (!first) return pass('no guest NIC uses macvtap (type=direct)');
    // By design, not a fault, unless the inventory says the guest needs its host: then it is the
    // cause of "the VM cannot reach the host" (kvm-network-checks.md check 21).
    const needsHost = vars.guestsNeedHost;
    const cut = found.filter((n) => needsHost === true || (Array.isArray(needsHost) && needsHost.includes(n.domain)));
    const worst = cut[0];
    if (worst)
      return {
        status: 'fail',
        severity: 'high',
        evidence: { nics: found, guestsNeedHost: needsHost },
        fix: 'use type=bridge on a host bridge, or add a second guest NIC on an isolated libvirt network for host<->guest traffic',
        message: `${worst.domain} NIC ${worst.mac ?? '?'} is macvtap on ${worst.dev ?? '?'} (${worst.via}, mode ${worst.mode}) but the inventory says it needs this host (guests_need_host): macvtap never reaches its host${cut.length > 1 ? ` (+${cut.length - 1} more)` : ''}`,
      };
    return {
      status: 'warn',
      evidence: { nics: found },
      fix: 'use type=bridge on a host bridge, or add a second guest NIC on an isolated libvirt network for host<->guest traffic',
      message: `${first.domain} NIC ${first.mac ?? '?'} is macvtap on ${first.dev ?? '?'} (${first.via}, mode ${first.mode}): it can never talk to this host${found.length > 1 ? ` (+${found.length - 1} more)` : ''}; fine unless the guest needs the host`,
    };
  },
});

export const libvirtTapAttached = defineCheck({
  id: 'libvirt.tap-attached',
  group: 'libvirt',
  title: "Every running guest's tap exists and is a port of its bridge",
  severity: 'critical',
  fixId: 'tap-attach',
  evaluate(f) {
    const links = linkMap(f);
    const running = need(f.libvirt).domains.filter((d) => d.running);
    if (running.length === 0) return skipped('no running guest');
    const bad: Finding[] = [];
    let checked = 0;
    for (const d of running) {
      for (const nic of d.interfaces) {
        const br = nicBridge(f, nic);
        if (!br || !nic.targetDev) continue;
        checked++;
        const tap = links.get(nic.targetDev);
        const ev = { domain: d.name, mac: nic.mac ?? null, tap: nic.targetDev, bridge: br, master: tap?.master ?? null };
        if (!tap)
          bad.push({
            status: 'fail',
            fixable: false,
            evidence: ev,
            message: `tap ${nic.targetDev} of running guest ${d.name} does not exist: the guest NIC has no host side; restart virtqemud/libvirtd or the guest`,
          });
        else if (tap.master !== br)
          bad.push({
            status: 'fail',
            evidence: ev,
            message: `tap ${nic.targetDev} of running guest ${d.name} is ${tap.master ? `a port of ${tap.master}` : 'attached to no bridge'}, not ${br}: the guest is cut off; re-attach it`,
          });
      }
    }
    // Prefer the re-attachable case: it is the common one after a network restart.
    const first = bad.find((b) => b.fixable !== false) ?? bad[0];
    if (first) return bad.length > 1 ? { ...first, message: `${first.message} (+${bad.length - 1} more)` } : first;
    if (checked === 0) return skipped('no running guest NIC is bridge-backed');
    return pass(`${checked} tap(s) of ${listing(running.map((d) => d.name))} attached to their bridges`);
  },
});

export const libvirtLinkState = defineCheck({
  id: 'libvirt.link-state',
  group: 'libvirt',
  title: "No guest NIC has <link state='down'/>",
  severity: 'high',
  fixId: 'libvirt-link-up',
  evaluate(f) {
    const down = need(f.libvirt).domains.flatMap((d) =>
      d.interfaces
        .filter((i) => i.linkState === 'down')
        .map((i) => ({ domain: d.name, running: d.running, mac: i.mac ?? null, target: i.targetDev ?? null })),
    );
    const first = down[0];
    if (!first) return pass('no guest NIC is set link-down');
    return {
      status: 'fail',
      evidence: { nics: down },
      message: `${first.domain} NIC ${first.mac ?? first.target ?? '?'} has <link state='down'/>: the guest sees no carrier${down.length > 1 ? ` (+${down.length - 1} more)` : ''}; set it up unless intended`,
    };
  },
});
