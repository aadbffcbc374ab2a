/** Checks 1–4: the VM bridge exists, is up, has its uplink, and holds the host address itself. */
import { defineCheck, pass, skipped, type Finding } from './define.js';
import { bySeverityOfUsers, defaultRoutes, globalAddrs, linkMap, listing, resolveUplink, vmBridges } from './model.js';
import { maybe } from './need.js';

export const bridgeExists = defineCheck({
  id: 'bridge.exists',
  group: 'bridge',
  title: 'Every bridge a guest or libvirt network names exists and is a bridge',
  severity: 'critical',
  evaluate(f, vars) {
    const links = linkMap(f);
    // libvirt-managed NAT bridges are created by libvirt itself: libvirt.default-network judges those.
    const refs = vmBridges(f, vars).filter((r) => !r.managedByLibvirt);
    if (refs.length === 0) return skipped('no host bridge expected (vmNetworkMode nat and no guest names one)');
    const libvirtNote = f.libvirt.ok ? '' : ` (libvirt facts unavailable: only ${vars.bridge} checked)`;
    const bad: Finding[] = [];
    for (const r of refs) {
      const l = links.get(r.name);
      const users = r.users.map((u) => u.domain);
      const who = users.length > 0 ? `used by ${listing([...new Set(users)])}` : 'the configured VM bridge';
      if (!l) {
        bad.push({
          status: 'fail',
          severity: bySeverityOfUsers(r),
          message: `bridge ${r.name} (${who}) does not exist: guests on it cannot start ("Cannot get interface MTU")`,
          evidence: { bridge: r.name, users },
          // No automatic runtime fix: an empty bridge would hide a typo'd name and leave guests isolated.
          fix: `apply the bridge template for ${r.name} (uplink included) with the safe-apply flow, or correct the guests' <source bridge> (virsh edit)`,
        });
      } else if (l.kind !== 'bridge' && l.kind !== 'openvswitch') {
        bad.push({
          status: 'fail',
          severity: bySeverityOfUsers(r),
          fixable: false,
          message: `${r.name} (${who}) exists but is a ${l.kind ?? 'plain'} device, not a bridge`,
          evidence: { bridge: r.name, kind: l.kind ?? null, users },
        });
      }
    }
    const worst = bad.find((b) => b.severity === 'critical') ?? bad[0];
    if (worst) {
      return bad.length === 1
        ? worst
        : { ...worst, message: `${worst.message} (+${bad.length - 1} more missing/wrong bridges)`, evidence: bad.map((b) => b.evidence) };
    }
    return pass(
      `${listing(refs.map((r) => r.name))} exist${refs.length === 1 ? 's' : ''} and ${refs.length === 1 ? 'is a bridge' : 'are bridges'}${libvirtNote}`,
      { bridges: refs.map((r) => r.name) },
    );
  },
});

export const bridgeUp = defineCheck({
  id: 'bridge.up',
  group: 'bridge',
  title: 'VM bridges are administratively and operationally up',
  severity: 'critical',
  fixId: 'bridge-up',
  evaluate(f, vars) {
    const links = linkMap(f);
    const refs = vmBridges(f, vars).filter((r) => links.get(r.name)?.kind === 'bridge');
    if (refs.length === 0) return skipped('no existing VM bridge to look at (see bridge.exists)');
    for (const r of refs) {
      const l = links.get(r.name);
      if (!l) continue;
      if (!l.up) {
        return {
          status: 'fail',
          severity: bySeverityOfUsers(r),
          message: `${r.name} is administratively down: guests on it are cut off; bring it up`,
          evidence: { bridge: r.name, flags: l.flags, operstate: l.operstate },
        };
      }
      if (l.operstate === 'DOWN' && r.expectsUplink) {
        return {
          status: 'fail',
          severity: 'critical',
          fixable: false,
          message: `${r.name} is up but has no carrier (operstate DOWN): no port is forwarding; see bridge.uplink-enslaved / nic.link`,
          evidence: {
            bridge: r.name,
            flags: l.flags,
            operstate: l.operstate,
            ports: [...links.values()].filter((p) => p.master === r.name).map((p) => ({ port: p.ifname, state: p.port?.state ?? null })),
          },
        };
      }
    }
    return pass(`${listing(refs.map((r) => r.name))} up (operstate ${listing(refs.map((r) => links.get(r.name)?.operstate ?? '?'))})`);
  },
});

