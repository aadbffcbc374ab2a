/**
 * A small check catalog for tests, over REAL facts gathered by the local shell: the "facts" of a
 * host are the files in its directory (one `ls` — one exec, like the real facts script).
 */
import type { CheckResult, FleetCheckResult } from '../../../src/core/check.js';
import type { Vars } from '../../../src/core/inventory.js';
import type { CheckCatalog, FixPlan } from '../../../src/modules/types.js';
import { shQuote } from '../../../src/core/shell.js';

export interface TestFacts {
  readonly files: string[];
}

const files = (facts: unknown) => (facts as TestFacts).files;

type CheckFn = (facts: unknown, vars: Vars) => CheckResult;

const CHECKS: Record<string, CheckFn> = {
  'file.present': (facts, vars) => {
    const want = String(vars['want_file'] ?? 'wanted');
    return files(facts).includes(want)
      ? { id: 'file.present', status: 'pass', severity: 'high', message: `${want} present` }
      : {
          id: 'file.present',
          status: 'fail',
          severity: 'high',
          message: `${want} missing`,
          fixId: String(vars['fix_id'] ?? 'file.create'),
          evidence: { files: files(facts) },
        };
  },
  'file.absent': (facts, vars) => {
    const bad = String(vars['unwanted'] ?? 'unwanted');
    return files(facts).includes(bad)
      ? { id: 'file.absent', status: 'warn', severity: 'low', message: `${bad} exists` }
      : { id: 'file.absent', status: 'pass', severity: 'low', message: 'ok' };
  },
  'file.info': () => ({ id: 'file.info', status: 'fail', severity: 'info', message: 'just so you know' }),
  // Has no fix of its own; passes once file.present's fix created `wanted`.
  'file.mirror': (facts) =>
    files(facts).includes('wanted')
      ? { id: 'file.mirror', status: 'pass', severity: 'medium', message: 'mirror ok' }
      : { id: 'file.mirror', status: 'fail', severity: 'medium', message: 'mirror sees no wanted' },
  // Its fix takes effect a moment after it returns (like a link coming up).
  'file.settles': (facts) =>
    files(facts).includes('settled')
      ? { id: 'file.settles', status: 'pass', severity: 'high', message: 'settled' }
      : { id: 'file.settles', status: 'fail', severity: 'high', message: 'not settled', fixId: 'file.settle-later' },
  // A warning that has a fix.
  'file.tidy': (facts) =>
    files(facts).includes('clutter')
      ? { id: 'file.tidy', status: 'warn', severity: 'low', message: 'clutter lying around', fixId: 'file.tidy-fix' }
      : { id: 'file.tidy', status: 'pass', severity: 'low', message: 'tidy' },
  'net.detached': (facts) =>
    files(facts).includes('net-ok')
      ? { id: 'net.detached', status: 'pass', severity: 'critical', message: 'net ok' }
      : { id: 'net.detached', status: 'fail', severity: 'critical', message: 'net broken', fixId: 'net.detached-fix' },
};

const FIXES: Record<string, (facts: unknown, vars: Vars) => FixPlan> = {
  'file.create': (_f, vars) => ({
    description: `create ${String(vars['want_file'] ?? 'wanted')}`,
    commands: [`touch ${shQuote(String(vars['want_file'] ?? 'wanted'))}`],
  }),
  'file.broken': () => ({ description: 'a fix that fails', commands: ['echo trying', 'false', 'touch never'] }),
  'file.noop': () => ({ description: 'a fix that does nothing useful', commands: ['true'] }),
  'file.settle-later': () => ({ description: 'settle in a moment', commands: ['(sleep 0.3; touch settled) >/dev/null 2>&1 &'] }),
  'file.tidy-fix': (_f, vars) => ({ description: 'remove clutter', commands: [vars['tidy_noop'] ? 'true' : 'rm -f clutter'] }),
  'net.detached-fix': () => ({ description: 'bounce the network', commands: ['sleep 0.3', 'touch net-ok'], detached: true }),
};

export function testCatalog(): CheckCatalog & { factsRuns: number } {
  const catalog = {
    factsRuns: 0,
    hasCheck: (id: string) => id in CHECKS,
    checkIds: () => Object.keys(CHECKS),
    runCheck(id: string, facts: unknown, vars: Vars): CheckResult {
      const fn = CHECKS[id];
      if (!fn) throw new Error(`no check ${id}`);
      return fn(facts, vars);
    },
    fleetCheckIds: () => ['fleet.same-files'],
    runFleetCheck(id: string, facts: ReadonlyMap<string, unknown>): FleetCheckResult[] {
      const lists = [...facts].map(([h, f]) => [h, files(f).join(',')] as const);
      const same = lists.every(([, l]) => l === lists[0]?.[1]);
      return [
        {
          id,
          status: same ? 'pass' : 'fail',
          severity: 'medium',
          message: same ? 'all hosts alike' : 'hosts differ',
          hosts: lists.map(([h]) => h),
        },
      ];
    },
    hasFix: (id: string) => id in FIXES,
    planFix(id: string, facts: unknown, vars: Vars): FixPlan {
      const fn = FIXES[id];
      if (!fn) throw new Error(`no fix ${id}`);
      return fn(facts, vars);
    },
    factsCommand(): string {
      catalog.factsRuns++;
      return 'ls -1A | grep -v "^\\." || true';
    },
    parseFacts: (stdout: string): TestFacts => ({ files: stdout.split('\n').filter(Boolean).sort() }),
  };
  return catalog;
}
