/**
 * Check 28 (ifupdown part): /etc/network/interfaces (+ interfaces.d) against the running state for
 * the VM bridge, its ports and every configured interface. netplan, NetworkManager and networkd are
 * not compared yet: on hosts they own, this check says skipped.
 */
import type { IfaceStanza, Link } from '../facts/types.js';
import { defineCheck, pass, skipped } from './define.js';
import { defaultRoutes, expectedMtu, globalAddrs, guestTargets, isGuestPort, linkMap, listing, portsOf, vmBridges } from './model.js';
import { maybe, need } from './need.js';
import type { ResolvedVars } from './vars.js';

interface Diff {
  readonly iface: string;
  readonly attr: string;
  readonly file: string;
  readonly runtime: string;
  readonly severity: 'high' | 'medium';
  readonly note: string;
}

function opt(s: IfaceStanza, key: string): string | undefined {
  return s.options[key]?.[0]?.trim();
}

function onOff(v: string): boolean | undefined {
  const x = v.toLowerCase();
  return ['on', 'yes', '1', 'true'].includes(x) ? true : ['off', 'no', '0', 'false'].includes(x) ? false : undefined;
}

function maskToLen(mask: string): number | undefined {
  if (/^\d+$/.test(mask)) return Number(mask);
  const bits = mask
    .split('.')
    .map((p) => Number(p).toString(2).padStart(8, '0'))
    .join('');
  return /^1*0*$/.test(bits) && bits.length === 32 ? bits.replace(/0+$/, '').length : undefined;
}

/** `address 192.0.2.10/24` or `address 192.0.2.10` + `netmask 255.255.255.0`. */
function fileAddrs(s: IfaceStanza): string[] {
  const mask = opt(s, 'netmask');
  return (s.options['address'] ?? [])
    .flatMap((a) => a.split(/\s+/))
    .filter((a) => a !== '')
    .map((a) => {
      if (a.includes('/') || !mask) return a;
      const len = maskToLen(mask);
      return len === undefined ? a : `${a}/${len}`;
    });
}

/**
 * VM bridges whose runtime MTU is only the kernel following a port below the expected MTU
 * (br_mtu_auto_adjust): bridge.mtu names that port, and the file is not what is wrong (persisting
 * the runtime MTU would make it worse). A bridge lowered by hand while its ports agree is drift.
 */
function mtuFollowsLowPort(f: Parameters<typeof linkMap>[0], vars: ResolvedVars, links: Map<string, Link>): Set<string> {
  const out = new Set<string>();
  for (const ref of vmBridges(f, vars)) {
    const br = links.get(ref.name);
    const ports = portsOf(links, ref.name);
    if (!br?.bridge || ports.length === 0) continue;
    const lowest = Math.min(...ports.map((p) => p.mtu));
    if (lowest < expectedMtu(f, vars, ref, links).mtu && br.mtu === lowest) out.add(ref.name);
  }
  return out;
}

