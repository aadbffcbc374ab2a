/**
 * `npm run bench -- NAME [options]`: builds, then runs one benchmark program by name. Each program
 * also runs on its own: node dist/bench/NAME.js.
 */
const BENCHES = [
  'scale',
  'health-vs-bare',
  'exec-forks',
  'remediation',
  'daemon-soak',
  'shards',
  'faults',
  'adaptive-concurrency',
] as const;

const name = process.argv[2];
if (!name || !(BENCHES as readonly string[]).includes(name)) {
  process.stderr.write(`usage: npm run bench -- ${BENCHES.join('|')} [options]  (options: see the program's header comment)\n`);
  process.exitCode = 1;
} else {
  await import(`./${name}.js`);
}
