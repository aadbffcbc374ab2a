/**
 * Does a long-running daemon grow? `npm run bench -- daemon-soak [--runs 500] [--at 50]`
 *
 * Starts the built `fleet daemon` with one schedule firing every second: a one-task playbook on a
 * local-connection host, with a report rewritten and retention pruning after each run, so every part
 * of a scheduled run is exercised. Samples the daemon's RSS and open file descriptors (from /proc)
 * after run `--at` and after run `--runs`, and prints both and their ratio (the target: within 10%).
 * Writes the figures to bench/results/daemon-soak-DATE.md.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { arg, runBench } from './lib.js';

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
          if (done === 1 || done === at || done % 100 === 0 || done === runs) {
            samples.push(sample(child.pid!, done));
            process.stderr.write(`run ${done}: RSS ${samples.at(-1)!.rssKiB} KiB, ${samples.at(-1)!.fds} fds\n`);
          }
          if (done === runs) child.kill('SIGTERM');
        }
      });
    });
    const a = samples.find((s) => s.run === at)!;
    const b = samples.find((s) => s.run === runs)!;
    const ratio = (x: number, y: number) => (y / x).toFixed(3);
    const lines = [
      `# daemon soak, ${new Date().toISOString().slice(0, 10)}`,
      '',
      `\`npm run bench -- daemon-soak --runs ${runs} --at ${at}\` on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}.`,
      `One schedule every 1 s: a one-task playbook on a local-connection host, report rewritten and retention (keep_runs 20) after each run. ${runs} runs in ${((Date.now() - t0) / 1000).toFixed(0)} s.`,
      '',
      '| run | RSS (KiB) | open fds |',
      '|---:|---:|---:|',
      ...samples.map((s) => `| ${s.run} | ${s.rssKiB} | ${s.fds} |`),
      '',
      `Run ${runs} vs run ${at}: RSS ×${ratio(a.rssKiB, b.rssKiB)}, fds ×${ratio(a.fds, b.fds)} (target: within 10%).`,
      '',
    ];
    process.stdout.write(lines.join('\n'));
    writeFileSync(path.join(ROOT, 'bench/results', `daemon-soak-${new Date().toISOString().slice(0, 10)}.md`), lines.join('\n'));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
