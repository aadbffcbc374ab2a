/** The static registry of built-in checks (ids from shared/docs/kvm-network-checks.md §1). */
import type { CheckResult } from '../core/check.js';
import type { HostFacts } from '../facts/types.js';
import { arpDuplicateIp, routeDefaultGateway } from './arp-route.js';
import { bridgeExists, bridgeIpOnPort, bridgeUp, bridgeUplinkEnslaved } from './bridge-core.js';
import { bridgeMacStability, bridgeMtu, bridgePortState, bridgeStpForwardDelay } from './bridge-params.js';
import { bridgeVlanMembership } from './bridge-vlan.js';
import { configDrift } from './config-drift.js';
import type { CheckDef, FleetCheckDef } from './define.js';
import { kernelModulesDevices } from './kernel.js';
import { libvirtIfaceDirect, libvirtLinkState, libvirtTapAttached } from './libvirt-guests.js';
import { libvirtDefaultNetwork, libvirtNatRules } from './libvirt-networks.js';
import { fleetDuplicateMac, macDuplicateHost } from './mac.js';
import { brNfIptables, hostInput, nftForward } from './netfilter.js';
import { nicLink } from './nic.js';
import { ipForward, rpFilter } from './sysctl.js';
import type { CheckVars } from './vars.js';

const HOST_CHECKS: readonly CheckDef[] = [
  bridgeExists,
  bridgeUp,
  bridgeUplinkEnslaved,
  bridgeIpOnPort,
  bridgeStpForwardDelay,
  bridgeVlanMembership,
  bridgeMtu,
  bridgePortState,
  bridgeMacStability,
  nicLink,
  brNfIptables,
  nftForward,
  hostInput,
  ipForward,
  rpFilter,
  arpDuplicateIp,
  routeDefaultGateway,
  libvirtDefaultNetwork,
  libvirtNatRules,
  libvirtIfaceDirect,
  libvirtTapAttached,
  libvirtLinkState,
  macDuplicateHost,
  kernelModulesDevices,
  configDrift,
];

/** Per-host checks by id, in catalogue order. */
export const CHECKS: Readonly<Record<string, CheckDef>> = Object.freeze(Object.fromEntries(HOST_CHECKS.map((c) => [c.id, c])));

/** Fleet-wide checks by id (run after every host reported). */
export const FLEET_CHECKS: Readonly<Record<string, FleetCheckDef>> = Object.freeze({ [fleetDuplicateMac.id]: fleetDuplicateMac });

/**
 * What a run keeps of a host's facts once the host is done: the sections the fleet-wide checks read
 * (by reference, nothing copied). The rest (sysctls, rule sets, addresses…) is released.
 */
export function factsForFleetChecks(f: HostFacts): HostFacts {
  const kept: Record<string, unknown> = { format: f.format, complete: f.complete };
  for (const def of Object.values(FLEET_CHECKS)) for (const k of def.uses) kept[k] = f[k];
  // Partial on purpose: FleetCheckDef.uses promises that run() reads nothing else.
  return kept as unknown as HostFacts;
}

/** Runs the given checks (default: all) on one host's facts. Never throws. */
export function runChecks(facts: HostFacts, vars: CheckVars = {}, ids: readonly string[] = Object.keys(CHECKS)): CheckResult[] {
  return ids.map((id) => {
    const c = CHECKS[id];
    return c ? c.run(facts, vars) : { id, status: 'error', severity: 'info', message: `unknown check id ${id}` };
  });
}
