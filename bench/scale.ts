/**
 * Benchmark: `fleet run health-check` on thousands of synthetic SSH hosts (bench/synthetic/) against
 * the floor (one bare ssh2 connection + one exec of the same facts script per host, same forks), each
 * in its own process so controller CPU and peak RSS are the process's own; the responders' CPU is
 * measured apart. Also the DB (size, time spent writing) and `fleet report` (time, size).
 *
 *   npm run bench -- scale [--sizes 1000,5000] [--rounds 1] [--forks 100] [--cloned] [--fault-share 0.1]
 *                          [--delay-ms 0] [--workers 2] [--out bench/results/scale-DATE.md] [--cpu-prof DIR]
 *                          [--only fleet|floor]   (profiling: skip the other one and the report)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { arg, machine, median, runBench } from './lib.js';
import { runFleet, runFloor, type FleetRun, type FloorRun, type ReportRun } from './synthetic/rounds.js';
import { SyntheticFleet } from './synthetic/synthetic-fleet.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Round {
  fleet: FleetRun;
  floor: FloorRun;
  report: ReportRun;
}

const has = (flag: string) => process.argv.includes(flag);
const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function oneSize(n: number, rounds: number, forks: number, tmp: string): Promise<Round[]> {
  const syn = await SyntheticFleet.up({
    count: n,
    cloned: has('--cloned'),
    faultShare: Number(arg('--fault-share', '0.1')),
    delayMs: Number(arg('--delay-ms', '0')),
    workers: Number(arg('--workers', '2')),
  });
  console.error(`# ${n} synthetic hosts up in ${s(syn.timings.totalMs)} (host keys: ${s(syn.timings.keygenMs)} summed over responders)`);
  try {
    const cpuProf = arg('--cpu-prof', '');
    const only = arg('--only', '');
    const ro = { forks, tmp, fleetNodeArgs: cpuProf ? ['--cpu-prof', '--cpu-prof-dir', cpuProf] : [] };
    const out: Round[] = [];
    for (let i = 0; i < rounds; i++) {
      const order = (i % 2 ? ['fleet', 'floor'] : ['floor', 'fleet']).filter((w) => !only || w === only);
      const r: Partial<Round> = {};
      for (const which of order) {
        if (which === 'floor') r.floor = await runFloor(syn, ro);
        else Object.assign(r, await runFleet(syn, { ...ro, report: !only }));
      }
      out.push(r as Round);
      const f = r.fleet;
      const fl = r.floor;
      console.error(
        `  round ${i + 1}:` +
          (f
            ? ` fleet ${s(f.wallMs)} (${(f.cpuMs / n).toFixed(1)} ms CPU/host, ${mb(f.maxRssBytes)}, main() to exit ${s(f.exitAtMs - Number(f.extra['mainReturnedAtMs'] ?? f.exitAtMs))}, DB writer ${s(Number(f.extra['dbWriterMs']))}, ${f.unreachable} unreachable)`
            : '') +
          (fl ? ` floor ${s(fl.wallMs)} (${(fl.cpuMs / n).toFixed(1)} ms/host, ${mb(fl.maxRssBytes)})` : ''),
      );
    }
    return out;
  } finally {
    await syn.down();
  }
}

function table(results: Map<number, Round[]>): string {
  const med = (rs: Round[], f: (r: Round) => number) => median(rs.map(f));
  const lines = [
    '| hosts | fleet wall | fleet CPU/host | fleet peak RSS | main() → exit | DB size | DB writer busy (share of wall) | report time | report size | report in chromium: load / filter | floor wall | floor CPU/host | floor RSS | wall ratio | CPU ratio | responder CPU/host (fleet run) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const [n, rs] of results) {
    const fw = med(rs, (r) => r.fleet.wallMs);
    const fc = med(rs, (r) => r.fleet.cpuMs) / n;
    const bw = med(rs, (r) => r.floor.wallMs);
    const bc = med(rs, (r) => r.floor.cpuMs) / n;
    const dbw = med(rs, (r) => Number(r.fleet.extra['dbWriterMs'] ?? 0));
    const tail = med(rs, (r) => r.fleet.exitAtMs - Number(r.fleet.extra['mainReturnedAtMs'] ?? r.fleet.exitAtMs));
    lines.push(
      `| ${n.toLocaleString('en')} | ${s(fw)} | ${fc.toFixed(1)} ms | ${mb(med(rs, (r) => r.fleet.maxRssBytes))} | ${(tail / 1000).toFixed(2)} s | ${mb(med(rs, (r) => r.fleet.dbBytes))} | ${s(dbw)} (${((100 * dbw) / fw).toFixed(1)}%) | ${s(med(rs, (r) => r.report.wallMs))} | ${(med(rs, (r) => r.report.bytes) / 1e6).toFixed(1)} MB | ${s(med(rs, (r) => r.report.browser?.loadMs ?? NaN))} / ${med(rs, (r) => r.report.browser?.filterMs ?? NaN).toFixed(0)} ms | ${s(bw)} | ${bc.toFixed(1)} ms | ${mb(med(rs, (r) => r.floor.maxRssBytes))} | ${(fw / bw).toFixed(2)}× | ${(fc / bc).toFixed(2)}× | ${(med(rs, (r) => r.fleet.responderCpuMs) / n).toFixed(1)} ms |`,
    );
  }
  return lines.join('\n');
}

async function run(): Promise<void> {
  const sizes = arg('--sizes', '1000,5000').split(',').map(Number);
  const rounds = Number(arg('--rounds', '1'));
  const forks = Number(arg('--forks', '100'));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-bench-scale-'));
  const header = machine();
  const results = new Map<number, Round[]>();
  try {
    for (const n of sizes) results.set(n, await oneSize(n, rounds, forks, tmp));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (arg('--only', '')) return; // a profiling run: the per-round lines above are the result
  const cmd = `npm run bench -- scale ${process.argv
    .slice(2)
    .filter((a) => a !== 'scale')
    .join(' ')}`.trim();
  const doc = [
    `# fleet run health-check on synthetic hosts vs the floor (${new Date().toISOString().slice(0, 16)}Z)`,
    '',
    `Machine: ${header}. Shared with other workers: timings are noisy.`,
    `Command: \`${cmd}\` — medians of ${rounds} round(s), floor and fleet alternating, --forks ${forks}${has('--cloned') ? ', cloned hosts' : ''}.`,
    '',
    table(results),
    '',
  ].join('\n');
  console.log(doc);
  const outFile = arg('--out', path.join(ROOT, 'bench/results', `scale-${new Date().toISOString().slice(0, 10)}.md`));
  if (outFile !== '-') {
    mkdirSync(path.dirname(outFile), { recursive: true });
    writeFileSync(outFile, doc);
    console.error(`written to ${outFile}`);
  }
}

runBench(run);