function compareStanza(
  s: IfaceStanza,
  l: Link,
  f: Parameters<typeof linkMap>[0],
  links: Map<string, Link>,
  auto: Set<string>,
  isVmBridge: boolean,
  mtuFollows: Set<string>,
): Diff[] {
  const d: Diff[] = [];
  const add = (attr: string, file: string, runtime: string, severity: Diff['severity'], note: string) =>
    d.push({ iface: s.name, attr, file, runtime, severity, note });
  if (isVmBridge && l.up && !auto.has(s.name))
    add('auto', 'not auto/allow-hotplug', 'up', 'high', `${s.name} is not marked auto: it will not come up at boot`);
  const port = l.master !== undefined && links.get(l.master)?.kind === 'bridge';
  if (port && (s.method === 'static' || s.method === 'dhcp')) {
    add(
      'method',
      `inet ${s.method}`,
      `port of ${l.master}`,
      'high',
      `the file gives ${s.name} an address (inet ${s.method}) but it is a port of ${l.master}: at boot the address lands on the port`,
    );
  }
  if (s.family === 'inet' && s.method === 'static') {
    const want = fileAddrs(s);
    const have = globalAddrs(f, s.name)
      .filter((a) => a.family === 'inet')
      .map((a) => `${a.local}/${a.prefixlen}`);
    for (const w of want) {
      const hit = have.some((h) => (w.includes('/') ? h === w : h.split('/')[0] === w));
      if (!hit) add('address', w, have.join(' ') || 'none', 'medium', `the file puts ${w} on ${s.name} but it is not there at runtime`);
    }
    const gw = opt(s, 'gateway');
    const rt = maybe(f.routes4) ? defaultRoutes(f).find((r) => r.dev === s.name) : undefined;
    if (gw && rt?.gateway !== gw)
      add(
        'gateway',
        gw,
        rt?.gateway ?? 'no default route via it',
        'medium',
        `the file sets gateway ${gw} on ${s.name}; runtime ${rt?.gateway ? `uses ${rt.gateway}` : 'has no default route via it'}`,
      );
  }
  if (l.bridge) {
    const filePorts = (opt(s, 'bridge-ports') ?? '').split(/\s+/).filter((p) => p !== '' && p !== 'none');
    const targets = guestTargets(f);
    const rtPorts = portsOf(links, s.name)
      .filter((p) => !isGuestPort(p, targets))
      .map((p) => p.ifname);
    const lost = rtPorts.filter((p) => !filePorts.includes(p));
    const extra = filePorts.filter((p) => !rtPorts.includes(p));
    if (lost.length > 0)
      add(
        'bridge-ports',
        filePorts.join(' ') || 'none',
        rtPorts.join(' '),
        'high',
        `the file's bridge_ports lacks ${listing(lost)}: after a reboot ${s.name} has no uplink`,
      );
    if (extra.length > 0)
      add(
        'bridge-ports',
        filePorts.join(' '),
        rtPorts.join(' ') || 'none',
        'medium',
        `the file enslaves ${listing(extra)} to ${s.name} but runtime does not`,
      );
    const stp = opt(s, 'bridge-stp');
    const stpOn = stp !== undefined ? onOff(stp) : undefined;
    if (stpOn !== undefined && stpOn !== (l.bridge.stpState !== 0))
      add(
        'bridge-stp',
        stp ?? '',
        l.bridge.stpState !== 0 ? 'on' : 'off',
        'medium',
        `the file says bridge_stp ${stp}, runtime STP is ${l.bridge.stpState !== 0 ? 'on' : 'off'}`,
      );
    const fd = opt(s, 'bridge-fd');
    if (fd !== undefined && Number.isFinite(Number(fd)) && Math.round(Number(fd) * 100) !== l.bridge.forwardDelayCs) {
      add(
        'bridge-fd',
        fd,
        String(l.bridge.forwardDelayCs / 100),
        'medium',
        `the file says bridge_fd ${fd}, runtime forward_delay is ${l.bridge.forwardDelayCs / 100} s`,
      );
    }
  }
  const mtu = opt(s, 'mtu');
  if (mtu !== undefined && Number(mtu) !== l.mtu && !(mtuFollows.has(s.name) && l.mtu < Number(mtu)))
    add('mtu', mtu, String(l.mtu), 'medium', `the file sets mtu ${mtu} on ${s.name}, runtime has ${l.mtu}`);
  const hw = opt(s, 'hwaddress')
    ?.replace(/^ether\s+/i, '')
    .toLowerCase();
  if (hw && l.address && hw !== l.address)
    add('hwaddress', hw, l.address, 'medium', `the file sets hwaddress ${hw} on ${s.name}, runtime has ${l.address}`);
  return d;
}

