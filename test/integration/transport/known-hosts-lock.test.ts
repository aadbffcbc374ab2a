/**
 * accept-new from several fleet processes at once: each first connection to the same name presents a
 * different key. known_hosts updates are serialised across processes, so exactly one key is recorded
 * and every other process refuses its key as changed. Runs the BUILT contender (dist/).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ROOT, assertBuilt } from '../../helpers/cli.js';
import { parseKnownHosts } from '../../../src/transport/known-hosts.js';

const CONTENDER = path.join(ROOT, 'dist/test/helpers/known-hosts-contender.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-kh-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  seed: number;
  decision: { accept: boolean; kind?: string; reason?: string };
}

function contender(file: string, fifo: string, seed: number): Promise<{ out: string; err: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CONTENDER, file, fifo, String(seed)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ out, err, code }));
  });
}

const sh = (script: string) =>
  new Promise<void>((resolve, reject) =>
    spawn('sh', ['-c', script], { stdio: 'ignore' })
      .on('close', () => resolve())
      .on('error', reject),
  );

test('4 processes, 3 rounds: one key recorded per round, the other processes refused as changed', async () => {
  assertBuilt();
  if (!existsSync(CONTENDER)) throw new Error(`${CONTENDER} is missing: run npm run build`);
  for (let round = 0; round < 3; round++) {
    const file = path.join(dir, `known_hosts-${round}`);
    const fifo = path.join(dir, `go-${round}`);
    await sh(`mkfifo '${fifo}'`);
    const runs = [1, 2, 3, 4].map((seed) => contender(file, fifo, seed + round * 10));
    // Once every contender has read known_hosts (empty) and blocks on the FIFO, release them together.
    const seeds = [1, 2, 3, 4].map((seed) => seed + round * 10);
    while (!seeds.every((seed) => existsSync(`${fifo}.ready.${seed}`))) await new Promise((r) => setTimeout(r, 10));
    const writer = spawn('sh', ['-c', `exec 3> '${fifo}'; sleep 30`], { stdio: 'ignore' });
    const results = await Promise.all(runs);
    writer.kill();
    const outcomes = results.map((r) => {
      expect(r.code, r.err).toBe(0);
      return JSON.parse(r.out) as Outcome;
    });
    const accepted = outcomes.filter((o) => o.decision.accept);
    expect(accepted, JSON.stringify(outcomes)).toHaveLength(1);
    for (const o of outcomes.filter((x) => !x.decision.accept)) {
      expect(o.decision.kind).toBe('hostkey-changed');
      expect(o.decision.reason).toContain('REMOTE HOST IDENTIFICATION HAS CHANGED');
    }
    const entries = parseKnownHosts(readFileSync(file, 'utf8'), file);
    expect(entries).toHaveLength(1);
    expect(entries[0]?.key.subarray(-32)).toEqual(Buffer.alloc(32, accepted[0]?.seed));
  }
});
