/** The small fleet the report's browser and CLI tests share: two runs, one fault fixed, one injected, hostile data everywhere. */
import { join } from 'node:path';
import type { FleetCheckResult } from '../../../src/core/check.js';
import { openSqliteStore } from '../../../src/store/sqlite.js';
import { HOSTILE, faults, hostNames, recordSyntheticRun } from '../../fixtures/report/synthetic-fleet.js';

/** A host whose inventory name is itself an injection attempt. */
export const EVIL_HOST = 'evil<img src=x onerror="window.__pwned=11;alert(11)">';

export const T0 = Date.UTC(2025, 2, 3, 6, 0, 0);

export interface Scenario {
  readonly db: string;
  readonly run1: number;
  readonly run2: number;
  readonly hosts: readonly string[];
}

/**
 * run1: hv003 bridge.mtu fails (A), hv005 sysctl.rp-filter fails (B), hv007 unreachable.
 * run2: A fixed, B still failing, hv002 netfilter.nft-forward injected (C), hv009 bridge.mtu fails with a
 * hostile message, hv007 unreachable with a hostile reason, hostile VM names and a hostile fleet finding.
 */
export async function buildScenario(dir: string): Promise<Scenario> {
  const db = join(dir, 'fleet.db');
  const hosts = [...hostNames(12), EVIL_HOST];
  const groups = (h: string) => ['dc1', Number(h.slice(2)) % 2 ? 'rack-a' : 'rack-b'];
  const store = await openSqliteStore(db);
  try {
    const run1 = await recordSyntheticRun(store, {
      hosts,
      startedAt: T0,
      faults: faults([
        ['hv003', 'bridge.mtu'],
        ['hv005', 'sysctl.rp-filter'],
      ]),
      unreachable: new Map([['hv007', 'connect timeout after 10s']]),
      groups,
    });
    const dupMac: FleetCheckResult = {
      id: 'fleet.duplicate-mac',
      status: 'fail',
      severity: 'high',
      message: HOSTILE.fleetMessage,
      hosts: ['hv001', EVIL_HOST],
      evidence: HOSTILE.evidence,
    };
    const run2 = await recordSyntheticRun(store, {
      hosts,
      startedAt: T0 + 86_400_000,
      faults: faults([
        ['hv005', 'sysctl.rp-filter'],
        ['hv002', 'netfilter.nft-forward'],
        ['hv009', 'bridge.mtu'],
      ]),
      unreachable: new Map([['hv007', HOSTILE.reason]]),
      hostile: true,
      groups,
      fleet: [dupMac],
    });
    // What fleet did on hv001 in run 2: a step that changed it, with host-controlled output (a diff).
    store.recordStep(run2, 'hv001', {
      stepId: 'p1.t1',
      name: 'bridge to declared state',
      status: 'changed',
      changed: true,
      rc: 0,
      stdout: HOSTILE.stepOutput,
      stderr: '',
      startedAt: T0 + 86_400_000 + 1000,
      durationMs: 3400,
      message: 'applied: br0 in the declared state',
    });
    await store.flush();
    return { db, run1, run2, hosts };
  } finally {
    await store.close();
  }
}
