/**
 * Addressing faults (checks 17, 18): a second station claiming the host's address on the
 * management LAN, and default-route mistakes. SSH keeps working: the controller sits on the
 * connected /22, and its ARP entry for the host is pinned while a duplicate answers ARP.
 */
import { deadAddress, hostMac, ip4ToInt, SEGMENT_SIZE } from '../addressing.js';
import { SimFleetError } from '../exec.js';
import { HOST_LAYOUT } from '../model.js';
import { names } from '../topology.js';
import type { FaultImpl } from './types.js';

export const duplicateIp: FaultImpl<'arp.duplicate-ip'> = async (ctx, o) => {
  const { host } = ctx.h;
  const address = o.address ?? host.address;
  const net = ip4ToInt(host.gateway) - 1;
  let n: number;
  try {
    n = ip4ToInt(address);
  } catch {
    throw new SimFleetError(`${host.name}: arp.duplicate-ip: not an IPv4 address: ${address}`);
  }
  if (n <= net + 1 || n >= net + SEGMENT_SIZE - 1) {
    throw new SimFleetError(`${host.name}: arp.duplicate-ip: ${address} is not a host address of ${host.name}'s management segment`);
  }
  const station = names.station(ctx.prefix, host.index);
  const rootEnd = `${ctx.prefix}-d${host.index}`;
  const mgmt = names.mgmtBridge(ctx.prefix, host.segment);
  await ctx.ipIn(undefined, [
    `netns add ${station}`,
    `link add ${rootEnd} type veth peer name eth0 address ${hostMac(ctx.block, host.index, 0xd0)} netns ${station}`,
    `link set dev ${rootEnd} addrgenmode none master ${mgmt} up`,
    // Keep the controller talking to the real host whatever the duplicate answers.
    `neigh replace ${host.address} lladdr ${hostMac(ctx.block, host.index, 0)} dev ${mgmt} nud permanent`,
  ]);
  await ctx.ipIn(station, [
    'link set dev lo up',
    'link set dev eth0 addrgenmode none up',
    `address add ${address}/${host.prefixLength} dev eth0`,
  ]);
  ctx.h.stations.push(station);
};

export const defaultGateway: FaultImpl<'route.default-gateway'> = async (ctx, o) => {
  const { host } = ctx.h;
  const dead = deadAddress(ctx.block, host.segment);
  const variant = o.variant ?? 'missing';
  if (variant === 'missing') await ctx.ip(['route del default']);
  else if (variant === 'duplicate') await ctx.ip([`route append default via ${dead} dev ${HOST_LAYOUT.mgmtBridge}`]);
  else await ctx.ip([`route replace default via ${dead} dev ${HOST_LAYOUT.mgmtBridge}`]);
};
