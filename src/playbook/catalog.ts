/**
 * The adapter between the playbook engine and the built-in checks/facts (src/checks, src/facts):
 * the only file here that knows their shapes. Check variables come from the host's vars
 * (parseCheckVars validates them). Inventories name them Ansible-style in snake_case (`libvirt_uri`,
 * `vm_network_mode`, …, documented in playbooks/health-check.yml); this adapter maps them.
 */
import { CHECKS, FIX_IDS, FLEET_CHECKS, factsForFleetChecks, parseCheckVars, planFix, type CheckVars } from '../checks/index.js';
import type { Vars } from '../core/inventory.js';
import { factsCommand, parseFacts, type HostFacts } from '../facts/index.js';
import type { CheckCatalog } from '../modules/types.js';

const DEFAULT_LIBVIRT_URI = 'qemu:///system';

/** Host var name (as written in inventories) → CheckVars field. */
const VAR_NAMES = {
  bridge: 'bridge',
  uplink: 'uplink',
  mtu: 'mtu',
  vlans: 'vlans',
  vm_network_mode: 'vmNetworkMode',
  br_netfilter_fix: 'brNetfilterFix',
  libvirt_uri: 'libvirtUri',
  l2_segment: 'l2Segment',
  guests_need_host: 'guestsNeedHost',
} as const;

function checkVars(vars: Vars, host: string): CheckVars {
  const raw: Record<string, unknown> = {};
  for (const [name, field] of Object.entries(VAR_NAMES)) if (vars[name] !== undefined) raw[field] = vars[name];
  return parseCheckVars(raw, `host ${host}`);
}

function libvirtUri(vars: Vars): string {
  const v = vars['libvirt_uri'];
  return typeof v === 'string' && v !== '' ? v : DEFAULT_LIBVIRT_URI;
}

const hostOf = (vars: Vars) => String(vars['inventory_hostname'] ?? '?');

/** The catalog of fleet's built-in checks, fixes and facts script. */
export function builtinCatalog(): CheckCatalog {
  return {
    hasCheck: (id) => Object.prototype.hasOwnProperty.call(CHECKS, id),
    checkIds: () => Object.keys(CHECKS),
    runCheck(id, facts, vars) {
      const def = CHECKS[id];
      if (!def) throw new Error(`unknown check ${id}`);
      return def.run(facts as HostFacts, checkVars(vars, hostOf(vars)));
    },
    fleetCheckIds: () => Object.keys(FLEET_CHECKS),
    runFleetCheck(id, facts, vars) {
      const def = FLEET_CHECKS[id];
      if (!def) throw new Error(`unknown fleet check ${id}`);
      const byHost = new Map<string, CheckVars>();
      for (const [host, v] of vars) byHost.set(host, checkVars(v, host));
      return [def.run(facts as ReadonlyMap<string, HostFacts>, byHost)];
    },
    fleetFacts: (facts) => factsForFleetChecks(facts as HostFacts),
    hasFix: (fixId) => (FIX_IDS as readonly string[]).includes(fixId),
    planFix: (fixId, facts, vars) => planFix(fixId, facts as HostFacts, checkVars(vars, hostOf(vars))),
    factsCommand: (vars) => factsCommand({ libvirtUri: libvirtUri(vars) }),
    parseFacts: (stdout) => parseFacts(stdout),
  };
}