export const configDrift = defineCheck({
  id: 'config.drift',
  group: 'config',
  title: 'Persistent ifupdown config matches the running bridge, addresses, STP and MTU',
  severity: 'medium',
  evaluate(f, vars) {
    const cfg = need(f.ifupdown);
    if (cfg.files.length === 0)
      return skipped('no /etc/network/interfaces: ifupdown does not configure this host (netplan/NM/networkd are not compared)');
    const stanzas = cfg.ifaces.filter((s) => s.name !== 'lo' && (s.family === 'inet' || s.family === 'inet6'));
    if (stanzas.length === 0) return skipped('ifupdown configures only lo: another manager owns the network (not compared)');
    const links = linkMap(f);
    const auto = new Set([...cfg.auto, ...cfg.hotplug]);
    const diffs: Diff[] = [];
    const br = vars.vmNetworkMode === 'bridge' ? links.get(vars.bridge) : undefined;
    if (br?.bridge && !stanzas.some((s) => s.name === br.ifname)) {
      const targets = guestTargets(f);
      const ports = portsOf(links, br.ifname)
        .filter((p) => !isGuestPort(p, targets))
        .map((p) => p.ifname);
      const portStanza = stanzas.find((s) => ports.includes(s.name));
      if (!portStanza) {
        // ifupdown manages other interfaces here, yet not the VM bridge: unless another manager
        // persists it (the facts do not say which managers are active), guests lose it at reboot.
        const managed = [...new Set(stanzas.filter((s) => auto.has(s.name)).map((s) => s.name))];
        if (managed.length === 0)
          return skipped(`ifupdown has no stanza for ${br.ifname} or its ports (another manager owns them?): not compared`);
        return {
          status: 'warn',
          evidence: { files: cfg.files, bridge: br.ifname, ports, ifupdownManages: managed },
          fix: `add ${br.ifname} (bridge_ports ${ports.join(' ')}) to /etc/network/interfaces from fleet's template, or confirm another manager persists it`,
          message: `${br.ifname} (ports ${ports.join(', ') || 'none'}) runs but ${cfg.files[0] ?? '/etc/network/interfaces'}, which brings up ${listing(managed)}, has no stanza for it: unless another manager persists it, guests lose it at the next reboot`,
        };
      }
      diffs.push({
        iface: br.ifname,
        attr: 'stanza',
        file: 'missing',
        runtime: `bridge with ${ports.join(' ')}`,
        severity: 'high',
        note: `the file has no stanza for ${br.ifname} but configures its port ${portStanza.name} (inet ${portStanza.method}): after a reboot guests lose the bridge`,
      });
    }
    let compared = 0;
    const mtuFollows = mtuFollowsLowPort(f, vars, links);
    for (const s of stanzas) {
      const l = links.get(s.name);
      if (!l) {
        if (auto.has(s.name))
          diffs.push({
            iface: s.name,
            attr: 'exists',
            file: 'auto',
            runtime: 'missing',
            severity: 'medium',
            note: `the file brings up ${s.name} (auto) but no such interface exists`,
          });
        continue;
      }
      compared++;
      // inet6 stanzas only contribute auto/mtu/bridge checks through their inet sibling; compare inet fully.
      if (s.family === 'inet' || !stanzas.some((x) => x.name === s.name && x.family === 'inet'))
        diffs.push(...compareStanza(s, l, f, links, auto, s.name === br?.ifname, mtuFollows));
    }
    diffs.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'high' ? -1 : 1));
    const first = diffs[0];
    const ev = { files: cfg.files, diffs, unreadSources: cfg.sources.filter((s) => !s.startsWith('/etc/network/interfaces.d')) };
    const followed = stanzas.filter((s) => mtuFollows.has(s.name) && opt(s, 'mtu') !== undefined).map((s) => s.name);
    const note = followed.length > 0 ? `; ${listing([...new Set(followed)])} MTU follows a low port (see bridge.mtu)` : '';
    if (!first)
      return pass(
        `ifupdown config matches runtime for ${listing(stanzas.map((s) => s.name).filter((n, i, a) => a.indexOf(n) === i))} (${compared} stanza(s) compared)${note}`,
        ev,
      );
    return {
      status: 'fail',
      severity: first.severity,
      evidence: ev,
      fix: "re-render the interfaces file from fleet's template and apply it with the safe-apply flow, or persist the runtime state",
      message: `${first.note}${diffs.length > 1 ? ` (+${diffs.length - 1} more differences)` : ''}`,
    };
  },
});
