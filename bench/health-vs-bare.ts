/**
 * Benchmark on the real-sshd simulated fleet: `fleet run health-check` (read-only) against the floor
 * (bench/bare-ssh.ts: one bare ssh2 connection + one exec of fleet's facts script per host) and,
 * with --ansible, against ansible-playbook running the equivalent playbook in bench/ansible/, all at
 * the same --forks. Each contender runs once unmeasured (warm-up; also checks it passes), then
 * `--rounds` rounds, each rotating which contender goes first; medians are reported. Wall time
 * and controller CPU per host: fleet and the floor run in this process (its user+sys); Ansible runs
 * in a cgroup of its own, so its CPU includes every process it starts (forks, ssh clients, the
 * ControlPersist masters that daemonize). Connections and exec channels per host are counted for
 * every run from the hosts' own sshd logs (LogLevel VERBOSE: "Accepted publickey" per connection,
 * "Starting session" per channel). --netem-ms N delays every host's management link N ms each way
 * (the simulator's `netem` fault) before measuring, and first checks on one host that it does. On
 * kernels without sch_netem the simulator does that with a relay in each host, which delays every
 * byte but not the TCP handshake: one round trip per connection less than a real delayed link.
 *
 *   npm run bench -- health-vs-bare [--hosts 20,200] [--rounds 3] [--forks 50] [--ansible]
 *                                   [--ansible-rounds N] [--netem-ms 25] [--out bench/results/FILE.md]
 *
 * --hosts takes a comma-separated list (one simulated fleet per size). --no-warmup skips the
 * warm-up runs of fleet and the floor (Ansible never gets one: no JIT to warm, a fresh ControlPath
 * per run anyway). --ansible-rounds N lets Ansible take part in the first N rounds only: one of its
 * runs at 200 hosts takes 12-18 minutes on 2 cores.
 * --ansible needs Debian's ansible-core (`apt-get install ansible-core`); nothing else does.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pLimit from 'p-limit';
import { bareLoop } from './bare-ssh.js';
import { runInCpuGroup } from './cgroup-cpu.js';
import { arg, machine, median, runBench, withSimFleet } from './lib.js';
import { probeLink, type LinkProbe } from './link-probe.js';
import { main } from '../src/cli/main.js';
import { factsCommand } from '../src/facts/index.js';
import type { SimFleet } from '../test/fleet/sim-fleet.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const PLAYBOOK = path.join(ROOT, 'bench/ansible/health-check.yml');
const ANSIBLE_CFG = path.join(ROOT, 'bench/ansible/ansible.cfg');

type Contender = 'floor' | 'fleet' | 'ansible';
const LABEL: Record<Contender, string> = {
  floor: 'floor: bare ssh2 + facts script',
  fleet: 'fleet run health-check',
  ansible: 'ansible-playbook (bench/ansible)',
};

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Per host, from its sshd log during this run. */
  readonly conns: readonly number[];
  readonly chans: readonly number[];
}

interface SizeResult {
  readonly hosts: number;
  readonly samples: Map<Contender, Sample[]>;
  readonly link?: { readonly before: LinkProbe; readonly after: LinkProbe };
}

const has = (flag: string) => process.argv.includes(flag);
const s2 = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The `ansible-playbook --version` first line, or undefined after printing how to get it. */
function ansibleVersion(): string | undefined {
  const r = spawnSync('ansible-playbook', ['--version'], { encoding: 'utf8' });
  if (!r.error && r.status === 0) return r.stdout.split('\n')[0]!.trim();
  process.stderr.write(
    `health-vs-bare --ansible: ansible-playbook not found or broken (${r.error?.message ?? `exit ${r.status}`}): apt-get install ansible-core\n`,
  );
  return undefined;
}

/** Throws unless the run exited 0 and its recap shows every host ok (none unreachable or failed). */
function checkRecap(out: string, code: number | null, hosts: number): void {
  const recap = [...out.matchAll(/^(\S+)\s+: ok=\d+\s+changed=\d+\s+unreachable=(\d+)\s+failed=(\d+)/gm)];
  const bad = recap.filter((m) => m[2] !== '0' || m[3] !== '0').map((m) => m[1]);
  if (code === 0 && recap.length === hosts && bad.length === 0) return;
  const first = /^(fatal|failed|ERROR).*$/m.exec(out)?.[0].slice(0, 300) ?? out.trim().split('\n').slice(-3).join(' | ');
  throw new Error(
    `ansible-playbook exited ${code}, recap has ${recap.length}/${hosts} hosts, not ok: ${bad.slice(0, 5).join(' ') || 'none'}; first error: ${first}`,
  );
}

