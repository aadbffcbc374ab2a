import { describe, expect, it } from 'vitest';
import { buildRunJson } from '../../../src/report/run-json.js';
import { check, fleetCheck, host, run } from './rows.js';

describe('buildRunJson', () => {
  it('has the documented shape', () => {
    const doc = buildRunJson(
      run(),
      [host('hv1', 'failed', 'check failures'), host('hv2', 'unreachable', 'connect timeout'), host('hv3', 'changed')],
      [check('hv1', 'bridge.mtu', 'fail'), check('hv1', 'nic.link', 'pass'), check('hv3', 'bridge.mtu', 'pass', { fixStatus: 'fixed' })],
      [fleetCheck('fleet.duplicate-mac', 'fail', ['hv1', 'hv3'])],
    );
    expect(JSON.parse(JSON.stringify(doc))).toEqual({
      run_id: 7,
      playbook: 'health-check',
      status: 'failed',
      limit: null,
      started: '2025-01-02T03:04:05.000Z',
      finished: '2025-01-02T03:05:06.500Z',
      hosts: {
        hv1: {
          status: 'failed',
          changed: false,
          reason: 'check failures',
          checks: {
            'bridge.mtu': { status: 'fail', severity: 'high', message: 'bridge.mtu fail on hv1' },
            'nic.link': { status: 'pass', severity: 'high', message: 'nic.link pass on hv1' },
          },
        },
        hv2: { status: 'unreachable', changed: false, reason: 'connect timeout', checks: {} },
        hv3: {
          status: 'ok',
          changed: true,
          reason: null,
          checks: { 'bridge.mtu': { status: 'pass', severity: 'high', message: 'bridge.mtu pass on hv3', fix_status: 'fixed' } },
        },
      },
      fleet: { 'fleet.duplicate-mac': { status: 'fail', severity: 'high', hosts: ['hv1', 'hv3'], message: 'fleet.duplicate-mac fail' } },
    });
  });

  it('merges repeated results into one key (worst status) and keeps hostile keys as data', () => {
    const doc = buildRunJson(
      run(),
      [host('__proto__'), host('constructor')],
      [
        check('__proto__', 'a', 'pass', { message: 'one' }),
        check('__proto__', 'a', 'fail', { message: 'two', severity: 'critical' }),
        check('orphan', 'b', 'warn'),
      ],
      [fleetCheck('f', 'warn', ['x']), fleetCheck('f', 'fail', ['y', 'x'], { message: 'again' })],
    );
    const parsed = JSON.parse(JSON.stringify(doc)) as {
      hosts: Record<string, { checks: Record<string, unknown> }>;
      fleet: Record<string, unknown>;
    };
    expect(Object.keys(parsed.hosts)).toEqual(['__proto__', 'constructor', 'orphan']);
    expect(parsed.hosts['__proto__']!.checks['a']).toEqual({ status: 'fail', severity: 'critical', message: 'one\ntwo' });
    expect(parsed.fleet['f']).toEqual({ status: 'fail', severity: 'high', hosts: ['x', 'y'], message: 'f warn\nagain' });
  });
});
