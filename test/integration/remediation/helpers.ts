/** Shared set-up for the bridge-remediation acceptance tests: the declared state of br0 as extra vars. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SimFleet } from '../../fleet/sim-fleet.js';
import { fleet, type CliResult } from '../../helpers/cli.js';

/** Seconds the dead-man switch waits in tests (production default 180). */
export const CONFIRM_TIMEOUT_S = 12;

/**
 * Writes the vars file declaring br0 (the MANAGEMENT bridge: a bad change really cuts SSH) for every
 * host: uplink eth0, the host's own address, the segment gateway, STP off, fd 0, MTU 1500.
 */
export function writeBr0Vars(sim: SimFleet, dir: string): string {
  const h = sim.hosts[0];
  if (!h) throw new Error('empty fleet');
  const file = path.join(dir, `${sim.prefix}-vars.yml`);
  writeFileSync(
    file,
    [
      'bridge: br0',
      'uplink: eth0',
      `address: "{{ ansible_host }}/${h.prefixLength}"`,
      `gateway: ${h.gateway}`,
      'mtu: 1500',
      'network_stack: ifupdown',
      `bridge_confirm_timeout: ${CONFIRM_TIMEOUT_S}`,
      'bridge_rollback_grace: 30',
      `bridge_tx_dir: ${path.join(sim.dir, 'tx')}`,
      '',
    ].join('\n'),
  );
  return file;
}

/** `fleet run PLAYBOOK` against the simulated fleet with the br0 vars. */
export function runRemediation(
  sim: SimFleet,
  db: string,
  varsFile: string,
  extra: string[],
  opts: Parameters<typeof fleet>[1] = {},
): Promise<CliResult> {
  return fleet(
    [
      'run',
      ...extra.slice(0, 1),
      '-i',
      sim.inventoryPath,
      '--known-hosts',
      sim.knownHostsPath,
      '--db',
      db,
      '--connect-timeout',
      '3',
      '-e',
      `@${varsFile}`,
      ...extra.slice(1),
    ],
    { timeoutMs: 240_000, ...opts },
  );
}

export async function interfacesFiles(sim: SimFleet): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const h of sim.hosts) out[h.name] = (await sim.run(h.name, 'cat /etc/network/interfaces')).stdout;
  return out;
}

export async function snapshots(sim: SimFleet): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const h of sim.hosts) out[h.name] = await sim.snapshot(h.name);
  return out;
}

/**
 * Snapshots once the fleet is at rest: hosts with STP on elect a root bridge over the shared
 * management LAN within a few hello times, which changes their snapshots without anyone acting.
 */
export async function settledSnapshots(sim: SimFleet, maxMs = 30_000): Promise<Record<string, string>> {
  let prev = await snapshots(sim);
  const end = Date.now() + maxMs;
  while (Date.now() < end) {
    await new Promise((r) => setTimeout(r, 2000));
    const now = await snapshots(sim);
    if (JSON.stringify(now) === JSON.stringify(prev)) return now;
    prev = now;
  }
  throw new Error(`fleet state did not settle within ${maxMs} ms`);
}

/** What must be back after a rollback (port numbers may differ: re-enslaving allocates new ones). */
export async function networkState(sim: SimFleet, host: string): Promise<string> {
  return (await sim.run(host, 'ip -br link; ip -br addr; ip route; bridge link; cat /etc/network/interfaces')).stdout.replace(
    /^\d+: /gm,
    '',
  );
}
