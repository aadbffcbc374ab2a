/**
 * The adapter between the playbook engine and the built-in checks/facts (src/checks, src/facts):
 * the only file here that knows their shapes. Check variables come from the host's vars
 * (parseCheckVars validates them); the libvirt URI for the facts script is the `libvirtUri` var.
 */
import { CHECKS, FIX_IDS, FLEET_CHECKS, parseCheckVars, planFix, type CheckVars } from '../checks/index.js';
import type { Vars } from '../core/inventory.js';
import { factsCommand, parseFacts, type HostFacts } from '../facts/index.js';
import type { CheckCatalog } from '../modules/types.js';

const DEFAULT_LIBVIRT_URI = 'qemu:///system';

function checkVars(vars: Vars, host: string): CheckVars {
  return parseCheckVars(vars, `host ${host}`);
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
    hasFix: (fixId) => (FIX_IDS as readonly string[]).includes(fixId),
    planFix: (fixId, facts, vars) => planFix(fixId, facts as HostFacts, checkVars(vars, hostOf(vars))),
    factsCommand: (vars) => factsCommand({ libvirtUri: typeof vars['libvirtUri'] === 'string' ? vars['libvirtUri'] : DEFAULT_LIBVIRT_URI }),
    parseFacts: (stdout) => parseFacts(stdout),
  };
}
