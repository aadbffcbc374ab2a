/**
 * `npm run demo`: the main job on the embedded default, end to end on a small simulated fleet.
 * Brings up 8 simulated hypervisors (network namespaces with real sshd, bridges, VM taps, libvirt
 * test-driver XML), injects a few faults, runs `fleet run health-check` (read-only), then `--fix`,
 * records everything in ./fleet.db (or $FLEET_DB), says where the results are, and tears down.
 */
import path from 'node:path';
import { SimFleet } from '../fleet/sim-fleet.js';
import { main } from '../../src/cli/main.js';
import { processIo } from '../../src/cli/io.js';
import { defaultDbPath } from '../../src/store/sqlite.js';

const FAULTS = [
  ['hv02', 'bridge.ip-on-port', "the host's address sits on the bridge's uplink port"],
  ['hv03', 'netfilter.br-nf-iptables', 'br_netfilter on and FORWARD policy DROP'],
  ['hv04', 'libvirt.tap-attached', "a running guest's tap fell off the bridge"],
  ['hv05', 'bridge.stp-forward-delay', 'STP on with a 15 s forward delay'],
  ['hv06', 'sshd-stopped', 'sshd is not running (unreachable)'],
] as const;

function say(text: string): void {
  process.stdout.write(`\n\x1b[1m== ${text}\x1b[0m\n`);
}

async function demo(): Promise<number> {
  say('bringing up 8 simulated KVM hypervisors (network namespaces, real OpenSSH sshd each)');
  const sim = await SimFleet.up({ prefix: 'demo', count: 8 });
  try {
    process.stdout.write(`up in ${(sim.timings.total / 1000).toFixed(1)} s; inventory ${sim.inventoryPath}\n`);
    for (const [host, fault, what] of FAULTS) {
      await sim.inject(host, fault);
      process.stdout.write(`  injected on ${host}: ${what}\n`);
    }
    const io = processIo();
    const common = ['-i', sim.inventoryPath, '--known-hosts', sim.knownHostsPath];

    say('fleet run health-check  (read-only: nothing on any host changes)');
    const first = await main(['run', 'health-check', ...common], io);
    process.stdout.write(`exit code ${first} (2 = failing checks found, as expected)\n`);

    say('fleet run health-check --fix  (runtime fixes, then re-check on fresh facts)');
    const second = await main(['run', 'health-check', '--fix', ...common], io);
    process.stdout.write(`exit code ${second} (4 = one host is still unreachable: its sshd is stopped)\n`);

    say('results');
    await main(['runs', '--last', '5'], io);
    const report = path.resolve('fleet-report.html');
    await main(['report', '--last', '-o', report], io);
    const db = path.resolve(defaultDbPath());
    process.stdout.write(
      `\nEverything is in ${db}; the HTML report of the last run is ${report}. Try:\n` +
        `  npx fleet runs\n` +
        `  npx fleet show last              # the --fix run, host by host\n` +
        `  npx fleet show last --host hv02  # every check and step on one host\n`,
    );
    return first === 2 && second === 4 ? 0 : 1;
  } finally {
    say('tearing the simulated fleet down');
    await sim.down();
    process.stdout.write('done: no namespaces, bridges or sshd processes left\n');
  }
}

demo().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
