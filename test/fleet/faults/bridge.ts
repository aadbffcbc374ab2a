/**
 * Bridge and NIC faults (checks 1-7, 9, 10, 30). Default target is the VM bridge br1 / uplink eth1,
 * so SSH (through br0) keeps working and the check can see the fault; `bridge: 'br0'` targets the
 * management bridge, which cuts SSH where a real host would lose it too (noted per fault in README).
 */
import { hostMac } from '../addressing.js';
import { SimFleetError } from '../exec.js';
import { HOST_LAYOUT, type HostState } from '../model.js';
import { names } from '../topology.js';
import type { BridgeChoice, FaultContext, FaultImpl } from './types.js';

const uplinkOf = (b: BridgeChoice) => (b === 'br0' ? HOST_LAYOUT.mgmtUplink : HOST_LAYOUT.vmUplink);

/** The VM a fault acts on: `name`, or the first VM whose tap is on br1. */
export function pickVm(h: HostState, name: string | undefined) {
  const vm = name ? h.host.vms.find((v) => v.name === name) : (h.host.vms.find((v) => v.bridge === HOST_LAYOUT.vmBridge) ?? h.host.vms[0]);
  if (!vm) throw new SimFleetError(`${h.host.name}: no VM ${name ? `"${name}"` : 'on br1'}`);
  return vm;
}

export const bridgeExists: FaultImpl<'bridge.exists'> = async (ctx, o) => {
  const bridge = o.bridge ?? 'br1';
  if ((o.variant ?? 'deleted') === 'deleted') {
    await ctx.ip([`link del dev ${bridge}`]);
    return;
  }
  const iface = ctx.h.libvirt.domains.flatMap((d) => d.ifaces).find((i) => i.type === 'bridge' && i.source === bridge);
  if (!iface) throw new SimFleetError(`${ctx.h.host.name}: bridge.exists: no domain interface on ${bridge}`);
  iface.source = `vm${bridge}`;
  await ctx.writeXml();
};

export const bridgeUp: FaultImpl<'bridge.up'> = async (ctx, o) => {
  await ctx.ip([`link set dev ${o.bridge ?? 'br1'} down`]);
};

/** Management uplink leaves br0: the address and default route move to eth0 so SSH survives. */
async function detachMgmtUplink(ctx: FaultContext, uplink: string): Promise<void> {
  const { host } = ctx.h;
  await ctx.ip([
    `address del ${host.address}/${host.prefixLength} dev br0`,
    `link set dev ${HOST_LAYOUT.mgmtUplink} nomaster`,
    ...(uplink === HOST_LAYOUT.mgmtUplink
      ? []
      : [
          `link set dev ${HOST_LAYOUT.mgmtUplink} down`,
          `link set dev ${HOST_LAYOUT.mgmtUplink} name ${uplink}`,
          `link set dev ${uplink} up`,
        ]),
    `address add ${host.address}/${host.prefixLength} dev ${uplink}`,
    `route replace default via ${host.gateway} dev ${uplink}`,
  ]);
}

export const uplinkEnslaved: FaultImpl<'bridge.uplink-enslaved'> = async (ctx, o) => {
  const bridge = o.bridge ?? 'br1';
  const uplink = uplinkOf(bridge);
  const variant = o.variant ?? 'nomaster';
  const renamed = bridge === 'br0' ? 'enp1s0' : 'enp7s0';
  if (bridge === 'br0' && variant !== 'other-master') {
    await detachMgmtUplink(ctx, variant === 'renamed' ? renamed : uplink);
    return;
  }
  if (variant === 'nomaster') await ctx.ip([`link set dev ${uplink} nomaster`]);
  else if (variant === 'renamed')
    await ctx.ip([`link set dev ${uplink} down`, `link set dev ${uplink} nomaster name ${renamed}`, `link set dev ${renamed} up`]);
  else
    await ctx.ip([
      `link add br9 type bridge stp_state 0 forward_delay 0`,
      'link set dev br9 addrgenmode none up',
      `link set dev ${uplink} master br9`,
    ]);
};

export const ipOnPort: FaultImpl<'bridge.ip-on-port'> = async (ctx, o) => {
  const { host } = ctx.h;
  if (o.variant === 'default-route') {
    // Classic half-done conversion: default route still via the (now enslaved) NIC.
    await ctx.ip([`route replace default via ${host.gateway} dev ${HOST_LAYOUT.mgmtUplink}`]);
    return;
  }
  if ((o.bridge ?? 'br1') === 'br0') {
    // The host address left on the enslaved NIC as well. SSH survives: br0's connected route came first.
    await ctx.ip([`address add ${host.address}/${host.prefixLength} dev ${HOST_LAYOUT.mgmtUplink}`]);
    return;
  }
  await ctx.ip([`address add 198.19.253.2/24 dev ${HOST_LAYOUT.vmUplink}`]);
};

