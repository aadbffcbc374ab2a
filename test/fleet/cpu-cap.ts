/**
 * Puts every sshd of a simulated fleet into one CPU-capped cgroup, so that the fleet's SSH
 * handshakes share a small, fixed slice of CPU: N at once each progress at 1/N speed and all miss
 * the connect timeout together, which is how too high a --forks collapses a run on a small
 * controller. A quota is a ceiling, so a busy machine only makes the cap tighter.
 *
 * cgroup v2 (`cpu.max`, Debian 12's default) or v1 (`cpu` controller, `cpu.cfs_quota_us`). The
 * listener sshd is moved in; each connection's sshd is its child and inherits the group. Sessions'
 * processes too, which is intended: a slow host is slow for everything.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SimFleet } from './sim-fleet.js';

const V2_ROOT = '/sys/fs/cgroup';
const V1_ROOT = '/sys/fs/cgroup/cpu';
const PERIOD_US = 100_000;

export interface CpuCap {
  readonly dir: string;
  /** Moves whatever still runs in the group back to the root group and removes it. Idempotent. */
  remove(): void;
}

/** Caps all of the fleet's sshd together at `percent` of one core. */
export function capSshdCpu(fleet: SimFleet, percent: number): CpuCap {
  const quota = Math.max(1000, Math.round((PERIOD_US * percent) / 100));
  const v2 = existsSync(path.join(V2_ROOT, 'cgroup.controllers'));
  const root = v2 ? V2_ROOT : V1_ROOT;
  if (!v2 && !existsSync(path.join(V1_ROOT, 'cpu.cfs_quota_us'))) {
    throw new Error('cpu-cap: no cgroup v2 and no cgroup v1 cpu controller at /sys/fs/cgroup/cpu');
  }
  const dir = path.join(root, `fleet-sim-${fleet.prefix}`);
  mkdirSync(dir, { recursive: true });
  const cap: CpuCap = {
    dir,
    remove: () => {
      if (!existsSync(dir)) return;
      for (const pid of readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
        try {
          writeFileSync(path.join(root, 'cgroup.procs'), pid);
        } catch {
          // exited meanwhile
        }
      }
      rmdirSync(dir);
    },
  };
  try {
    // The highest weight too: on a busy machine the group still gets its whole quota, so the cap,
    // not the other load, sets how fast handshakes go.
    if (v2) {
      writeFileSync(path.join(dir, 'cpu.max'), `${quota} ${PERIOD_US}`);
      writeFileSync(path.join(dir, 'cpu.weight'), '10000');
    } else {
      writeFileSync(path.join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
      writeFileSync(path.join(dir, 'cpu.cfs_quota_us'), String(quota));
      writeFileSync(path.join(dir, 'cpu.shares'), '262144');
    }
    for (const h of fleet.hosts) {
      const pid = readFileSync(path.join(h.dir, 'sshd.pid'), 'utf8').trim();
      writeFileSync(path.join(dir, 'cgroup.procs'), pid);
    }
  } catch (err) {
    cap.remove();
    throw new Error(`cpu-cap: cannot cap sshd in ${dir}: ${(err as Error).message}`);
  }
  return cap;
}
