/**
 * Too high a --forks must not collapse a run. 30 real sshd share 30% of one core (a CPU-capped
 * cgroup, test/fleet/cpu-cap.ts): 30 handshakes at once each get 1/30 of that, and every one misses
 * a 2 s connect timeout together — the collapse seen at 200 hosts on 2 cores, made small and
 * repeatable. With the fixed window (--no-adaptive, fleet's behaviour before adaptive concurrency)
 * the hosts are reported unreachable; with the adaptive one the window backs off, the hosts whose
 * handshake timed out from that overload are dialled again, and every host ends ok.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConcurrencyReport } from '../../../src/engine/events.js';
import { capSshdCpu, type CpuCap } from '../../fleet/cpu-cap.js';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { simFleetArgs } from '../../helpers/cli.js';
import { runMain } from '../../helpers/main-in-process.js';
import { uniquePrefix } from '../fleet/helpers.js';

const HOSTS = 30;

interface ExecJson {
  hosts: Record<string, { status: string; reason: string | null }>;
  timings: { concurrency: ConcurrencyReport };
}

describe('adaptive concurrency on a fleet whose sshd share too little CPU', () => {
  let sim: SimFleet;
  let cap: CpuCap | undefined;
  let tmp: string;
  beforeAll(async () => {
    sim = await SimFleet.up({ prefix: uniquePrefix('ac'), count: HOSTS, vmsPerHost: 1 });
    cap = capSshdCpu(sim, 30);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-adaptive-'));
  });
  afterAll(async () => {
    await sim?.down();
    cap?.remove();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const execAll = async (db: string, extra: string[]) => {
    const r = await runMain(
      [
        'exec',
        'all',
        ...simFleetArgs(sim, path.join(tmp, db)),
        '--forks',
        String(HOSTS),
        '--connect-timeout',
        '2',
        '--json',
        ...extra,
        '--',
        'true',
      ],
      { cwd: tmp },
    );
    return { code: r.code, doc: JSON.parse(r.stdout) as ExecJson, stderr: r.stderr };
  };

  it('--no-adaptive: all handshakes at once, and the hosts time out as "unreachable"', async () => {
    const { code, doc } = await execAll('fixed.db', ['--no-adaptive']);
    const unreachable = Object.values(doc.hosts).filter((h) => h.status === 'unreachable');
    expect(code).toBe(4);
    expect(unreachable.length).toBeGreaterThanOrEqual(HOSTS / 2);
    for (const h of unreachable) expect(h.reason).toMatch(/timed out during connect or SSH handshake$/);
    expect(doc.timings.concurrency).toEqual({ mode: 'fixed', forks: HOSTS });
  });

  it('adaptive (the default): the window backs off, overload timeouts are retried, and every host is ok', async () => {
    const { code, doc, stderr } = await execAll('adaptive.db', []);
    const bad = Object.entries(doc.hosts).filter(([, h]) => h.status !== 'ok');
    expect(bad, stderr).toEqual([]);
    expect(code).toBe(0);
    const c = doc.timings.concurrency;
    if (c.mode !== 'adaptive') throw new Error(`expected the adaptive window, got ${JSON.stringify(c)}`);
    expect(c).toMatchObject({ forks: HOSTS, initialWindow: 10 });
    expect(c.cuts).toBeGreaterThanOrEqual(1);
    expect(c.windowChanges.some((w) => w.reason !== 'grow')).toBe(true);
    expect(c.peakWindow).toBeLessThanOrEqual(HOSTS);
    // The first window of 10 already overloads the capped sshd: those handshakes time out after TCP
    // connected, the window is cut, and they are dialled again and reached.
    expect(c.retriedHosts).toBeGreaterThanOrEqual(1);
    expect(c.recoveredHosts).toBe(c.retriedHosts);
    expect(c.handshakes).toBe(HOSTS + c.retries);
  });
});
