/**
 * SyntheticFleet: thousands of SSH "hypervisors" on loopback for scale benchmarks, where real sshd
 * processes (test/fleet) would not fit. Each host is an ssh2 Server on its own 127.<net>.x.y address,
 * with its own host key listed in a known_hosts file (fleet still verifies keys), answering fleet's
 * facts script with a recorded output (recordings.ts) made unique per host (template.ts).
 *
 *   const syn = await SyntheticFleet.up({ count: 1000 });
 *   syn.inventoryPath; syn.knownHostsPath (give fleet --known-hosts); syn.keyPath; syn.hosts
 *   await syn.usage();   // the responders' own CPU and memory, apart from the controller's
 *   await syn.down();
 *
 * Network safety: loopback only (Linux routes all of 127.0.0.0/8 to lo).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ed25519KeyPair } from '../../test/fleet/keys.js';
import { writeInventory } from './inventory.js';
import type { FromResponder, ReadyMessage, SyntheticHost, ToResponder, UsageMessage } from './protocol.js';
import { RECORDINGS } from './recordings.js';
import { CHILD_DIR } from './rounds.js';

export interface SyntheticFleetOptions {
  readonly count: number;
  /** Responder processes (default 2: this machine's cores). */
  readonly workers?: number;
  /** Second octet of the loopback addresses (127.<net>.x.y); pick distinct ones for fleets side by side. */
  readonly net?: number;
  readonly port?: number;
  /** Every host answers the same recording verbatim: shared MACs and machine-ids (worst case). */
  readonly cloned?: boolean;
  /** Share of hosts (0…1) answering a recording with a fault; the rest answer `clean`. Default 0.1. */
  readonly faultShare?: number;
  readonly delayMs?: number;
}

export interface ResponderUsage {
  readonly cpuMs: number;
  readonly rssBytes: number;
  readonly connections: number;
  readonly execs: number;
}

/** 10 hosts in every 100 answer a fault, spread evenly over the faulty recordings. */
function recordingFor(i: number, faultShare: number): string {
  const faulty = RECORDINGS.filter((r) => r.fault);
  const per100 = Math.round(faultShare * 100);
  const k = i % 100;
  return k < per100 && faulty.length ? faulty[Math.floor(i / 100 + k) % faulty.length]!.name : 'clean';
}

function address(net: number, i: number): string {
  // 250 hosts per /24, skipping .0 and .255: 127.<net>.0.1 …
  return `127.${net}.${Math.floor(i / 250)}.${(i % 250) + 1}`;
}

export class SyntheticFleet {
  readonly hosts: readonly SyntheticHost[];
  readonly dir: string;
  readonly inventoryPath: string;
  readonly knownHostsPath: string;
  readonly keyPath: string;
  /** Setup timings: host key generation (summed over responders, which run in parallel) and listen. */
  readonly timings: { keygenMs: number; listenMs: number; totalMs: number };
  readonly #children: ChildProcess[];

  private constructor(init: {
    hosts: SyntheticHost[];
    dir: string;
    inventoryPath: string;
    knownHostsPath: string;
    keyPath: string;
    timings: SyntheticFleet['timings'];
    children: ChildProcess[];
  }) {
    this.hosts = init.hosts;
    this.dir = init.dir;
    this.inventoryPath = init.inventoryPath;
    this.knownHostsPath = init.knownHostsPath;
    this.keyPath = init.keyPath;
    this.timings = init.timings;
    this.#children = init.children;
  }

  static async up(o: SyntheticFleetOptions): Promise<SyntheticFleet> {
    const t0 = performance.now();
    const net = o.net ?? 77;
    const port = o.port ?? 2022;
    if (!Number.isInteger(o.count) || o.count < 1 || o.count > 250 * 256) throw new Error(`count must be 1…64000, not ${o.count}`);
    if (!Number.isInteger(net) || net < 1 || net > 254) throw new Error(`net must be 1…254, not ${net}`);
    const hosts: SyntheticHost[] = Array.from({ length: o.count }, (_, i) => ({
      name: `hv${String(i + 1).padStart(5, '0')}`,
      index: i,
      address: address(net, i),
      port,
      recording: recordingFor(i, o.faultShare ?? 0.1),
    }));
    const dir = mkdtempSync(path.join(os.tmpdir(), 'fleet-synthetic-'));
    const client = ed25519KeyPair('fleet-bench-client');
    const keyPath = path.join(dir, 'id_ed25519');
    writeFileSync(keyPath, client.private, { mode: 0o600 });

    const workers = Math.max(1, Math.min(o.workers ?? 2, o.count));
    const script = path.join(CHILD_DIR, 'responder.js');
    const children: ChildProcess[] = [];
    try {
      const slices = Array.from({ length: workers }, (_, w) => hosts.filter((_h, i) => i % workers === w));
      const readies = await Promise.all(
        slices.map((slice) => {
          const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
          children.push(child);
          const start: ToResponder = {
            type: 'start',
            hosts: slice,
            clientPublicKey: client.public,
            cloned: o.cloned ?? false,
            delayMs: o.delayMs ?? 0,
          };
          child.send(start);
          return reply<ReadyMessage>(child, 'ready');
        }),
      );
      const known: string[] = [];
      slices.forEach((slice, w) =>
        slice.forEach((h, i) => known.push(`${h.port === 22 ? h.address : `[${h.address}]:${h.port}`} ${readies[w]!.publicKeys[i]!}`)),
      );
      const knownHostsPath = path.join(dir, 'known_hosts');
      writeFileSync(knownHostsPath, known.join('\n') + '\n');
      const inventoryPath = writeInventory(hosts, { dir: path.join(dir, 'inventory'), keyPath });
      return new SyntheticFleet({
        hosts,
        dir,
        inventoryPath,
        knownHostsPath,
        keyPath,
        children,
        timings: {
          keygenMs: readies.reduce((s, r) => s + r.keygenMs, 0),
          listenMs: Math.max(...readies.map((r) => r.listenMs)),
          totalMs: performance.now() - t0,
        },
      });
    } catch (e) {
      for (const c of children) c.kill();
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** CPU (user+sys) and memory of the responder processes since they started, summed. */
  async usage(): Promise<ResponderUsage> {
    const us = await Promise.all(
      this.#children.map((c) => {
        c.send({ type: 'usage' } satisfies ToResponder);
        return reply<UsageMessage>(c, 'usage');
      }),
    );
    return {
      cpuMs: us.reduce((s, u) => s + (u.userUs + u.systemUs) / 1000, 0),
      rssBytes: us.reduce((s, u) => s + u.rssBytes, 0),
      connections: us.reduce((s, u) => s + u.connections, 0),
      execs: us.reduce((s, u) => s + u.execs, 0),
    };
  }

  async down(): Promise<void> {
    await Promise.all(
      this.#children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill();
          }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function reply<T extends FromResponder>(child: ChildProcess, type: T['type']): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: FromResponder) => {
      if (m.type === 'error') return done(() => reject(new Error(`synthetic responder: ${m.message}`)));
      if (m.type === type) done(() => resolve(m as T));
    };
    const onExit = (code: number | null) => done(() => reject(new Error(`synthetic responder exited (${code}) before answering`)));
    const done = (f: () => void) => {
      child.off('message', onMessage);
      child.off('exit', onExit);
      f();
    };
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}
