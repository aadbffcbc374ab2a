import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { playbookLookup } from '../../../src/cli/schedule-file.js';
import { parseSchedules } from '../../../src/schedule/parse.js';
import { parseScheduleYaml } from '../../../src/schedule/yaml-load.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const HEALTH = path.join(ROOT, 'playbooks/health-check.yml');
const REMEDIATION = path.join(ROOT, 'playbooks/bridge-remediation.yml');
const FILE = path.join(ROOT, 'schedules/test.schedule.yml');

const parse = (text: string) => parseSchedules(parseScheduleYaml(FILE, text), playbookLookup);

const one = (extra: string, playbook = HEALTH) =>
  `schedules:\n  - name: s1\n    playbook: ${playbook}\n    inventory: ../inventory/example\n${extra}`;

async function errorOf(text: string): Promise<string> {
  try {
    await parse(text);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected the schedule file to be refused');
}

describe('schedule file', () => {
  it('parses every field, paths relative to the file', async () => {
    const [s] = await parse(
      one(`    limit: dc1
    extra_vars: { bridge: br1 }
    tags: [bridge, netfilter]
    skip_tags: config.drift
    cron: "0 */2 * * *"
    timezone: Europe/Berlin
    jitter: 90s
    report: ../reports/s1.html
    retention: { keep_runs: 100, keep_days: 7, min_kept: 3 }
    overlap: queue
    missed: run-once
    notify:
      webhook: [https://hooks.example.invalid/T/B/secret]
      command: [/bin/cat]
      timeout: 5s
      retries: 2
      after: 3
      remind: 24h
`),
    );
    expect(s).toMatchObject({
      name: 's1',
      playbookFile: HEALTH,
      inventories: [path.join(ROOT, 'inventory/example')],
      limit: 'dc1',
      extraVars: ['{"bridge":"br1"}'],
      tags: ['bridge', 'netfilter'],
      skipTags: ['config.drift'],
      trigger: { kind: 'cron', expr: '0 */2 * * *', timezone: 'Europe/Berlin' },
      jitterMs: 90_000,
      fix: false,
      report: path.join(ROOT, 'reports/s1.html'),
      retention: { keepRuns: 100, keepDays: 7, minKept: 3 },
      overlap: 'queue',
      missed: 'run-once',
      notify: {
        channels: [
          { kind: 'webhook', url: 'https://hooks.example.invalid/T/B/secret' },
          { kind: 'command', argv: ['/bin/cat'] },
        ],
        timeoutMs: 5000,
        retries: 2,
        after: 3,
        remindMs: 86_400_000,
      },
    });
  });

  it('has safe defaults: read-only, skip overlaps and missed runs, no notifications', async () => {
    const [s] = await parse(one('    every: 15m\n'));
    expect(s).toMatchObject({ fix: false, overlap: 'skip', missed: 'skip', jitterMs: 0, notify: undefined });
    expect(s?.trigger).toEqual({ kind: 'every', everyMs: 900_000, text: '15m' });
  });

  it('accepts 6-field cron and nicknames', async () => {
    await expect(parse(one('    cron: "30 0 * * * *"\n'))).resolves.toHaveLength(1);
    await expect(parse(one('    cron: "@daily"\n'))).resolves.toHaveLength(1);
  });

  it.each([
    ['    cron: "61 * * * *"\n', /test\.schedule\.yml:5: cron '61 \* \* \* \*': .*minute: 61/],
    ['    cron: "* * * *"\n', /:5: cron '\* \* \* \*': a cron expression has 5 fields .* not 4/],
    ['    cron: "0 * * * *"\n    timezone: Europe/Berlinn\n', /:6: unknown time zone 'Europe\/Berlinn'/],
    ['    every: 15 min\n', /:5: every: '15 min' is not a duration/],
    ['    every: 1h\n    jitter: soon\n', /:6: jitter: 'soon' is not a duration/],
    ['    every: 1h\n    overlaps: skip\n', /:6: unknown schedule key 'overlaps' \(did you mean overlap\?\)/],
    ['    every: 1h\n    overlap: wait\n', /:6: overlap must be one of skip, queue, not 'wait'/],
    ['    every: 1h\n    cron: "0 * * * *"\n', /give cron or every, not both/],
    ['    every: 1h\n    retention: { keep_run: 3 }\n', /:6: unknown retention key 'keep_run' \(did you mean keep_runs\?\)/],
    ['    every: 1h\n    notify: { webhook: "not a url/secret" }\n', /:6: webhook is not a URL$/],
    ['    timezone: UTC\n', /:2: schedule 's1' needs cron .* or every/],
  ])('refuses %j with file:line', async (extra, re) => {
    expect(await errorOf(one(extra))).toMatch(re);
  });

  it('refuses an unknown playbook at its line', async () => {
    expect(await errorOf(one('    every: 1h\n', 'no-such-playbook'))).toMatch(
      /test\.schedule\.yml:3: no playbook named 'no-such-playbook'/,
    );
  });

  it('runs a remediation playbook unattended only with fix: true', async () => {
    expect(await errorOf(one('    every: 1h\n', REMEDIATION))).toMatch(/:3: .*remediation playbook .*needs `fix: true`/);
    const [s] = await parse(one('    every: 1h\n    fix: true\n', REMEDIATION));
    expect(s?.fix).toBe(true);
  });

  it('refuses duplicate names and names unfit for unit files', async () => {
    const twice = `${one('    every: 1h\n')}  - name: s1\n    playbook: ${HEALTH}\n    inventory: x\n    every: 2h\n`;
    expect(await errorOf(twice)).toMatch(/:6: schedule 's1' is declared twice \(first at line 2\)/);
    expect(await errorOf(one('    every: 1h\n').replace('name: s1', 'name: "a b"'))).toMatch(/:2: schedule name 'a b' may use/);
  });

  it('names the line of a YAML syntax error, and refuses alias bombs before expanding them', async () => {
    expect(await errorOf('schedules:\n  - name: [\n')).toMatch(/test\.schedule\.yml:\d+: invalid YAML/);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (const [i, n] of ['b', 'c', 'd', 'e', 'f', 'g'].entries()) {
      const prev = i === 0 ? 'a' : (['b', 'c', 'd', 'e', 'f'][i - 1] ?? 'a');
      bomb.push(`${n}: &${n} [${Array(10).fill(`*${prev}`).join(', ')}]`);
    }
    expect(await errorOf(`${bomb.join('\n')}\nschedules: []\n`)).toMatch(/aliases expand too far/);
  });

  it('a webhook URL never appears in an error', async () => {
    const msg = await errorOf(one('    every: 1h\n    notify: { webhook: "ftp://h/TOKEN123" }\n'));
    expect(msg).toMatch(/webhook must be http\(s\)/);
    expect(msg).not.toContain('TOKEN123');
  });
});
