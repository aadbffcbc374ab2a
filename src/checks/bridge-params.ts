/** Checks 5, 7, 10, 30: STP/forward delay, MTU, bridge MAC, port states of the VM bridges. */
import type { HostFacts, Link } from '../facts/types.js';
import { defineCheck, pass, skipped, type CheckSpec, type Finding } from './define.js';
import { expectedMtu, guestTargets, isGuestPort, linkMap, listing, portsOf, resolveUplink, vmBridges, type BridgeRef } from './model.js';
import type { ResolvedVars } from './vars.js';
import { maybe } from './need.js';

interface ExistingBridges {
  readonly links: Map<string, Link>;
  readonly bridges: { ref: BridgeRef; link: Link }[];
}

/** evaluate() of a check of the VM bridges that exist: `rule` sees them; with none, the check is skipped. */
function onExistingBridges(rule: (f: HostFacts, vars: ResolvedVars, existing: ExistingBridges) => Finding): CheckSpec['evaluate'] {
  return (f, vars) => {
    const links = linkMap(f);
    const bridges = vmBridges(f, vars).flatMap((r) => (links.get(r.name)?.bridge ? [{ ref: r, link: links.get(r.name) as Link }] : []));
    if (bridges.length === 0) return skipped('no existing VM bridge to look at (see bridge.exists)');
    return rule(f, vars, { links, bridges });
  };
}

export const bridgeStpForwardDelay = defineCheck({
  id: 'bridge.stp-forward-delay',
  group: 'bridge',
  title: 'STP is off on VM bridges (else every new port is dark for 2 x forward_delay)',
  severity: 'medium',
  fixId: 'stp-off',
  evaluate: onExistingBridges((f, vars, { links, bridges }) => {
    const targets = guestTargets(f);
    for (const { link } of bridges) {
      const b = link.bridge;
      if (!b || b.stpState === 0) continue;
      const uplinks = portsOf(links, link.ifname).filter((p) => !isGuestPort(p, targets));
      const ev = { bridge: link.ifname, stpState: b.stpState, forwardDelayCs: b.forwardDelayCs, uplinks: uplinks.map((u) => u.ifname) };
      if (uplinks.length >= 2) {
        return pass(
          `${link.ifname} runs STP with ${uplinks.length} uplinks (${listing(uplinks.map((u) => u.ifname))}): loop protection, keep it (or bond the uplinks)`,
          ev,
        );
      }
      const dark = (2 * b.forwardDelayCs) / 100;
      return {
        status: 'warn',
        evidence: ev,
        message: `${link.ifname} has STP on (forward_delay ${b.forwardDelayCs / 100} s): each new guest port is dark for ~${dark} s (PXE/DHCP timeouts); turn STP off and set forward_delay 0`,
      };
    }
    return pass(`STP off on ${listing(bridges.map((b) => b.link.ifname))}`);
  }),
});

export const bridgeMtu = defineCheck({
  id: 'bridge.mtu',
  group: 'bridge',
  title: 'Bridge, uplink and every port share the expected MTU',
  severity: 'medium',
  fixId: 'mtu',
  evaluate: onExistingBridges((f, vars, { links, bridges }) => {
    const problems: Finding[] = [];
    for (const { link: br, ref } of bridges) {
      const exp = expectedMtu(f, vars, ref, links);
      const expected = exp.mtu;
      const uplink = exp.uplink ? links.get(exp.uplink) : undefined;
      const ports = portsOf(links, br.ifname);
      const low = ports.filter((p) => p.mtu < expected);
      const high = exp.explicit ? ports.filter((p) => p.mtu > expected) : [];
      const ev = {
        bridge: br.ifname,
        expected,
        explicit: exp.explicit,
        bridgeMtu: br.mtu,
        ports: Object.fromEntries(ports.map((p) => [p.ifname, p.mtu])),
      };
      const lowUplink = low.find((p) => p.ifname === uplink?.ifname);
      if (lowUplink) {
        problems.push({
          status: 'fail',
          severity: 'high',
          evidence: ev,
          message: `uplink ${lowUplink.ifname} has MTU ${lowUplink.mtu} but ${br.ifname} expects ${expected}: raise it (large transfers stall)`,
        });
      } else if (low.length > 0) {
        const p = low[0] as Link;
        problems.push({
          status: 'fail',
          evidence: ev,
          message: `${p.ifname} on ${br.ifname} has MTU ${p.mtu}, expected ${expected}${low.length > 1 ? ` (+${low.length - 1} more ports)` : ''}: the bridge drops to the smallest port MTU; raise ports then ${br.ifname}`,
        });
      } else if (br.mtu < expected) {
        problems.push({
          status: 'fail',
          evidence: ev,
          message: `${br.ifname} has MTU ${br.mtu} but its ports carry ${expected}: set ${br.ifname} to ${expected}`,
        });
      } else if (high.length > 0 || (exp.explicit && br.mtu !== expected)) {
        const p = high[0];
        problems.push({
          status: 'fail',
          evidence: ev,
          message: p
            ? `${p.ifname} on ${br.ifname} has MTU ${p.mtu}, inventory expects ${expected}`
            : `${br.ifname} has MTU ${br.mtu}, inventory expects ${expected}`,
        });
      }
    }
    return (
      problems.find((p) => p.severity === 'high') ??
      problems[0] ??
      pass(`MTU consistent on ${listing(bridges.map((b) => `${b.link.ifname} (${b.link.mtu})`))}`)
    );
  }),
});

