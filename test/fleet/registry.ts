/**
 * On-disk registry under /run/fleet-sim: which prefix owns which work dir and address blocks.
 * It lets a later process (cleanup.js, or the next SimFleet.up with the same prefix) clean up after a
 * run that crashed, and lets fleets started concurrently claim disjoint address blocks atomically.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { BLOCK_COUNT, blockCidr, ip4ToInt } from './addressing.js';
import { runSync, SimFleetError } from './exec.js';

export const REGISTRY_DIR = '/run/fleet-sim';

export interface FleetRecord {
  prefix: string;
  dir: string;
  /** True when the simulator created `dir` itself (then teardown deletes it). */
  ownDir: boolean;
  blocks: number[];
  /** Process that owns the fleet (tears it down on exit) … */
  pid: number;
  /** … unless it let go with detach(): then anyone may remove the fleet. */
  detached?: boolean;
  createdAt: string;
}

/** The live process that still owns `rec`'s fleet (other than this one), if any. */
export function liveOwner(rec: FleetRecord | undefined): number | undefined {
  if (!rec || rec.detached || rec.pid === process.pid) return undefined;
  try {
    process.kill(rec.pid, 0);
  } catch {
    return undefined;
  }
  try {
    // A zombie or a recycled pid that is not node does not own anything.
    const stat = readFileSync(`/proc/${rec.pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return undefined;
    if (!readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8').includes('node')) return undefined;
  } catch {
    return undefined;
  }
  return rec.pid;
}

export const PREFIX_RE = /^[a-z][a-z0-9]{0,5}$/;

export function checkPrefix(prefix: string): void {
  if (!PREFIX_RE.test(prefix)) {
    throw new SimFleetError(
      `invalid fleet prefix "${prefix}": use 1-6 lowercase letters/digits starting with a letter (it prefixes 15-byte interface names)`,
    );
  }
}

const recordPath = (prefix: string) => path.join(REGISTRY_DIR, `${prefix}.json`);
const claimPath = (block: number) => path.join(REGISTRY_DIR, `block-${block}`);

export function writeRecord(rec: FleetRecord): void {
  mkdirSync(REGISTRY_DIR, { recursive: true });
  writeFileSync(recordPath(rec.prefix), `${JSON.stringify(rec, null, 2)}\n`);
}

export function readRecord(prefix: string): FleetRecord | undefined {
  try {
    return JSON.parse(readFileSync(recordPath(prefix), 'utf8')) as FleetRecord;
  } catch {
    return undefined;
  }
}

export function listRecordedPrefixes(): string[] {
  if (!existsSync(REGISTRY_DIR)) return [];
  return readdirSync(REGISTRY_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .filter((p) => PREFIX_RE.test(p));
}

/** Removes the prefix's record and every block claim it holds. */
export function forgetPrefix(prefix: string): void {
  rmSync(recordPath(prefix), { force: true });
  if (!existsSync(REGISTRY_DIR)) return;
  for (const f of readdirSync(REGISTRY_DIR)) {
    if (!f.startsWith('block-')) continue;
    const p = path.join(REGISTRY_DIR, f);
    if (readOwner(p) === prefix) rmSync(p, { force: true });
  }
}

function readOwner(p: string): string | undefined {
  try {
    return readFileSync(p, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** A claim is stale when its owner's first management bridge is gone and the claim is not brand new. */
function claimIsStale(p: string): boolean {
  const owner = readOwner(p);
  if (!owner) return true;
  if (existsSync(`/sys/class/net/${owner}-m0`)) return false;
  try {
    return Date.now() - statSync(p).mtimeMs > 60_000;
  } catch {
    return true;
  }
}

/** Blocks whose addresses something else in the root namespace already uses (never ours to take). */
function blocksInUseByOthers(): Set<number> {
  const used = new Set<number>();
  const r = runSync('ip', ['-j', '-4', 'addr', 'show']);
  if (r.code !== 0) return used;
  const links = JSON.parse(r.stdout || '[]') as Array<{ addr_info?: Array<{ local?: string }> }>;
  for (const l of links) {
    for (const a of l.addr_info ?? []) {
      if (!a.local) continue;
      for (let b = 0; b < BLOCK_COUNT; b++) {
        const base = ip4ToInt(blockCidr(b).split('/')[0]!);
        const n = ip4ToInt(a.local);
        if (n >= base && n < base + 4096) used.add(b);
      }
    }
  }
  return used;
}

function tryClaim(block: number, prefix: string): boolean {
  const p = claimPath(block);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(p, 'wx');
      writeSync(fd, `${prefix}\n`);
      closeSync(fd);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (readOwner(p) === prefix) return true;
      if (!claimIsStale(p)) return false;
      rmSync(p, { force: true });
    }
  }
  return false;
}

/**
 * Claims `needed` consecutive /20 blocks for `prefix`: exactly from `requested` when given (error if
 * taken), else the first free run. Atomic across processes (O_EXCL files).
 */
export function claimBlocks(prefix: string, needed: number, requested: number | undefined): number {
  mkdirSync(REGISTRY_DIR, { recursive: true });
  const others = blocksInUseByOthers();
  const candidates = requested === undefined ? [...Array(BLOCK_COUNT).keys()] : [requested];
  for (const first of candidates) {
    if (first < 0 || first + needed > BLOCK_COUNT) continue;
    const run = [...Array(needed).keys()].map((i) => first + i);
    if (run.some((b) => others.has(b))) continue;
    const got: number[] = [];
    for (const b of run) {
      if (!tryClaim(b, prefix)) break;
      got.push(b);
    }
    if (got.length === needed) return first;
    for (const b of got) rmSync(claimPath(b), { force: true });
  }
  if (requested !== undefined) {
    throw new SimFleetError(
      `subnetIndex ${requested} (${blockCidr(requested)}, ${needed} block(s)) is not free: another fleet or interface uses it, or it is out of range 0-${BLOCK_COUNT - needed}`,
    );
  }
  throw new SimFleetError(`no free run of ${needed} address block(s) in 198.18.0.0/15 for fleet "${prefix}"`);
}
