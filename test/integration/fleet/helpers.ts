/** Small helpers shared by the simulator's own integration tests. */
import { runCmd, type RunResult } from '../../fleet/exec.js';
import type { SimFleet } from '../../fleet/sim-fleet.js';

/**
 * A fleet prefix unique to this process (2-letter tag + pid in base 36), so two test runs on one
 * machine (e.g. the lead's `npm test` and a helper's) never contend for the same fleet.
 */
export function uniquePrefix(tag: string): string {
  return `${tag}${(process.pid % 36 ** 4).toString(36).padStart(4, '0')}`;
}

/** Runs `cmd` on a host over real SSH (system ssh client, strict host keys, batch mode). */
export function ssh(fleet: SimFleet, host: string, cmd: string, timeoutMs = 20_000, connectTimeoutS = 5): Promise<RunResult> {
  return runCmd('ssh', [...fleet.sshArgs(host, connectTimeoutS), cmd], { timeoutMs });
}

/** Runs a command inside the host namespace and parses its JSON output. */
export async function json<T = unknown>(fleet: SimFleet, host: string, cmd: string): Promise<T> {
  const r = await fleet.run(host, cmd);
  if (r.code !== 0) throw new Error(`${host}: ${cmd}: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as T;
}

export interface IpLink {
  ifname: string;
  flags: string[];
  mtu: number;
  master?: string;
  address: string;
  operstate: string;
  linkinfo?: {
    info_kind?: string;
    info_data?: Record<string, unknown>;
    info_slave_kind?: string;
    info_slave_data?: Record<string, unknown>;
  };
  addr_info?: Array<{ family: string; local: string; prefixlen: number; scope: string }>;
}

export async function link(fleet: SimFleet, host: string, dev: string): Promise<IpLink> {
  const [l] = await json<IpLink[]>(fleet, host, `ip -j -d addr show dev ${dev}`);
  if (!l) throw new Error(`${host}: no link ${dev}`);
  return l;
}

export async function bridgePorts(fleet: SimFleet, host: string): Promise<Map<string, { master?: string; state?: string }>> {
  const ports = await json<Array<{ ifname: string; master?: string; state?: string }>>(fleet, host, 'bridge -j link show');
  return new Map(ports.map((p) => [p.ifname, p]));
}
