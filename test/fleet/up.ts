/**
 * Brings up a simulated fleet from the command line (for the demo and manual poking):
 *
 *   node dist/test/fleet/up.js --prefix demo --count 20 [--subnet N] [--nat] [--detach]
 *
 * Prints one JSON line (inventory, key, known_hosts, hosts, timings). Without --detach it stays in
 * the foreground and tears the fleet down on Ctrl-C / SIGTERM; with --detach it exits and leaves the
 * fleet running (remove it later with `node dist/test/fleet/cleanup.js <prefix>`).
 */
import { SimFleet } from './sim-fleet.js';

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<void> {
  const prefix = arg(argv, '--prefix') ?? 'demo';
  const count = Number(arg(argv, '--count') ?? '10');
  const subnet = arg(argv, '--subnet');
  const fleet = await SimFleet.up({
    prefix,
    count,
    subnetIndex: subnet === undefined ? undefined : Number(subnet),
    vmNetworkMode: argv.includes('--nat') ? 'nat' : 'bridge',
  });
  console.log(
    JSON.stringify({
      prefix: fleet.prefix,
      dir: fleet.dir,
      inventory: fleet.inventoryPath,
      key: fleet.keyPath,
      knownHosts: fleet.knownHostsPath,
      hosts: fleet.hosts.map((h) => ({ name: h.name, address: h.address, libvirtUri: h.libvirtUri })),
      timings: fleet.timings,
    }),
  );
  if (argv.includes('--detach')) {
    fleet.detach();
    return;
  }
  // Stay alive until a signal; the fleet's signal handlers tear it down and end the process.
  setInterval(() => undefined, 1 << 30);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`up: ${(e as Error).message}`);
  process.exitCode = 1;
});
