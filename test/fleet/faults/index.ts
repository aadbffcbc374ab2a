/** The fault registry: every injectable fault by name (see README.md for the table). */
import {
  bridgeExists,
  bridgeUp,
  ipOnPort,
  macStability,
  mtu,
  nicLink,
  portState,
  stpForwardDelay,
  uplinkEnslaved,
  vlanMembership,
} from './bridge.js';
import { configDrift, sysctlPersistence } from './config.js';
import { defaultNetwork, duplicateMacFleet, duplicateMacHost, ifaceDirect, linkState, natRules, nwfilter, tapAttached } from './libvirt.js';
import { brNfIptables, hostInput, ipForward, nftForward, rpFilter } from './netfilter.js';
import { defaultGateway, duplicateIp } from './routing.js';
import { authkeyRemoved, hang, hostkeyChanged, netem, sshdStopped } from './transport.js';
import type { FaultName, FaultTable } from './types.js';

export const FAULTS: FaultTable = {
  'sshd-stopped': sshdStopped,
  'hostkey-changed': hostkeyChanged,
  'authkey-removed': authkeyRemoved,
  netem,
  hang,
  'bridge.exists': bridgeExists,
  'bridge.up': bridgeUp,
  'bridge.uplink-enslaved': uplinkEnslaved,
  'bridge.ip-on-port': ipOnPort,
  'bridge.stp-forward-delay': stpForwardDelay,
  'bridge.vlan-membership': vlanMembership,
  'bridge.mtu': mtu,
  'bridge.mac-stability': macStability,
  'bridge.port-state': portState,
  'nic.link': nicLink,
  'netfilter.br-nf-iptables': brNfIptables,
  'netfilter.nft-forward': nftForward,
  'netfilter.host-input': hostInput,
  'sysctl.ip-forward': ipForward,
  'sysctl.rp-filter': rpFilter,
  'arp.duplicate-ip': duplicateIp,
  'route.default-gateway': defaultGateway,
  'libvirt.default-network': defaultNetwork,
  'libvirt.nat-rules': natRules,
  'libvirt.nwfilter': nwfilter,
  'libvirt.iface-direct': ifaceDirect,
  'libvirt.tap-attached': tapAttached,
  'libvirt.link-state': linkState,
  'mac.duplicate-host': duplicateMacHost,
  'fleet.duplicate-mac': duplicateMacFleet,
  'config.drift': configDrift,
  'config.sysctl-persistence': sysctlPersistence,
};

/** Every fault name, in table order. */
export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];