/** Marks the hosts' sshd logs; the returned function counts what was logged since, per host. */
function markLogs(sim: SimFleet): () => Promise<{ conns: number[]; chans: number[] }> {
  const logs = sim.hosts.map((h) => path.join(sim.dir, h.name, 'sshd.log'));
  const sizes = logs.map((l) => statSync(l).size);
  return async () => {
    await new Promise((r) => setTimeout(r, 300)); // sshd writes its lines as it goes; let the last ones land
    const added = logs.map((l, i) => readFileSync(l, 'utf8').slice(sizes[i]));
    const conns = added.map((a) => (a.match(/Accepted publickey/g) ?? []).length);
    // Every host was contacted: a zero here means the logs are not being written, not a free lunch.
    if (conns.some((c) => c === 0))
      throw new Error(`sshd logs show no connection for some hosts (is sshd started with -e? see ${logs[0]})`);
    return { conns, chans: added.map((a) => (a.match(/Starting session/g) ?? []).length) };
  };
}

async function netem(sim: SimFleet, delayMs: number, key: Buffer): Promise<{ before: LinkProbe; after: LinkProbe }> {
  const h0 = sim.hosts[0]!;
  const before = await probeLink(h0.address, h0.port, key);
  const limit = pLimit(8);
  await Promise.all(sim.hosts.map((h) => limit(() => sim.inject(h.name, 'netem', { delayMs }))));
  const after = await probeLink(h0.address, h0.port, key);
  // The round trip must have grown by about twice the delay, and the server→client trip visibly:
  // the banner time also carries sshd's fork and exec per connection, which varies by tens of ms on
  // a loaded machine (+18 ms was seen for a 25 ms delay that the round trip showed in full).
  const down = after.bannerMs - before.bannerMs;
  const rtt = after.roundTripMs - before.roundTripMs;
  if (down < 0.5 * delayMs || rtt < 1.6 * delayMs) {
    throw new Error(`--netem-ms ${delayMs}: ${h0.name} shows +${down.toFixed(0)} ms server→client and +${rtt.toFixed(0)} ms round trip`);
  }
  return { before, after };
}

