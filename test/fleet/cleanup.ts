/**
 * Removes what simulated fleets left behind (after a crash, SIGKILL or `up.js --detach`):
 *
 *   node dist/test/fleet/cleanup.js <prefix>…   clean these prefixes
 *   node dist/test/fleet/cleanup.js             clean every prefix recorded in /run/fleet-sim
 *
 * Prints one line per prefix; exit 1 (with a one-line reason) if something could not be removed.
 */
import { cleanupPrefix, leftovers } from './cleanup-lib.js';
import { listRecordedPrefixes } from './registry.js';

function main(argv: string[]): number {
  if (process.getuid?.() !== 0) {
    console.error('cleanup: needs root (it deletes network namespaces and interfaces)');
    return 1;
  }
  const prefixes = argv.length > 0 ? argv : listRecordedPrefixes();
  if (prefixes.length === 0) {
    console.log('cleanup: no recorded fleets');
    return 0;
  }
  let failed = false;
  for (const prefix of prefixes) {
    try {
      const r = cleanupPrefix(prefix);
      const left = leftovers(prefix);
      const rest = [...left.netns, ...left.links, ...left.etc, ...left.processes.map(String), ...left.dirs];
      console.log(
        `${prefix}: removed ${r.netns.length} namespaces, ${r.links.length} links, ${r.killed.length} processes, ${r.etc.length} /etc/netns entries, ${r.dirs.length} dirs` +
          (rest.length > 0 ? `; STILL PRESENT: ${rest.join(' ')}` : ''),
      );
      if (rest.length > 0) failed = true;
    } catch (e) {
      console.error(`${prefix}: ${(e as Error).message}`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
