/**
 * `fleet run health-check --json` against a simulated fleet, for the ground-truth tests with real
 * guests: the run's exit code, its JSON document, and which checks fail on a host.
 */
import path from 'node:path';
import { expect } from 'vitest';
import { fleet, simFleetArgs } from './cli.js';

export interface CheckJson {
  status: string;
  severity?: string;
  message: string;
  fix?: string;
  fix_status?: string;
}

export interface RunJson {
  hosts: Record<string, { status: string; checks: Record<string, CheckJson> }>;
  fleet: Record<string, { status: string }>;
}

// kernel.modules-devices reads machine-global modules and /dev nodes: in a namespace test bed it
// judges the machine running the tests (no usable /dev/kvm on CI, hence TCG), not the simulated host.
export async function healthCheck(
  sim: { readonly inventoryPath: string; readonly knownHostsPath: string },
  tmp: string,
  extra: string[] = [],
): Promise<{ code: number | null; doc: RunJson }> {
  const r = await fleet([
    'run',
    'health-check',
    ...simFleetArgs(sim, path.join(tmp, 'fleet.db')),
    '--json',
    '--skip-tags',
    'kernel.modules-devices',
    ...extra,
  ]);
  expect(r.stderr).not.toMatch(/internal error/);
  return { code: r.code, doc: JSON.parse(r.stdout) as RunJson };
}

/** Ids of the checks that fail (or error) on `host`. */
export function failing(doc: RunJson, host: string): string[] {
  return Object.entries(doc.hosts[host]?.checks ?? {})
    .filter(([, c]) => c.status === 'fail' || c.status === 'error')
    .map(([id]) => id);
}