async function oneSize(
  hosts: number,
  rounds: number,
  forks: number,
  contenders: readonly Contender[],
  netemMs: number,
  ansibleRounds: number,
): Promise<SizeResult> {
  const samples = new Map<Contender, Sample[]>(contenders.map((c) => [c, []]));
  let link: SizeResult['link'];
  await withSimFleet({ prefix: 'bhc', count: hosts }, async (sim, tmp) => {
    const key = readFileSync(sim.keyPath);
    if (netemMs > 0) link = await netem(sim, netemMs, key);
    const targets = sim.hosts.map((h) => ({ address: h.address, port: h.port, command: factsCommand({ libvirtUri: h.libvirtUri }) }));
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    let n = 0;
    const inProcess = async (fn: () => Promise<void>) => {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await fn();
      const c = process.cpuUsage(cpu0);
      return { wallMs: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
    };
    const runs: Record<Contender, () => Promise<{ wallMs: number; cpuMs: number }>> = {
      floor: () =>
        inProcess(async () => {
          const r = await bareLoop(targets, key, forks);
          if (r.failed) throw new Error(`bare loop: ${r.failed} hosts failed (${r.firstError})`);
        }),
      fleet: () =>
        inProcess(async () => {
          const args = ['run', 'health-check', '-i', sim.inventoryPath, '--known-hosts', sim.knownHostsPath];
          args.push('--db', path.join(tmp, `r${n++}.db`), '--forks', String(forks), '--json');
          const env = { ...process.env, FLEET_DB: '' };
          const code = await main(args, { stdout: sink, stderr: sink, stderrIsTTY: false, env, cwd: tmp });
          if (code !== 0) throw new Error(`fleet run health-check exited ${code}`);
        }),
      ansible: async () => {
        // A short, fresh ControlPath directory per run: no run reuses another's connections.
        const cp = mkdtempSync('/tmp/acp-');
        const outFile = path.join(tmp, `ansible-${n++}.log`);
        try {
          const args = ['-i', sim.inventoryPath, '-f', String(forks), PLAYBOOK];
          const env = { ...process.env, ANSIBLE_CONFIG: ANSIBLE_CFG, ANSIBLE_SSH_CONTROL_PATH_DIR: cp };
          const r = await runInCpuGroup('ansible-playbook', args, { outFile, env, name: 'ansible' });
          checkRecap(readFileSync(outFile, 'utf8'), r.code, hosts);
          return r;
        } finally {
          rmSync(cp, { recursive: true, force: true });
        }
      },
    };
    console.log(`# ${hosts} simulated hosts up in ${s2(sim.timings.total)}; load ${os.loadavg()[0]!.toFixed(1)}; --forks ${forks}`);
    if (link) console.log(`# netem ${netemMs} ms: ${probeLine(link)}`);
    // Ansible gets no warm-up: it has no JIT to warm, and each of its runs starts with a fresh
    // ControlPath anyway. At 200 hosts one of its runs takes many minutes.
    for (const c of has('--no-warmup') ? [] : contenders.filter((x) => x !== 'ansible')) {
      const t = await runs[c](); // warm-up (JIT, page cache, sshd) and a check that it passes
      console.log(`warm-up ${c}: ${s2(t.wallMs)}`);
    }
    for (let i = 0; i < rounds; i++) {
      const order = contenders.map((_, j) => contenders[(i + j) % contenders.length]!);
      const line: string[] = [];
      for (const c of order) {
        if (c === 'ansible' && i >= ansibleRounds) continue;
        const counted = markLogs(sim);
        const t = await runs[c]();
        samples.get(c)!.push({ ...t, ...(await counted()) });
        line.push(`${c} ${s2(t.wallMs)} (CPU ${s2(t.cpuMs)})`);
      }
      console.log(`round ${i + 1}/${rounds}: ${line.join(', ')}`);
    }
  });
  return link ? { hosts, samples, link } : { hosts, samples };
}

function probeLine(l: { before: LinkProbe; after: LinkProbe }): string {
  const f = (k: keyof LinkProbe) => `${l.before[k].toFixed(0)} → ${l.after[k].toFixed(0)} ms`;
  return `on the first host, sshd banner (server→client) ${f('bannerMs')}, junk line → close (round trip) ${f('roundTripMs')}, floor's ssh2 handshake ${f('handshakeMs')}`;
}

function table(results: readonly SizeResult[]): string {
  const rows = [
    '| hosts | contender | runs | wall (median) | controller CPU per host (median) | connections per host | exec channels per host |',
    '|---:|---|---:|---:|---:|---:|---:|',
  ];
  const ratios: string[] = [];
  const range = (xs: readonly number[]) => {
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    return lo === hi ? String(lo) : `${lo}–${hi}`;
  };
  for (const r of results) {
    const med = (c: Contender, k: 'wallMs' | 'cpuMs') => median(r.samples.get(c)?.map((s) => s[k]) ?? [NaN]);
    for (const [c, ss] of r.samples) {
      rows.push(
        `| ${r.hosts} | ${LABEL[c]} | ${ss.length} | ${s2(med(c, 'wallMs'))} | ${(med(c, 'cpuMs') / r.hosts).toFixed(1)} ms | ${range(ss.flatMap((s) => s.conns))} | ${range(ss.flatMap((s) => s.chans))} |`,
      );
    }
    const ratio = (a: Contender, b: Contender) =>
      `${a}/${b} ${(med(a, 'wallMs') / med(b, 'wallMs')).toFixed(2)}× wall, ${(med(a, 'cpuMs') / med(b, 'cpuMs')).toFixed(2)}× CPU`;
    ratios.push(`- ${r.hosts} hosts: ${ratio('fleet', 'floor')}${r.samples.has('ansible') ? `; ${ratio('ansible', 'fleet')}` : ''}`);
    if (r.link) ratios.push(`  - netem check: ${probeLine(r.link)}`);
  }
  return [...rows, '', ...ratios].join('\n');
}

async function run(): Promise<void> {
  const sizes = arg('--hosts', '50').split(',').map(Number);
  const rounds = Number(arg('--rounds', '3'));
  const forks = Number(arg('--forks', '50'));
  const netemMs = Number(arg('--netem-ms', '0'));
  const ansibleRounds = Number(arg('--ansible-rounds', String(rounds)));
  const bad = [...sizes, rounds, forks, ansibleRounds].find((v) => !Number.isInteger(v) || v < 1);
  if (bad !== undefined || !(Number.isInteger(netemMs) && netemMs >= 0 && netemMs <= 10_000)) {
    process.stderr.write(
      'health-vs-bare: --hosts (a list), --rounds, --ansible-rounds and --forks must be positive integers, --netem-ms 0-10000\n',
    );
    process.exitCode = 1;
    return;
  }
  const contenders: Contender[] = has('--ansible') ? ['floor', 'fleet', 'ansible'] : ['floor', 'fleet'];
  const ansible = has('--ansible') ? ansibleVersion() : undefined;
  if (has('--ansible') && !ansible) {
    process.exitCode = 1;
    return;
  }
  const header = machine();
  const results: SizeResult[] = [];
  for (const n of sizes) results.push(await oneSize(n, rounds, forks, contenders, netemMs, ansibleRounds));
  const cmd = `npm run bench -- ${process.argv.slice(2).join(' ')}`;
  const doc = [
    `# fleet vs the floor${ansible ? ' vs Ansible' : ''} on the real-sshd simulated fleet (${new Date().toISOString().slice(0, 16)}Z)`,
    '',
    `Machine: ${header}.${ansible ? ` ${ansible}.` : ''}${has('--no-warmup') ? ' No warm-up runs.' : ''}`,
    `Command: \`${cmd}\` — medians of ${rounds} round(s)${ansible && ansibleRounds < rounds ? ` (Ansible in the first ${ansibleRounds} only)` : ''}, contenders rotating which goes first, --forks ${forks}${netemMs ? `, ${netemMs} ms each way on every management link` : ''}. Connections and exec channels per host: every measured run, from the hosts' sshd logs (min–max).`,
    '',
    table(results),
    '',
  ].join('\n');
  console.log(`\n${doc}`);
  const out = arg('--out', '');
  if (out) {
    mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    writeFileSync(out, doc);
    console.log(`written to ${out}`);
  }
}

runBench(run);
