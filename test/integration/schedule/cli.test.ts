/** `fleet schedule …` and `fleet daemon --systemd-unit` as a user runs them (the built CLI). */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, fleet } from '../../helpers/cli.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-schedcli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SECRET = 'T0K3N-s3cr3t';
writeFileSync(
  path.join(tmp, 'fleet.schedule.yml'),
  `schedules:
  - name: nightly
    playbook: health-check
    inventory: "hv1,hv2,"
    cron: "30 2 * * *"
    timezone: Europe/Berlin
    notify:
      webhook: https://hooks.example.invalid/services/${SECRET}
  - name: quarter
    playbook: health-check
    inventory: "hv1,"
    every: 15m
`,
);

describe('fleet schedule', () => {
  it('validate: ok, and a broken file is exit 1 with file:line', async () => {
    const ok = await fleet(['schedule', 'validate'], { cwd: tmp });
    expect(ok).toMatchObject({ code: 0, stderr: '' });
    expect(ok.stdout).toMatch(/2 schedules ok \(nightly, quarter\)/);
    writeFileSync(
      path.join(tmp, 'bad.yml'),
      'schedules:\n  - name: x\n    playbook: health-check\n    inventory: a\n    cron: "61 * * * *"\n',
    );
    const bad = await fleet(['schedule', 'validate', 'bad.yml'], { cwd: tmp });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`fleet: ${path.join(tmp, 'bad.yml')}:5: cron '61 * * * *': Invalid value for minute: 61\n`);
  });

  it('next: across the Europe/Berlin DST changes', async () => {
    const spring = await fleet(['schedule', 'next', 'nightly', '-n', '3', '--from', '2027-03-27T00:00:00Z'], { cwd: tmp });
    expect(spring.stdout).toBe(
      [
        'nightly: cron 30 2 * * * (Europe/Berlin)',
        '  Sat 2027-03-27 02:30:00 +01:00  2027-03-27T01:30:00Z',
        '  Sun 2027-03-28 03:00:00 +02:00  2027-03-28T01:00:00Z',
        '  Mon 2027-03-29 02:30:00 +02:00  2027-03-29T00:30:00Z',
        '',
      ].join('\n'),
    );
    const autumn = await fleet(['schedule', 'next', 'nightly', '-n', '3', '--from', '2027-10-30T00:00:00Z'], { cwd: tmp });
    expect(autumn.stdout).toContain(
      '  Sun 2027-10-31 02:30:00 +02:00  2027-10-31T00:30:00Z\n  Mon 2027-11-01 02:30:00 +01:00  2027-11-01T01:30:00Z\n',
    );
    const typo = await fleet(['schedule', 'next', 'nightlly'], { cwd: tmp });
    expect(typo).toMatchObject({ code: 1, stderr: expect.stringMatching(/no schedule named 'nightlly' \(did you mean nightly\?\)/) });
  });

  it('list: masks the webhook', async () => {
    const r = await fleet(['schedule', 'list'], { cwd: tmp });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^NAME +PLAYBOOK +WHEN +NEXT FIRE +LAST RUN +OUTCOME +NOTIFY$/m);
    // No results DB here yet: no last run.
    expect(r.stdout).toMatch(
      /nightly +health-check +cron 30 2 \* \* \* \(Europe\/Berlin\) .* - +- +https:\/\/hooks\.example\.invalid\/\*{8}/,
    );
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('install --systemd writes the units; --cron prints a line; the daemon prints its unit', async () => {
    const dir = path.join(tmp, 'units');
    const r = await fleet(['schedule', 'install', 'nightly', '--systemd', '--dir', dir], { cwd: tmp });
    expect(r.code).toBe(0);
    const timer = readFileSync(path.join(dir, 'fleet-schedule-nightly.timer'), 'utf8');
    expect(timer).toContain('OnCalendar=*-*-* 02:30:00 Europe/Berlin\n');
    expect(readFileSync(path.join(dir, 'fleet-schedule-nightly.service'), 'utf8')).toContain(
      `${path.join(ROOT, 'bin/fleet.js')} schedule run nightly --schedule ${path.join(tmp, 'fleet.schedule.yml')}\n`,
    );
    const cron = await fleet(['schedule', 'install', 'quarter', '--cron'], { cwd: tmp });
    expect(cron.stdout).toMatch(/^\*\/15 \* \* \* \* .*schedule run quarter --schedule /m);
    const neither = await fleet(['schedule', 'install', 'quarter'], { cwd: tmp });
    expect(neither).toMatchObject({ code: 1, stderr: 'fleet: give one of --systemd or --cron\n' });
    expect(existsSync(path.join(dir, 'fleet-schedule-quarter.timer'))).toBe(false);
    const unit = await fleet(['daemon', '--systemd-unit', '--grace', '2m'], { cwd: tmp });
    expect(unit.stdout).toMatch(/ExecStart=.* daemon --schedule .*\nExecReload=\/bin\/kill -HUP \$MAINPID\n[\s\S]*TimeoutStopSec=150s/);
  });
});
