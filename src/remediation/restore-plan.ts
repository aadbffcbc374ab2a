/**
 * The `ip -force -batch` that puts a host's runtime network back exactly as it was in a snapshot:
 * bridges, port masters (VM taps re-attached), bridge STP/forward delay/MAC, MTUs, admin state,
 * global addresses and main-table routes. Written at backup time and run by the host's dead-man
 * switch without fleet, so it must not depend on the state it finds: every line is "set to X",
 * and `-force` carries on past lines that fail (e.g. creating a bridge that still exists). Pure.
 */
import { linkByName, type RuntimeSnapshot } from './runtime.js';

const SAFE = /^[A-Za-z0-9_.+-]{1,15}$/;
const SAFE_WORD = /^[A-Za-z0-9_.:/+-]+$/;

function w(v: string): string {
  if (!SAFE_WORD.test(v)) throw new Error(`value ${JSON.stringify(v)} from the host cannot be used safely in an ip batch`);
  return v;
}

/** Bridges of the snapshot; rollback.sh re-creates any that is missing before running the batch. */
export function bridgesToRecreate(before: RuntimeSnapshot): string[] {
  return before.links.filter((l) => l.kind === 'bridge' && SAFE.test(l.name)).map((l) => l.name);
}

/** `createdBridge`: the bridge the apply will create (absent from the snapshot), deleted first. */
export function restoreBatch(before: RuntimeSnapshot, opts: { createdBridge?: string; touched: readonly string[] }): string[] {
  const out: string[] = [];
  const links = before.links.filter((l) => l.name !== 'lo' && SAFE.test(l.name));
  if (opts.createdBridge && !linkByName(before, opts.createdBridge)) out.push(`link del dev ${w(opts.createdBridge)}`);
  const bridges = links.filter((l) => l.kind === 'bridge');
  // Bridges that vanished are re-created by rollback.sh before this batch (bridgesToRecreate).
  // Masters: release first, then re-attach (a port moved between bridges must leave the wrong one).
  for (const l of links) if (l.kind !== 'bridge' && !l.master) out.push(`link set dev ${l.name} nomaster`);
  for (const l of links) if (l.master && SAFE.test(l.master)) out.push(`link set dev ${l.name} master ${l.master}`);
  for (const b of bridges) {
    const fd = b.forwardDelayCs ?? 0;
    // The apply may lower the priority for a moment (apply-plan.ts rootKick): put it back first.
    if (b.priority !== null) out.push(`link set dev ${b.name} type bridge priority ${b.priority}`);
    // The kernel refuses forward_delay < 2 s while STP runs: order the two accordingly.
    if (b.stp) out.push(`link set dev ${b.name} type bridge forward_delay ${fd}`, `link set dev ${b.name} type bridge stp_state ${b.stp}`);
    else out.push(`link set dev ${b.name} type bridge stp_state 0`, `link set dev ${b.name} type bridge forward_delay ${fd}`);
    if (b.mac) out.push(`link set dev ${b.name} address ${w(b.mac)}`);
  }
  // Ports before bridges: a bridge's MTU follows its ports.
  for (const l of [...links.filter((l) => l.kind !== 'bridge'), ...bridges]) out.push(`link set dev ${l.name} mtu ${l.mtu}`);
  for (const l of links) out.push(`link set dev ${l.name} ${l.up ? 'up' : 'down'}`);
  const addrDevs = new Set([...before.addrs.map((a) => a.dev), ...opts.touched].filter((d) => SAFE.test(d) && linkByName(before, d)));
  for (const d of addrDevs) {
    out.push(`address flush dev ${d} scope global`);
    for (const a of before.addrs.filter((a) => a.dev === d)) out.push(`address add ${w(a.local)}/${a.prefix} dev ${d}`);
  }
  out.push('route flush exact 0.0.0.0/0 table main');
  for (const r of before.routes) {
    if (r.protocol === 'kernel' || !r.dst || (r.type !== null && r.type !== 'unicast')) continue;
    const parts = ['route replace', w(r.dst)];
    if (r.gateway) parts.push('via', w(r.gateway));
    if (r.dev) parts.push('dev', w(r.dev));
    if (r.metric !== null) parts.push('metric', String(r.metric));
    if (r.protocol) parts.push('proto', w(r.protocol));
    if (r.scope && r.scope !== 'global') parts.push('scope', w(r.scope));
    if (r.prefsrc) parts.push('src', w(r.prefsrc));
    out.push(parts.join(' '));
  }
  return out;
}
