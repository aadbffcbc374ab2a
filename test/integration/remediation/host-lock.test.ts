/**
 * The host transaction lock under real concurrency: many `sh` (dash on Debian, as on the hosts)
 * contenders released at the same instant by a FIFO barrier. No fleet needed: the lock scripts are
 * plain POSIX shell run against a lock path in a private temporary directory.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LOCKED_RC, lockSh, unlockSh } from '../../../src/remediation/host-scripts.js';
import { shQuote } from '../../../src/core/shell.js';

const root = mkdtempSync(path.join(tmpdir(), 'fleet-host-lock-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function sh(script: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('sh', ['-c', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

/**
 * Runs `n` contenders of `body(i)` released together: each announces itself ready, then blocks opening
 * the FIFO for reading until the test opens it for writing, which wakes them all at once.
 */
async function race(dir: string, n: number, body: (i: number) => string): Promise<{ code: number; out: string }[]> {
  const fifo = path.join(dir, 'go');
  await sh(`mkfifo ${shQuote(fifo)}`);
  const runs = Array.from({ length: n }, (_, i) => sh(`touch ${shQuote(`${dir}/ready.${i}`)}; : < ${shQuote(fifo)}\n${body(i)}`));
  const ready = () => Array.from({ length: n }, (_, i) => existsSync(`${dir}/ready.${i}`)).every(Boolean);
  while (!ready()) await new Promise((r) => setTimeout(r, 5));
  // Held open a moment so a contender between its `touch` and its `open` is released too.
  await sh(`exec 3> ${shQuote(fifo)}; sleep 0.1`);
  return Promise.all(runs);
}

/** Contender i's script: take the lock for its own transaction, and on success say so. */
const take = (dir: string, lock: string) => (i: number) => `t=${shQuote(`${dir}/tx/c${i}`)}\n${lockSh(lock)}\necho "holder ${i}"`;

const holders = (results: { out: string }[]) => results.filter((r) => /^holder \d+$/m.test(r.out)).length;

describe('host transaction lock', () => {
  // Before take-over was atomic, every trial of 6 contenders had 2 to 4 holders; a dozen is plenty.
  const TRIALS = 12;
  const CONTENDERS = 6;

  it(`with no lock before: exactly one of ${CONTENDERS} simultaneous contenders takes it (${TRIALS} trials)`, async () => {
    const counts: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const dir = path.join(root, `free-${trial}`);
      mkdirSync(path.join(dir, 'tx'), { recursive: true });
      const results = await race(dir, CONTENDERS, take(dir, path.join(dir, 'run', 'bridge.lock')));
      for (const r of results) expect(r.code === 0 || r.code === LOCKED_RC, r.out).toBe(true);
      counts.push(holders(results));
    }
    expect(counts).toEqual(Array(TRIALS).fill(1));
  });

  it(`with a stale lock (its transaction committed): exactly one contender takes it over (${TRIALS} trials)`, async () => {
    const counts: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const dir = path.join(root, `stale-${trial}`);
      const old = path.join(dir, 'tx', 'old');
      const lock = path.join(dir, 'run', 'bridge.lock');
      mkdirSync(path.join(old, 'decided'), { recursive: true });
      writeFileSync(path.join(old, 'decision'), 'commit\n');
      mkdirSync(lock, { recursive: true });
      writeFileSync(path.join(lock, 'tx'), `${old}\n`);
      const results = await race(dir, CONTENDERS, take(dir, lock));
      counts.push(holders(results));
      // The winner's transaction is the one recorded.
      const winner = results.findIndex((r) => /^holder \d+$/m.test(r.out));
      if (winner >= 0) expect(readFileSync(path.join(lock, 'tx'), 'utf8').trim()).toBe(path.join(dir, 'tx', `c${winner}`));
    }
    expect(counts).toEqual(Array(TRIALS).fill(1));
  });

  it('take, work, commit and give back in a loop: no two contenders are ever inside at once', async () => {
    const dir = path.join(root, 'loop');
    mkdirSync(path.join(dir, 'tx'), { recursive: true });
    const lock = path.join(dir, 'run', 'bridge.lock');
    const inside = shQuote(path.join(dir, 'inside'));
    // Each contender makes 6 transactions; a refused attempt retries. `mkdir inside` fails if another
    // holder is inside. Committing (decided + decision) makes the lock stale before it is given back,
    // as commitScript does, so take-over and give-back race each other too.
    const body = (i: number) => `
n=0; tries=0
while [ $n -lt 6 ] && [ $tries -lt 2000 ]; do
  tries=$((tries+1))
  out=$( (t=${shQuote(dir)}/tx/c${i}-$n
${lockSh(lock)}
mkdir ${inside} 2>/dev/null || echo OVERLAP
mkdir -p "$t/decided"; echo commit > "$t/decision"
rmdir ${inside} 2>/dev/null
${unlockSh(lock)}
echo done) 2>&1)
  case "$out" in *OVERLAP*) echo OVERLAP;; esac
  case "$out" in *done*) n=$((n+1));; esac
done
echo "finished $n"`;
    const results = await race(dir, 4, body);
    for (const r of results) {
      expect(r.out).not.toContain('OVERLAP');
      expect(r.out).toContain('finished 6');
    }
  });
});
