/**
 * Does a long-running daemon grow? `npm run bench -- daemon-soak [--runs 500] [--at 50]`
 *
 * Starts the built `fleet daemon` with one schedule firing every second: a one-task playbook on a
 * local-connection host, with a report rewritten and retention pruning after each run, so every part
 * of a scheduled run is exercised. Samples the daemon's RSS and open file descriptors (from /proc)
 * after every run and compares the median of the 20 runs from `--at` with the median of the last 20
 * (RSS moves with the garbage collector from one run to the next; a leak moves the median), and
 * prints both and their ratio (the target: within 10%).
 * Writes the figures to bench/results/daemon-soak-DATE.md.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { arg, median, runBench } from './lib.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Sample {
  run: number;
  rssKiB: number;
  fds: number;
  at: number;
}

function sample(pid: number, run: number): Sample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKiB = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  return { run, rssKiB, fds: readdirSync(`/proc/${pid}/fd`).length, at: Date.now() };
}

runBench(async () => {
  const runs = Number(arg('--runs', '500'));
  const at = Number(arg('--at', '50'));
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-bench-soak-'));
  try {
    writeFileSync(
      path.join(tmp, 'tiny.yml'),
      '- name: tiny\n  hosts: all\n  gather_facts: false\n  tasks:\n    - name: nothing\n      command: "true"\n      check_mode: false\n',
    );
    writeFileSync(
      path.join(tmp, 'fleet.schedule.yml'),
      [
        'schedules:',
        '  - name: soak',
        '    playbook: tiny.yml',
        '    inventory: "localhost,"',
        '    extra_vars: { ansible_connection: local }',
        '    every: 1s',
        '    report: soak.html',
        '    retention: { keep_runs: 20, min_kept: 5 }',
        '',
      ].join('\n'),
    );
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/fleet.js'), 'daemon', '--db', 'soak.db'], {
      cwd: tmp,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, FLEET_DB: '' },
    });
    const samples: Sample[] = [];
    let done = 0;
    let partial = '';
    const t0 = Date.now();
    await new Promise<void>((resolve, reject) => {
      child.on('exit', (code) => (done < runs ? reject(new Error(`daemon exited early (${code}) after ${done} runs`)) : resolve()));
      child.stderr.on('data', (d: Buffer) => {
        partial += d.toString('utf8');
        let i: number;
        while ((i = partial.indexOf('\n')) >= 0) {
          const line = partial.slice(0, i);
          partial = partial.slice(i + 1);
          if (!/^schedule=soak run=\d+ \w+ ok=/.test(line)) continue;
          done++;
          samples.push(sample(child.pid!, done));
          if (done === 1 || done === at || done % 100 === 0 || done === runs)
            process.stderr.write(`run ${done}: RSS ${samples.at(-1)!.rssKiB} KiB, ${samples.at(-1)!.fds} fds\n`);
          if (done === runs) child.kill('SIGTERM');
        }
      });
    });
    const window = (from: number) => samples.filter((s) => s.run >= from && s.run < from + 20);
    const med = (xs: Sample[], k: 'rssKiB' | 'fds') => median(xs.map((s) => s[k]));
    const early = window(at);
    const late = window(runs - 19);
    const a = { rssKiB: med(early, 'rssKiB'), fds: med(early, 'fds') };
    const b = { rssKiB: med(late, 'rssKiB'), fds: med(late, 'fds') };
    const ratio = (x: number, y: number) => (y / x).toFixed(3);
    const shown = samples.filter((s) => s.run === 1 || s.run === at || s.run % 100 === 0);
    const lines = [
      `# daemon soak, ${new Date().toISOString().slice(0, 10)}`,
      '',
      `\`npm run bench -- daemon-soak --runs ${runs} --at ${at}\` on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}.`,
      `One schedule every 1 s: a one-task playbook on a local-connection host, report rewritten and retention (keep_runs 20) after each run. ${runs} runs in ${((Date.now() - t0) / 1000).toFixed(0)} s.`,
      '',
      '| run | RSS (KiB) | open fds |',
      '|---:|---:|---:|',
      ...shown.map((s) => `| ${s.run} | ${s.rssKiB} | ${s.fds} |`),
      '',
      `Medians of runs ${at}-${at + 19}: RSS ${a.rssKiB} KiB, ${a.fds} fds; of runs ${runs - 19}-${runs}: RSS ${b.rssKiB} KiB, ${b.fds} fds.`,
      `Ratio last/early: RSS ×${ratio(a.rssKiB, b.rssKiB)}, fds ×${ratio(a.fds, b.fds)} (target: within 10%).`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    writeFileSync(path.join(ROOT, 'bench/results', `daemon-soak-${new Date().toISOString().slice(0, 10)}.md`), lines.join('\n'));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
