/**
 * libvirt-side faults (checks 14, 19-25). The domain/network side lives in the host's test-driver
 * XML (re-rendered from the model); where the fault has a runtime side (taps, guest MACs, macvtap,
 * virbr0, NAT rules) that is changed too, so XML and kernel state tell the same story.
 */
import { writeFileSync } from 'node:fs';
import { hostMac, tapMacFor } from '../addressing.js';
import { SimFleetError } from '../exec.js';
import { HOST_LAYOUT, type HostState } from '../model.js';
import { names } from '../topology.js';
import { pickVm } from './bridge.js';
import type { FaultContext, FaultImpl } from './types.js';

function requireNat(ctx: FaultContext, fault: string): void {
  if (!ctx.natMode) {
    throw new SimFleetError(`${ctx.h.host.name}: ${fault}: needs a libvirt NAT network; bring the fleet up with vmNetworkMode 'nat'`);
  }
}

function ifaceOf(h: HostState, vmName: string) {
  const iface = h.libvirt.domains.find((d) => d.name === vmName)?.ifaces[0];
  if (!iface) throw new SimFleetError(`${h.host.name}: no interface for VM ${vmName}`);
  return iface;
}

/** Gives a VM a new guest MAC everywhere it shows: XML, guest end (fabric) and tap (fe:…). */
async function setGuestMac(ctx: FaultContext, h: HostState, vmName: string, mac: string): Promise<void> {
  const vm = h.host.vms.find((v) => v.name === vmName)!;
  ifaceOf(h, vmName).mac = mac;
  await ctx.writeXml(h);
  await ctx.ipIn(names.fabric(ctx.prefix), [`link set dev ${vm.guestIf} address ${mac}`]);
  await ctx.ipIn(h.host.netns, [`link set dev ${vm.tap} address ${tapMacFor(mac)}`]);
}

export const defaultNetwork: FaultImpl<'libvirt.default-network'> = async (ctx, o) => {
  requireNat(ctx, 'libvirt.default-network');
  if ((o.variant ?? 'bridge-missing') === 'bridge-missing') {
    await ctx.ip([`link del dev ${HOST_LAYOUT.natBridge}`]);
    return;
  }
  ctx.h.libvirt.networks = ctx.h.libvirt.networks.filter((n) => n.name !== 'default');
  await ctx.writeXml();
};

export const natRules: FaultImpl<'libvirt.nat-rules'> = async (ctx) => {
  requireNat(ctx, 'libvirt.nat-rules');
  // What an `iptables -t nat -F` by another firewall manager leaves: no masquerade for the network.
  await ctx.sh('iptables-nft -t nat -F LIBVIRT_PRT');
};

export const nwfilter: FaultImpl<'libvirt.nwfilter'> = async (ctx, o) => {
  const vm = pickVm(ctx.h, o.vm);
  ifaceOf(ctx.h, vm.name).filterIp = o.ip ?? '198.19.250.250';
  await ctx.writeXml();
};

export const ifaceDirect: FaultImpl<'libvirt.iface-direct'> = async (ctx, o) => {
  const { host } = ctx.h;
  const vm = pickVm(ctx.h, o.vm);
  const fabric = names.fabric(ctx.prefix);
  const peer = `y${host.index}`;
  // A NIC outside any bridge (eth3) with a macvtap for the guest, as libvirt's type='direct' makes.
  await ctx.ip([
    `link del dev ${vm.tap}`,
    `link add eth3 address ${hostMac(ctx.block, host.index, 4)} type veth peer name ${peer} netns ${fabric}`,
    'link set dev eth3 addrgenmode none up',
    `link add link eth3 name macvtap0 address ${vm.mac} type macvtap mode bridge`,
    'link set dev macvtap0 addrgenmode none up',
  ]);
  await ctx.ipIn(fabric, [`link set dev ${peer} addrgenmode none master ${names.lanBridge(host)} up`]);
  const iface = ifaceOf(ctx.h, vm.name);
  iface.type = 'direct';
  iface.source = 'eth3';
  iface.target = undefined;
  await ctx.writeXml();
};

export const tapAttached: FaultImpl<'libvirt.tap-attached'> = async (ctx, o) => {
  const vm = pickVm(ctx.h, o.vm);
  const variant = o.variant ?? 'nomaster';
  if (variant === 'nomaster') await ctx.ip([`link set dev ${vm.tap} nomaster`]);
  else if (variant === 'missing') await ctx.ip([`link del dev ${vm.tap}`]);
  else await ctx.ip([`link set dev ${vm.tap} master ${HOST_LAYOUT.mgmtBridge}`]);
};

export const linkState: FaultImpl<'libvirt.link-state'> = async (ctx, o) => {
  ifaceOf(ctx.h, pickVm(ctx.h, o.vm).name).linkDown = true;
  await ctx.writeXml();
};

export const duplicateMacHost: FaultImpl<'mac.duplicate-host'> = async (ctx, o) => {
  const { host } = ctx.h;
  const [first, second] = host.vms;
  const variant = o.variant ?? 'same-mac';
  if (variant === 'same-mac') {
    if (!first || !second) {
      throw new SimFleetError(`${host.name}: mac.duplicate-host: needs a host with at least 2 VMs (this one has ${host.vms.length})`);
    }
    await setGuestMac(ctx, ctx.h, second.name, first.mac);
    return;
  }
  if (!first) throw new SimFleetError(`${host.name}: mac.duplicate-host: host has no VM`);
  const mac = variant === 'fe-prefix' ? tapMacFor(first.mac) : hostMac(ctx.block, host.index, 1);
  // Only the XML: a guest MAC equal to a host NIC's cannot also sit on a port of the same bridge.
  ifaceOf(ctx.h, first.name).mac = mac;
  await ctx.writeXml();
};

export const duplicateMacFleet: FaultImpl<'fleet.duplicate-mac'> = async (ctx, o) => {
  const { host } = ctx.h;
  const from = o.from
    ? ctx.all.find((s) => s.host.name === o.from)
    : (ctx.all.find((s) => names.lanBridge(s.host) === names.lanBridge(host) && s.host.name !== host.name) ??
      ctx.all.find((s) => s.host.name !== host.name));
  if (!from || from.host.name === host.name)
    throw new SimFleetError(`${host.name}: fleet.duplicate-mac: no other host ${o.from ? `"${o.from}"` : 'in the fleet'}`);
  const variant = o.variant ?? 'guest-mac';
  if (variant === 'guest-mac') {
    const mine = host.vms[0];
    const theirs = from.host.vms[0];
    if (!mine || !theirs) throw new SimFleetError(`${host.name}: fleet.duplicate-mac: both hosts need a VM`);
    await setGuestMac(ctx, ctx.h, mine.name, theirs.mac);
  } else if (variant === 'bridge-mac') {
    await ctx.ip([`link set dev ${HOST_LAYOUT.vmBridge} address ${hostMac(ctx.block, from.host.index, 1)}`]);
  } else {
    // In place (same inode): /etc/machine-id is a bind mount of this file in the host's view.
    writeFileSync(`${ctx.h.etcDir}/machine-id`, `${from.host.machineId}\n`);
  }
};
