/**
 * Records what fleet's own facts script prints on real simulated hypervisors (test/fleet: network
 * namespaces, real sshd, bridges, firewalls, libvirt), one clean host and a few with faults, so the
 * synthetic responder answers exactly what a host would. Run once after changing the facts script;
 * the outputs are committed under bench/synthetic/recorded/.
 *
 *   npm run build && node dist/bench/synthetic/record.js
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bareOne } from '../bare-ssh.js';
import { runBench, withSimFleet } from '../lib.js';
import { factsCommand } from '../../src/facts/index.js';
import type { FaultName } from '../../test/fleet/faults/types.js';
import { RECORDED_DIR, RECORDINGS } from './recordings.js';

async function record(): Promise<void> {
  await withSimFleet({ prefix: 'synrec', count: RECORDINGS.length, vmsPerHost: 2 }, async (sim) => {
    const key = readFileSync(sim.keyPath);
    for (const [i, rec] of RECORDINGS.entries()) {
      const host = sim.hosts[i]!;
      if (rec.fault) await sim.inject(host.name, rec.fault as FaultName);
      const out = await bareOne({ address: host.address, port: host.port, command: factsCommand({ libvirtUri: host.libvirtUri }) }, key);
      // The test driver's path is per machine: keep the URI's shape, not this run's temp dir.
      const text = out.split(path.dirname(host.xmlPath)).join(`/sim/${host.name}`);
      writeFileSync(path.join(RECORDED_DIR, `${rec.name}.txt`), text);
      console.log(`${rec.name}: ${host.name}${rec.fault ? ` with ${rec.fault}` : ''}, ${text.length} bytes`);
    }
  });
}

runBench(record);
