/**
 * Measures how long a simulated fleet takes to come up and go down:
 *
 *   node dist/test/fleet/bench.js [--verify] [--pause S] [--prefix bn] 10 50 100
 *
 * For each count: up() (with its per-phase timings), optionally one real SSH login per host
 * (`ssh … hostname`, 16 at a time, must answer the right name), then down(). Prints a table.
 * down() returns once namespaces and links are gone from view; the kernel frees them
 * asynchronously afterwards, and an up() started right then waits for it (rtnl), so use --pause to
 * measure each size from a settled state.
 */
import pLimit from 'p-limit';
import { runCmd } from './exec.js';
import { SimFleet } from './sim-fleet.js';

async function verify(fleet: SimFleet): Promise<{ ok: number; ms: number }> {
  const t = Date.now();
  const limit = pLimit(16);
  const results = await Promise.all(
    fleet.hosts.map((h) => limit(async () => (await runCmd('ssh', [...fleet.sshArgs(h.name), 'hostname'])).stdout.trim() === h.name)),
  );
  return { ok: results.filter(Boolean).length, ms: Date.now() - t };
}

async function main(argv: string[]): Promise<void> {
  const doVerify = argv.includes('--verify');
  const opt = (name: string) => (argv.indexOf(name) >= 0 ? argv[argv.indexOf(name) + 1] : undefined);
  const prefix = opt('--prefix') ?? 'bn';
  const pauseMs = Number(opt('--pause') ?? '0') * 1000;
  const counts = argv.filter((a, i) => /^\d+$/.test(a) && !['--prefix', '--pause'].includes(argv[i - 1] ?? '')).map(Number);
  console.log('hosts  up_ms  (files root hosts fabric sshd)  ssh_ok  ssh_ms  down_ms');
  for (const count of counts.length > 0 ? counts : [10, 50, 100]) {
    if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    const t0 = Date.now();
    const fleet = await SimFleet.up({ prefix, count });
    const up = Date.now() - t0;
    const v = doVerify ? await verify(fleet) : undefined;
    const t1 = Date.now();
    await fleet.down();
    const down = Date.now() - t1;
    const t = fleet.timings;
    console.log(
      `${String(count).padStart(5)}  ${String(up).padStart(5)}  (${t.files} ${t.root} ${t.hosts} ${t.fabric} ${t.sshd})  ${v ? `${v.ok}/${count}`.padStart(6) : '     -'}  ${v ? String(v.ms).padStart(6) : '     -'}  ${String(down).padStart(7)}`,
    );
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exitCode = 1;
});
