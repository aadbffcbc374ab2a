/**
 * systemd itself checks what `fleet schedule install --systemd` and `fleet daemon --systemd-unit`
 * generate: `systemd-analyze verify` on the units (unknown or unparsable settings, missing binaries),
 * and `systemd-analyze calendar` on every OnCalendar= value, whose next elapses must be the fire
 * times croner computes for the cron expression (outside DST changes, where the two differ: see
 * README). Needs systemd (installed by .ci/install-deps), not systemd as PID 1.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { playbookLookup } from '../../../src/cli/schedule-file.js';
import { nextFires } from '../../../src/schedule/fires.js';
import { loadScheduleFile } from '../../../src/schedule/parse.js';
import { daemonService, scheduleService, scheduleTimer, unitBaseName } from '../../../src/schedule/systemd-units.js';
import { ROOT } from '../../helpers/cli.js';

const run = promisify(execFile);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-units-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CMD = {
  launcher: [process.execPath, path.join(ROOT, 'bin/fleet.js')],
  scheduleFile: path.join(tmp, 's.yml'),
  db: path.join(tmp, 'f.db'),
};
const BASE = new Date('2027-06-01T00:00:00Z');

/** The next `n` elapses systemd computes for one OnCalendar= value, after BASE. */
async function systemdElapses(spec: string, n: number): Promise<string[]> {
  const { stdout } = await run('systemd-analyze', ['calendar', `--iterations=${n}`, `--base-time=@${BASE.getTime() / 1000}`, spec], {
    env: { ...process.env, TZ: 'UTC' },
  });
  return [...stdout.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) UTC/g)].map(
    (m) => `${(m[1] ?? '').replace(' ', 'T')}.000Z`,
  );
}

describe('generated systemd units', async () => {
  const schedules = await loadScheduleFile(path.join(ROOT, 'test/fixtures/schedule/golden.schedule.yml'), playbookLookup);

  it('pass systemd-analyze verify, without a warning', async () => {
    const files: string[] = [];
    for (const s of schedules) {
      const base = path.join(tmp, unitBaseName(s));
      writeFileSync(`${base}.service`, scheduleService(s, CMD));
      writeFileSync(`${base}.timer`, scheduleTimer(s, CMD));
      files.push(`${base}.service`, `${base}.timer`);
    }
    writeFileSync(path.join(tmp, 'fleet-daemon.service'), daemonService(CMD, 60_000));
    files.push(path.join(tmp, 'fleet-daemon.service'));
    const r = await run('systemd-analyze', ['verify', '--man=no', ...files], { cwd: tmp }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect('stderr' in r ? r.stderr : '').toBe('');
  });

  it('a broken unit is caught (the check can fail)', async () => {
    const f = path.join(tmp, 'broken.timer');
    writeFileSync(f, '[Timer]\nOnCalendar=*-*-* 25:00:00\n');
    await expect(run('systemd-analyze', ['verify', '--man=no', f])).rejects.toMatchObject({ stderr: expect.stringMatching(/calendar/) });
  });

  it.each(schedules.filter((s) => /OnCalendar=/.test(scheduleTimer(s, CMD))).map((s) => [s.name, s] as const))(
    '%s: systemd elapses = croner fires',
    async (_n, s) => {
      const specs = [...scheduleTimer(s, CMD).matchAll(/^OnCalendar=(.*)$/gm)].map((m) => m[1] ?? '');
      const n = 8;
      const fromSystemd = [...new Set((await Promise.all(specs.map((c) => systemdElapses(c, n)))).flat())].sort().slice(0, n);
      // Both are strictly after the base time (BASE is midnight, a fire time of most of these).
      const fromCroner = nextFires(s.trigger, BASE, n).map((d) => d.toISOString());
      expect(fromSystemd).toEqual(fromCroner);
    },
  );

  it('differ on a DST gap: systemd skips a time that does not exist, croner runs it after the gap', async () => {
    const spec = '*-*-* 02:30:00 Europe/Berlin';
    const { stdout } = await run('systemd-analyze', ['calendar', '--iterations=2', '--base-time=@1806105600', spec], {
      env: { ...process.env, TZ: 'UTC' },
    }); // base 2027-03-27T00:00Z
    expect(stdout).toMatch(/Next elapse: Sat 2027-03-27 01:30:00 UTC[\s\S]*Iter\. #2: Mon 2027-03-29 00:30:00 UTC/);
    const croner = nextFires({ kind: 'cron', expr: '30 2 * * *', timezone: 'Europe/Berlin' }, new Date('2027-03-27T00:00:00Z'), 2);
    expect(croner.map((d) => d.toISOString())).toEqual(['2027-03-27T01:30:00.000Z', '2027-03-28T01:00:00.000Z']);
  });

  it('keeps the golden files in sync with what verify checked', () => {
    // The golden files differ from these units only in the launcher and paths.
    const s = schedules[0]!;
    const golden = readFileSync(path.join(ROOT, 'test/fixtures/schedule/golden', `${unitBaseName(s)}.timer`), 'utf8');
    expect(golden.replace(/^# Schedule.*$/m, '')).toBe(scheduleTimer(s, CMD).replace(/^# Schedule.*$/m, ''));
  });
});
