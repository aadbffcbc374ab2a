/**
 * Runs a command in a cgroup of its own and reports the CPU of everything it started. Needed for
 * Ansible: its ssh ControlPersist masters daemonize (reparented to init), so they are never waited
 * for and neither `getrusage(RUSAGE_CHILDREN)` nor `/usr/bin/time` sees their CPU, yet they do
 * every connection's crypto. A cgroup's CPU counter keeps what its processes used, exited or not.
 * cgroup v2 (`cpu.stat` usage_usec) or v1 (`cpuacct.usage`, ns). Needs root.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmdirSync } from 'node:fs';
import path from 'node:path';

export interface GroupRun {
  readonly wallMs: number;
  /** user+sys of the command and every process it started, ms. */
  readonly cpuMs: number;
  readonly code: number | null;
}

function groupRoot(): { root: string; usage: (dir: string) => number } {
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) {
    const usage = (dir: string) => Number(/^usage_usec (\d+)$/m.exec(readFileSync(path.join(dir, 'cpu.stat'), 'utf8'))?.[1]) / 1000;
    return { root: '/sys/fs/cgroup', usage };
  }
  if (existsSync('/sys/fs/cgroup/cpuacct/cpuacct.usage')) {
    return { root: '/sys/fs/cgroup/cpuacct', usage: (dir) => Number(readFileSync(path.join(dir, 'cpuacct.usage'), 'utf8')) / 1e6 };
  }
  throw new Error('cgroup-cpu: neither cgroup v2 nor a cgroup v1 cpuacct hierarchy under /sys/fs/cgroup');
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `cmd args…` with stdout and stderr to `outFile`, in a fresh cgroup. After it exits, whatever it
 * left running in the group (daemonized helpers) is sent SIGTERM (then SIGKILL) by pid and the
 * group removed; the CPU reported is read before that, at the command's exit.
 */
export async function runInCpuGroup(
  cmd: string,
  args: readonly string[],
  opts: { outFile: string; env: NodeJS.ProcessEnv; name: string },
): Promise<GroupRun> {
  const { root, usage } = groupRoot();
  const dir = path.join(root, `fleet-bench-${opts.name}-${process.pid}`);
  mkdirSync(dir);
  const out = openSync(opts.outFile, 'w');
  try {
    const t0 = performance.now();
    // The shell joins the group, then becomes the command: everything it starts is inside.
    const child = spawn('sh', ['-c', 'echo $$ > "$0/cgroup.procs" && exec "$@"', dir, cmd, ...args], {
      stdio: ['ignore', out, out],
      env: opts.env,
    });
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (c) => resolve(c));
    });
    const wallMs = performance.now() - t0;
    return { wallMs, cpuMs: usage(dir), code };
  } finally {
    closeSync(out);
    await emptyAndRemove(dir, root);
  }
}

async function emptyAndRemove(dir: string, root: string): Promise<void> {
  const pids = () => readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  for (const [signal, waitMs] of [
    ['SIGTERM', 3000],
    ['SIGKILL', 2000],
  ] as const) {
    for (const pid of pids()) {
      try {
        process.kill(pid, signal);
      } catch {
        // exited meanwhile
      }
    }
    for (let t = 0; t < waitMs && pids().length > 0; t += 50) await pause(50);
    if (pids().length === 0) break;
  }
  if (pids().length > 0) throw new Error(`cgroup-cpu: processes ${pids().join(' ')} survive in ${dir}; root is ${root}`);
  rmdirSync(dir);
}
