/**
 * The units and crontab lines generated for test/fixtures/schedule/golden.schedule.yml, kept as
 * golden files. Regenerate after an intended change with
 *   UPDATE_GOLDEN=1 npx vitest run --config test/vitest.config.ts test/unit/schedule/golden.test.ts
 * and review the diff. test/integration/schedule/systemd-verify.test.ts checks them with systemd itself.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { playbookLookup } from '../../../src/cli/schedule-file.js';
import { crontabLines } from '../../../src/schedule/crontab.js';
import { loadScheduleFile } from '../../../src/schedule/parse.js';
import { daemonService, scheduleService, scheduleTimer, unitBaseName, type FleetCommand } from '../../../src/schedule/systemd-units.js';

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/schedule');
const GOLDEN = path.join(FIXTURES, 'golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const CMD: FleetCommand = {
  launcher: ['/usr/bin/node', '/opt/fleet/bin/fleet.js'],
  scheduleFile: '/etc/fleet/fleet.schedule.yml',
  db: '/var/lib/fleet/fleet.db',
};

function golden(name: string, text: string): void {
  const file = path.join(GOLDEN, name);
  if (UPDATE) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, text);
  }
  expect(existsSync(file), `${file} missing: run with UPDATE_GOLDEN=1`).toBe(true);
  expect(text).toBe(readFileSync(file, 'utf8'));
}

const crontabOrError = (fn: () => string) => {
  try {
    return fn();
  } catch (err) {
    return `# refused: ${(err as Error).message}\n`;
  }
};

describe('generated units and crontab lines', async () => {
  const schedules = await loadScheduleFile(path.join(FIXTURES, 'golden.schedule.yml'), playbookLookup);

  it.each(schedules.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const base = unitBaseName(s);
    golden(`${base}.service`, scheduleService(s, CMD));
    golden(`${base}.timer`, scheduleTimer(s, CMD));
    golden(
      `${s.name}.crontab`,
      crontabOrError(() => crontabLines(s, CMD)),
    );
  });

  it('the daemon unit', () => {
    golden('fleet-daemon.service', daemonService(CMD, 60_000));
  });

  it('quotes paths with spaces and escapes % and $ in ExecStart', () => {
    const s = schedules[0]!;
    const unit = scheduleService(s, { launcher: ['/opt/my fleet/fleet'], scheduleFile: '/etc/fleet/50%$.yml', db: undefined });
    expect(unit).toContain('ExecStart="/opt/my fleet/fleet" schedule run nightly-berlin --schedule "/etc/fleet/50%%$$.yml"\n');
    expect(() => scheduleService(s, { launcher: ['/opt/fleet\nExecStartPre=/bin/sh'], scheduleFile: '/f', db: undefined })).toThrow(
      /control character/,
    );
  });
});
