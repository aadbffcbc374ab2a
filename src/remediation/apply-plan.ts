/**
 * What must change at runtime to bring one bridge to its declared state, as `ip -batch` lines
 * (the words after `ip`). Computed on the controller from the host's runtime snapshot; empty when
 * the runtime already matches (idempotence). Pure.
 *
 * Declared state: the bridge exists with the uplink as its only non-guest port, the
 * host address on the bridge (never on the uplink), the default route via the bridge, STP and
 * forward delay as declared, the MTU on uplink, guest ports and bridge. Guest ports (taps) are never
 * released, moved or re-addressed; only their MTU is set, when it is below the bridge's expected MTU
 * (see guestPortMtus).
 */
import type { BridgeParams } from '../bridge/index.js';
import { isGuestPort, linkByName, type RuntimeSnapshot } from './runtime.js';

export interface ApplyPlan {
  /** `ip -force -batch` lines, in order. */
  readonly batch: readonly string[];
  /** One line per change, for humans. */
  readonly changes: readonly string[];
}

/** Interface names that may appear in a batch line: what the kernel allows, minus anything ip's tokenizer would read as quoting. */
const SAFE_NAME = /^[A-Za-z0-9_.+-]{1,15}$/;

function safe(name: string): string {
  if (!SAFE_NAME.test(name)) throw new Error(`interface name ${JSON.stringify(name)} on the host cannot be used safely in an ip batch`);
  return name;
}

/**
 * A bridge that was not the STP root keeps reporting (and using, should STP come back) the root's
 * forward delay after `stp_state 0` until its root port's message-age timer runs out, up to max_age
 * (20 s) later: setting the delay only changes the configured value. Raising the priority to 0 with
 * STP already off makes the kernel re-elect this bridge as root at once, which puts its own delay in
 * force; then the priority goes back. No BPDU is sent either way (STP is off), so the network around
 * the host never sees it. Measured on 6.18: without this the old 15 s showed for 20 s after the change.
 */
function rootKick(bridge: string, priority: number | null): string[] {
  const original = priority ?? 32768;
  // At priority 0 already there is nothing to raise: the delay then settles within max_age.
  if (original === 0) return [];
  return [`link set dev ${bridge} type bridge priority 0`, `link set dev ${bridge} type bridge priority ${original}`];
}

/**
 * Guest ports of the bridge whose MTU must change, with the MTU they get. Verification demands
 * bridge.mtu (verify.ts), which fails a tap below the expected MTU (the declared one, else the
 * uplink's); a plan that left the tap alone could never be confirmed and would roll the host back on
 * every run. So the plan does what the catalog's runtime fix does: ports first, then the bridge. The
 * other way out, verifying less, would commit a host the next health check flags, and leave the
 * bridge at the tap's MTU (the kernel drops a bridge to its smallest port), so guests' large frames
 * keep stalling. Raising a host-side tap's MTU does not bounce its link; libvirt gives a tap the
 * bridge's MTU when the guest next starts unless the domain declares its own <mtu>. With a declared
 * MTU a tap above it is set too: bridge.mtu holds every port to a declared value.
 */
function guestPortMtus(s: RuntimeSnapshot, bridge: string, declared: number | null, target: number): Array<{ name: string; from: number }> {
  return s.links
    .filter((l) => l.master === bridge && isGuestPort(l) && (declared !== null ? l.mtu !== target : l.mtu < target))
    .map((l) => ({ name: safe(l.name), from: l.mtu }));
}

