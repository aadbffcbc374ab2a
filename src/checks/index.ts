/** Built-in health checks (pure functions of HostFacts) and their runtime fix generators. */
export { CHECKS, FLEET_CHECKS, factsForFleetChecks, runChecks } from './registry.js';
export { defineCheck, defineFleetCheck, type CheckDef, type CheckSpec, type FleetCheckDef, type Finding } from './define.js';
export { FIX_IDS, FixPlanError, planFix, type FixPlan } from './fixes.js';
export { parseCheckVars, resolveVars, type CheckVars, type ResolvedVars, type VlanExpectation } from './vars.js';