export const bridgeUplinkEnslaved = defineCheck({
  id: 'bridge.uplink-enslaved',
  group: 'bridge',
  title: 'The uplink is a forwarding port of the VM bridge',
  severity: 'critical',
  fixId: 'uplink-enslave',
  evaluate(f, vars) {
    if (vars.vmNetworkMode === 'nat') return skipped('vmNetworkMode is nat: guests reach the LAN through NAT, not a bridged uplink');
    const links = linkMap(f);
    const br = vars.bridge;
    if (!links.has(br)) return skipped(`bridge ${br} does not exist (see bridge.exists)`);
    const up = resolveUplink(f, vars);
    if (up.source === 'ambiguous') {
      return { status: 'error', message: `${br} has several possible uplinks (${listing(up.candidates)}): set vars.uplink`, evidence: up };
    }
    if (!up.name) {
      return {
        status: 'fail',
        fixable: false,
        message: `${br} has no uplink port (only guest taps): guests cannot reach the LAN; enslave the NIC or set vars.uplink`,
        evidence: { bridge: br, ports: [...links.values()].filter((l) => l.master === br).map((l) => l.ifname) },
      };
    }
    const u = links.get(up.name);
    const ev = { bridge: br, uplink: up.name, uplinkFrom: up.source, master: u?.master ?? null, portState: u?.port?.state ?? null };
    if (!u) {
      return {
        status: 'fail',
        fixable: false,
        message: `uplink ${up.name} of ${br} does not exist (renamed NIC? look for its MAC under another name)`,
        evidence: ev,
      };
    }
    if (u.master !== br) {
      const where = u.master ? `is a port of ${u.master}, not of ${br}` : `is not a port of ${br} (no master)`;
      return {
        status: 'fail',
        message: `uplink ${up.name} ${where}: guests reach each other but not the LAN; enslave it to ${br}`,
        evidence: ev,
      };
    }
    const st = u.port?.state;
    if (st === 'forwarding' || st === undefined)
      return pass(`${up.name} is ${st === undefined ? 'a port' : 'a forwarding port'} of ${br}`, ev);
    // Every port of an admin-down bridge is disabled: that is bridge.up's finding, not ours.
    if (!links.get(br)?.up) return pass(`${up.name} is a port of ${br} (${st} because ${br} is down: see bridge.up)`, ev);
    if (st === 'listening' || st === 'learning') {
      return {
        status: 'warn',
        severity: 'medium',
        fixable: false,
        message: `${up.name} is a port of ${br} but still ${st} (STP): see bridge.stp-forward-delay`,
        evidence: ev,
      };
    }
    return {
      status: 'fail',
      severity: 'high',
      fixable: false,
      message: `${up.name} is a port of ${br} but ${st}: see bridge.port-state / nic.link`,
      evidence: ev,
    };
  },
});

export const bridgeIpOnPort = defineCheck({
  id: 'bridge.ip-on-port',
  group: 'bridge',
  title: 'No global address or default route on a bridge port',
  severity: 'critical',
  fixId: 'ip-to-bridge',
  evaluate(f) {
    const links = linkMap(f);
    const ports = [...links.values()].filter((l) => l.master && links.get(l.master)?.kind === 'bridge');
    const portNames = new Set(ports.map((p) => p.ifname));
    const addrs = globalAddrs(f).filter((a) => portNames.has(a.ifname));
    const first = addrs[0];
    if (first) {
      const br = links.get(first.ifname)?.master ?? '?';
      const more = addrs.length > 1 ? ` (+${addrs.length - 1} more)` : '';
      return {
        status: 'fail',
        message: `${first.ifname} is a port of ${br} but still holds ${first.local}/${first.prefixlen}${more}: move the address to ${br}`,
        evidence: {
          addresses: addrs.map((a) => ({ port: a.ifname, bridge: links.get(a.ifname)?.master, address: `${a.local}/${a.prefixlen}` })),
        },
      };
    }
    const routes = maybe(f.routes4) ? defaultRoutes(f) : [];
    const viaPort = routes.find((r) => r.dev !== undefined && portNames.has(r.dev));
    if (viaPort?.dev) {
      const br = links.get(viaPort.dev)?.master ?? '?';
      return {
        status: 'fail',
        message: `the default route goes via ${viaPort.dev}, a port of ${br}: replies arrive on ${br}; route via ${br}`,
        evidence: { route: viaPort },
      };
    }
    return pass(
      ports.length === 0 ? 'no bridge ports on this host' : `no global address or default route on ${listing(ports.map((p) => p.ifname))}`,
    );
  },
});
