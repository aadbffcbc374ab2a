/**
 * The floor as the scale benchmark runs it, in a process of its own so its CPU and memory are
 * measured like fleet's: bench/bare-ssh.ts's loop over every host in a targets file.
 *
 *   FLEET_BENCH_USAGE=/tmp/u.json node dist/bench/synthetic/floor-child.js TARGETS.json KEY FORKS
 */
import { readFileSync } from 'node:fs';
import { bareLoop, type BareTarget } from '../bare-ssh.js';
import { reportUsageOnExit } from './child-usage.js';

const [targetsFile, keyFile, forks] = process.argv.slice(2);
if (!targetsFile || !keyFile || !forks) {
  process.stderr.write('usage: floor-child.js TARGETS.json KEY FORKS\n');
  process.exit(1);
}
const targets = JSON.parse(readFileSync(targetsFile, 'utf8')) as BareTarget[];
let failed = 0;
reportUsageOnExit(() => ({ failed }));
const r = await bareLoop(targets, readFileSync(keyFile), Number(forks));
failed = r.failed;
if (r.failed) process.stderr.write(`floor: ${r.failed} hosts failed, first: ${r.firstError}\n`);
process.exitCode = r.failed ? 4 : 0;