/** Throws when the declared state cannot be applied at all (nothing is touched then). */
export function planApply(s: RuntimeSnapshot, p: BridgeParams): ApplyPlan {
  const B = safe(p.bridge);
  const U = safe(p.uplink);
  const batch: string[] = [];
  const changes: string[] = [];
  const uplink = linkByName(s, U);
  if (!uplink) throw new Error(`uplink ${U} does not exist on the host (declared uplink for ${B}); nothing changed`);
  if (uplink.kind === 'bridge') throw new Error(`uplink ${U} is itself a bridge; nothing changed`);
  let br = linkByName(s, B);
  if (br && br.kind !== 'bridge') throw new Error(`${B} exists but is a ${br.kind ?? 'plain'} device, not a bridge; nothing changed`);
  const fdCs = p.forward_delay * 100;
  const stp = p.stp ? 1 : 0;

  if (!br) {
    const mac = p.bridge_mac ?? uplink.mac;
    // The kernel refuses forward_delay < 2 s while STP runs: set the delay first.
    batch.push(`link add name ${B}${mac ? ` address ${mac}` : ''} type bridge forward_delay ${fdCs} stp_state ${stp}`);
    changes.push(`create bridge ${B}${mac ? ` with MAC ${mac}` : ''}`);
    br = { name: B, kind: 'bridge', master: null, mtu: 1500, up: false, mac, stp, forwardDelayCs: fdCs, priority: null, rootPort: 0 };
  } else {
    const nonRoot = (br.rootPort ?? 0) !== 0;
    // With STP staying on, a non-root bridge reports the root's delay: its own cannot be read back.
    const fdDiffers = br.forwardDelayCs !== fdCs && !(p.stp && br.stp && nonRoot);
    if (br.stp !== stp || fdDiffers) {
      const order = p.stp
        ? [`link set dev ${B} type bridge forward_delay ${fdCs}`, `link set dev ${B} type bridge stp_state 1`]
        : [`link set dev ${B} type bridge stp_state 0`, `link set dev ${B} type bridge forward_delay ${fdCs}`];
      batch.push(...order);
      if (!p.stp && nonRoot) batch.push(...rootKick(B, br.priority));
      changes.push(
        `${B}: STP ${br.stp ? 'on' : 'off'} → ${p.stp ? 'on' : 'off'}, forward delay ${(br.forwardDelayCs ?? 0) / 100}s → ${p.forward_delay}s`,
      );
    }
    if (p.bridge_mac && br.mac?.toLowerCase() !== p.bridge_mac) {
      batch.push(`link set dev ${B} address ${p.bridge_mac}`);
      changes.push(`${B}: MAC ${br.mac} → ${p.bridge_mac}`);
    }
  }

  // Other non-guest ports leave the bridge: the declared config names one uplink, and after a reboot
  // the persisted file would bring up only that one anyway.
  for (const l of s.links) {
    if (l.master === B && l.name !== U && !isGuestPort(l)) {
      batch.push(`link set dev ${safe(l.name)} nomaster`);
      changes.push(`${l.name} leaves ${B} (not the declared uplink ${U})`);
    }
  }
  if (p.mtu !== null) {
    if (uplink.mtu !== p.mtu) {
      batch.push(`link set dev ${U} mtu ${p.mtu}`);
      changes.push(`${U}: MTU ${uplink.mtu} → ${p.mtu}`);
    }
    if (br.mtu !== p.mtu || uplink.master !== B) {
      // Enslaving can lower a bridge's auto MTU: set it again after the port joins (below too).
      if (br.mtu !== p.mtu) changes.push(`${B}: MTU ${br.mtu} → ${p.mtu}`);
    }
  }
  if (uplink.master !== B) {
    if (uplink.master) batch.push(`link set dev ${U} nomaster`);
    batch.push(`link set dev ${U} master ${B}`);
    changes.push(`${U} becomes a port of ${B}${uplink.master ? ` (was a port of ${uplink.master})` : ''}`);
  }
  const target = p.mtu ?? uplink.mtu;
  const taps = guestPortMtus(s, B, p.mtu, target);
  for (const t of taps) {
    batch.push(`link set dev ${t.name} mtu ${target}`);
    changes.push(`${t.name}: MTU ${t.from} → ${target} (guest port of ${B}, before the bridge)`);
  }
  // Without a declared MTU the bridge is left to follow its ports, unless it sits below the target
  // (set by hand earlier) or taps were raised (it may have been pinned at their old MTU).
  const setBridgeMtu = p.mtu !== null ? br.mtu !== p.mtu || uplink.master !== B || taps.length > 0 : taps.length > 0 || br.mtu < target;
  if (p.mtu === null && setBridgeMtu && br.mtu !== target) changes.push(`${B}: MTU ${br.mtu} → ${target}`);
  if (setBridgeMtu) batch.push(`link set dev ${B} mtu ${target}`);
  if (!uplink.up) {
    batch.push(`link set dev ${U} up`);
    changes.push(`${U} up`);
  }
  if (!br.up) {
    batch.push(`link set dev ${B} up`);
    changes.push(`${B} up`);
  }

  // Addresses: the declared one on the bridge first, then off every other link (a port holding it
  // answers nothing once enslaved), then any global address left on the uplink.
  if (p.address) {
    const [ip, prefix] = p.address.split('/');
    const onBridge = s.addrs.filter((a) => a.dev === B && a.local === ip);
    if (!onBridge.some((a) => String(a.prefix) === prefix)) {
      for (const a of onBridge) batch.push(`address del ${a.local}/${a.prefix} dev ${B}`);
      batch.push(`address add ${p.address} dev ${B}`);
      changes.push(`address ${p.address} on ${B}`);
    }
    for (const a of s.addrs) {
      if (a.local === ip && a.dev !== B) {
        batch.push(`address del ${a.local}/${a.prefix} dev ${safe(a.dev)}`);
        changes.push(`address ${a.local}/${a.prefix} removed from ${a.dev}`);
      }
    }
  }
  for (const a of s.addrs) {
    if (a.dev === U && !(p.address && a.local === p.address.split('/')[0])) {
      batch.push(`address del ${a.local}/${a.prefix} dev ${U}`);
      changes.push(`address ${a.local}/${a.prefix} removed from port ${U}`);
    }
  }

  if (p.gateway) {
    const defaults = s.routes.filter((r) => r.dst === 'default' && (r.type === null || r.type === 'unicast'));
    const good = defaults.some((r) => r.gateway === p.gateway && r.dev === B);
    for (const r of defaults) {
      if (r.dev !== B && r.dev !== null && (r.dev === U || r.gateway === p.gateway)) {
        batch.push(
          `route del default${r.gateway ? ` via ${r.gateway}` : ''} dev ${safe(r.dev)}${r.metric !== null ? ` metric ${r.metric}` : ''}`,
        );
        changes.push(`default route via ${r.gateway ?? '-'} dev ${r.dev} removed`);
      }
    }
    // Moving addresses can flush the default route: put it back whenever an address moved.
    if (!good || batch.some((l) => l.startsWith('address '))) {
      // replace, not add: idempotent, and re-creates the route if removing the old address flushed it.
      batch.push(`route replace default via ${p.gateway} dev ${B}`);
      if (!good) changes.push(`default route via ${p.gateway} dev ${B}`);
    }
  }
  return { batch, changes };
}
