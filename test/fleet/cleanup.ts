/**
 * Removes what simulated fleets left behind (after a crash, SIGKILL or `up.js --detach`):
 *
 *   node dist/test/fleet/cleanup.js <prefix>…   clean these prefixes
 *   node dist/test/fleet/cleanup.js             clean every recorded fleet whose owner is gone
 *   … --force                                   also fleets a live process still owns
 *
 * Prints one line per prefix; exit 1 (with a one-line reason) if something could not be removed.
 */
import { cleanupPrefix, leftovers } from './cleanup-lib.js';
import { listRecordedPrefixes, liveOwner, readRecord } from './registry.js';

function main(argv: string[]): number {
  if (process.getuid?.() !== 0) {
    console.error('cleanup: needs root (it deletes network namespaces and interfaces)');
    return 1;
  }
  const force = argv.includes('--force');
  const named = argv.filter((a) => a !== '--force');
  const prefixes = named.length > 0 ? named : listRecordedPrefixes();
  if (prefixes.length === 0) {
    console.log('cleanup: no recorded fleets');
    return 0;
  }
  let failed = false;
  for (const prefix of prefixes) {
    const owner = liveOwner(readRecord(prefix));
    if (owner !== undefined && !force) {
      console.log(`${prefix}: skipped, owned by live process ${owner} (--force to remove anyway)`);
      continue;
    }
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