export const bridgePortState = defineCheck({
  id: 'bridge.port-state',
  group: 'bridge',
  title: 'No VM or uplink port stuck blocking, disabled or in STP transition',
  severity: 'high',
  // Only a running guest's tap that is administratively down has a safe runtime fix (bring it up);
  // every other finding is marked fixable: false.
  fixId: 'tap-up',
  evaluate: onExistingBridges((f, vars, { links, bridges }) => {
    const lv = maybe(f.libvirt);
    const runningTaps = new Set(lv?.domains.filter((d) => d.running).flatMap((d) => d.interfaces.flatMap((i) => i.targetDev ?? [])) ?? []);
    const uplinks = new Set(bridges.flatMap(({ ref }) => (ref.expectsUplink ? resolveUplink(f, vars, ref.name).candidates : [])));
    const findings: Finding[] = [];
    const states: Record<string, string> = {};
    const down = bridges.filter(({ link }) => !link.up).map(({ link }) => link.ifname);
    for (const { link: br } of bridges) {
      // Ports of an admin-down bridge are all disabled: bridge.up reports the cause.
      if (!br.up) continue;
      for (const p of portsOf(links, br.ifname)) {
        const st = p.port?.state;
        states[p.ifname] = st ?? 'unknown';
        const ev = { bridge: br.ifname, port: p.ifname, state: st ?? null, stpState: br.bridge?.stpState ?? null };
        if (st === 'blocking') {
          findings.push({
            status: 'fail',
            severity: 'high',
            fixable: false,
            evidence: ev,
            message: `${p.ifname} on ${br.ifname} is blocking: STP found a loop (two uplinks into one L2, or a guest bridging two NICs); bond or remove the second path`,
          });
        } else if (st === 'disabled' && runningTaps.has(p.ifname)) {
          // Admin-down: `ip link set up` restores it. Up without carrier: the guest side (QEMU, its
          // link state) is the cause, which bringing the tap up cannot change.
          findings.push({
            status: 'fail',
            severity: 'critical',
            fixable: !p.up,
            evidence: ev,
            message: p.up
              ? `${p.ifname} on ${br.ifname} is disabled (no carrier from the guest side) but belongs to a running guest: check the guest NIC's link state and its QEMU process`
              : `${p.ifname} on ${br.ifname} is disabled (link down) but belongs to a running guest: bring it up`,
          });
        } else if (st === 'disabled' && uplinks.has(p.ifname)) {
          findings.push({
            status: 'fail',
            severity: 'high',
            fixable: false,
            evidence: ev,
            message: `uplink ${p.ifname} on ${br.ifname} is disabled (link down or no carrier): see nic.link`,
          });
        } else if (st === 'listening' || st === 'learning') {
          findings.push({
            status: 'warn',
            severity: 'medium',
            fixable: false,
            evidence: ev,
            message: `${p.ifname} on ${br.ifname} is ${st} (STP transition); stuck if still so after 2 x forward_delay + 5 s`,
          });
        }
      }
    }
    const order = ['critical', 'high', 'medium'];
    findings.sort((a, b) => order.indexOf(a.severity ?? 'high') - order.indexOf(b.severity ?? 'high'));
    const worst = findings[0];
    if (worst) return findings.length > 1 ? { ...worst, message: `${worst.message} (+${findings.length - 1} more ports)` } : worst;
    // MAC flapping needs two FDB samples or the kernel log; the facts hold neither.
    if (down.length === bridges.length)
      return skipped(`${listing(down)} ${down.length === 1 ? 'is' : 'are'} down: every port is disabled (see bridge.up)`);
    const summary = Object.entries(states).map(([p, s]) => `${p} ${s}`);
    return pass(summary.length === 0 ? 'no ports on the VM bridges' : `no port stuck: ${listing(summary, 4)} (MAC flapping not sampled)`, {
      states,
    });
  }),
});

export const bridgeMacStability = defineCheck({
  id: 'bridge.mac-stability',
  group: 'bridge',
  title: 'The bridge MAC is the uplink NIC MAC (DHCP reservations, ARP, port security stay valid)',
  severity: 'medium',
  fixId: 'bridge-mac',
  evaluate(f, vars) {
    if (vars.vmNetworkMode === 'nat') return skipped('vmNetworkMode is nat: no host bridge carries the host address');
    const links = linkMap(f);
    const br = links.get(vars.bridge);
    if (!br) return skipped(`bridge ${vars.bridge} does not exist (see bridge.exists)`);
    const up = resolveUplink(f, vars);
    const u = up.name ? links.get(up.name) : undefined;
    if (!u)
      return skipped(
        `no uplink to compare with (${up.source === 'ambiguous' ? `ambiguous: ${listing(up.candidates)}; set vars.uplink` : 'see bridge.uplink-enslaved'})`,
      );
    const want = u.permaddr ?? u.address;
    const ev = { bridge: br.ifname, bridgeMac: br.address ?? null, uplink: u.ifname, uplinkMac: want ?? null };
    if (!want || !br.address) return skipped('a MAC address is missing from the facts', ev);
    if (br.address === want) return pass(`${br.ifname} uses ${u.ifname}'s MAC ${want}`, ev);
    return {
      status: 'warn',
      evidence: ev,
      message: `${br.ifname} has MAC ${br.address}, not ${u.ifname}'s ${want}: DHCP reservations, static ARP and switch port security keyed on the NIC stop matching; set it explicitly`,
    };
  },
});
