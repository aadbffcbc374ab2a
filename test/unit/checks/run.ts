/** Test helper: run one registered check by id. */
import { CHECKS } from '../../../src/checks/registry.js';
import type { CheckVars } from '../../../src/checks/vars.js';
import type { CheckResult } from '../../../src/core/check.js';
import type { HostFacts } from '../../../src/facts/types.js';

export function check(id: string, facts: HostFacts, vars: CheckVars = {}): CheckResult {
  const c = CHECKS[id];
  if (!c) throw new Error(`no check ${id}`);
  return c.run(facts, vars);
}

/** A Gathered failure as parseFacts would record it. */
export const failed = (reason: string) => ({ ok: false as const, cause: 'failed' as const, reason });
export const notInstalled = (reason: string) => ({ ok: false as const, cause: 'not-installed' as const, reason });