export const stpForwardDelay: FaultImpl<'bridge.stp-forward-delay'> = async (ctx, o) => {
  const bridge = o.bridge ?? 'br1';
  // Order matters: forward_delay 1500 is accepted either way, but STP first mirrors NM's defaults.
  await ctx.ip([`link set dev ${bridge} type bridge stp_state 1`, `link set dev ${bridge} type bridge forward_delay 1500`]);
};

export const vlanMembership: FaultImpl<'bridge.vlan-membership'> = async (ctx, o) => {
  const supported = await ctx.sh('test -e /sys/class/net/br1/bridge/vlan_filtering && echo yes || echo no');
  if (supported.trim() !== 'yes') {
    throw new SimFleetError(
      `${ctx.h.host.name}: bridge.vlan-membership: this kernel lacks bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING); the fault cannot be reproduced here`,
    );
  }
  const vlan = o.vlan ?? 10;
  const vm = pickVm(ctx.h, undefined);
  // VLAN-aware bridge; the guest port is an access port of `vlan`, but the uplink does not carry it.
  await ctx.ip([`link set dev ${HOST_LAYOUT.vmBridge} type bridge vlan_filtering 1`]);
  await ctx.sh(`bridge vlan add dev ${vm.tap} vid ${vlan} pvid untagged && bridge vlan del dev ${vm.tap} vid 1`);
  const iface = ctx.h.libvirt.domains.find((d) => d.name === vm.name)?.ifaces[0];
  if (iface) {
    iface.vlan = vlan;
    await ctx.writeXml();
  }
};

export const mtu: FaultImpl<'bridge.mtu'> = async (ctx, o) => {
  if ((o.variant ?? 'port-low') === 'port-low') {
    // The bridge follows its lowest port (br_mtu_auto_adjust): br1 drops to 1400 too.
    await ctx.ip([`link set dev ${pickVm(ctx.h, undefined).tap} mtu 1400`]);
  } else {
    await ctx.ip([`link set dev ${HOST_LAYOUT.vmUplink} mtu 9000`]);
  }
};

export const macStability: FaultImpl<'bridge.mac-stability'> = async (ctx, o) => {
  const mac = o.mac ?? hostMac(ctx.block, ctx.h.host.index, 0xaa);
  if (!/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(mac)) throw new SimFleetError(`${ctx.h.host.name}: bridge.mac-stability: bad MAC ${mac}`);
  await ctx.ip([`link set dev ${HOST_LAYOUT.vmBridge} address ${mac}`]);
};

export const portState: FaultImpl<'bridge.port-state'> = async (ctx, o) => {
  if ((o.variant ?? 'disabled') === 'disabled') {
    await ctx.ip([`link set dev ${pickVm(ctx.h, o.vm).tap} down`]);
    return;
  }
  // A second uplink into the same VM LAN: with STP on, br1 hears its own BPDUs and blocks eth2.
  const { host } = ctx.h;
  const fabric = names.fabric(ctx.prefix);
  await ctx.ip([
    `link set dev ${HOST_LAYOUT.vmBridge} type bridge stp_state 1`,
    `link add eth2 address ${hostMac(ctx.block, host.index, 2)} type veth peer name ${names.extraPeer(host.index)} netns ${fabric}`,
    `link set dev eth2 addrgenmode none master ${HOST_LAYOUT.vmBridge} up`,
  ]);
  await ctx.ipIn(fabric, [`link set dev ${names.extraPeer(host.index)} addrgenmode none master ${names.lanBridge(host)} up`]);
  // A new STP port starts out blocking before any BPDU arrives; only after a hello interval (2 s)
  // does "blocking" mean the loop was detected, so look from then on.
  await new Promise((r) => setTimeout(r, 3000));
  for (let i = 0; i < 85; i++) {
    const state = await ctx.sh('bridge -j link show dev eth2');
    if (state.includes('"blocking"')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new SimFleetError(`${host.name}: bridge.port-state: eth2 did not reach "blocking" within 20 s`);
};

export const nicLink: FaultImpl<'nic.link'> = async (ctx) => {
  // The "switch port" (the uplink's peer in the fabric) goes down: eth1 loses carrier.
  await ctx.ipIn(names.fabric(ctx.prefix), [`link set dev ${names.lanPeer(ctx.h.host.index)} down`]);
};
