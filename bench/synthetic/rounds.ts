/**
 * One measured round on a synthetic fleet: the floor and `fleet run health-check` (and optionally
 * `fleet report`), each as a child process, with the responders' CPU during each counted apart.
 * Used by bench/scale.ts and the CI smoke test (test/integration/scale/).
 */
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { factsCommand } from '../../src/facts/index.js';
import { measure, type Measured } from './measure.js';
import { reportInBrowser, type ReportInBrowser } from './report-browser.js';
import type { SyntheticFleet } from './synthetic-fleet.js';

export interface FleetRun extends Measured {
  readonly unreachable: number;
  readonly dbBytes: number;
  readonly responderCpuMs: number;
}
export interface FloorRun extends Measured {
  readonly responderCpuMs: number;
}
export interface ReportRun {
  readonly wallMs: number;
  readonly bytes: number;
  readonly code: number | null;
  /** The report opened in chromium: load and one filter action. */
  readonly browser?: ReportInBrowser;
}

export interface RoundOptions {
  readonly forks: number;
  /** Scratch directory (DB, JSON output, targets). */
  readonly tmp: string;
  /** Extra node options for the fleet process (e.g. --cpu-prof). */
  readonly fleetNodeArgs?: readonly string[];
}

/** dist/bench/synthetic, whether this module runs compiled or from source (vitest). */
export const CHILD_DIR = import.meta.dirname.includes(`${path.sep}dist${path.sep}`)
  ? import.meta.dirname
  : path.resolve(import.meta.dirname, '../../dist/bench/synthetic');

function child(name: string): string {
  const p = path.join(CHILD_DIR, name);
  if (!existsSync(p)) throw new Error(`${p} is missing: run npm run build first`);
  return p;
}

function fileSize(p: string): number {
  return existsSync(p) ? statSync(p).size : 0;
}

export async function runFloor(syn: SyntheticFleet, o: RoundOptions): Promise<FloorRun> {
  const targetsFile = path.join(o.tmp, 'targets.json');
  // The same command text fleet sends (libvirt_uri unset: qemu:///system).
  const command = factsCommand({ libvirtUri: 'qemu:///system' });
  writeFileSync(targetsFile, JSON.stringify(syn.hosts.map((h) => ({ address: h.address, port: h.port, command }))));
  const before = (await syn.usage()).cpuMs;
  const m = await measure(child('floor-child.js'), [targetsFile, syn.keyPath, String(o.forks)], {
    cwd: o.tmp,
    nodeArgs: o.fleetNodeArgs ?? [],
  });
  if (m.code !== 0) throw new Error(`floor exited ${m.code}`);
  return { ...m, responderCpuMs: (await syn.usage()).cpuMs - before };
}

/** `fleet run health-check` on the whole synthetic fleet; with `report`, then `fleet report` of that run. */
export async function runFleet(
  syn: SyntheticFleet,
  o: RoundOptions & { readonly report: boolean },
): Promise<{ fleet: FleetRun; report?: ReportRun }> {
  const db = path.join(o.tmp, 'run.db');
  const json = path.join(o.tmp, 'run.json');
  const before = (await syn.usage()).cpuMs;
  const args = [
    'run',
    'health-check',
    '-i',
    syn.inventoryPath,
    '--known-hosts',
    syn.knownHostsPath,
    '--db',
    db,
    '--forks',
    String(o.forks),
    '--json',
  ];
  const m = await measure(child('fleet-child.js'), args, { cwd: o.tmp, stdoutFile: json, nodeArgs: o.fleetNodeArgs ?? [] });
  const responderCpuMs = (await syn.usage()).cpuMs - before;
  try {
    // 0 = all ok, 2 = some checks failed (the faulty recordings): anything else is a broken benchmark.
    if (m.code !== 0 && m.code !== 2) throw new Error(`fleet run exited ${m.code}`);
    const doc = JSON.parse(readFileSync(json, 'utf8')) as { hosts: Record<string, { status: string }> };
    const unreachable = Object.values(doc.hosts).filter((h) => h.status === 'unreachable').length;
    const fleet = { ...m, unreachable, dbBytes: fileSize(db) + fileSize(`${db}-wal`), responderCpuMs };
    if (!o.report) return { fleet };
    const html = path.join(o.tmp, 'report.html');
    const rep = await measure(child('fleet-child.js'), ['report', '--db', db, '-o', html], { cwd: o.tmp });
    const browser = rep.code === 0 ? await reportInBrowser(html) : undefined;
    return { fleet, report: { wallMs: rep.wallMs, bytes: fileSize(html), code: rep.code, ...(browser ? { browser } : {}) } };
  } finally {
    for (const f of [db, `${db}-wal`, `${db}-shm`, json]) rmSync(f, { force: true });
  }
}
