/**
 * The executor with fleet's REAL built-in checks and fix planner (src/checks), on facts recorded from
 * real hosts (test/fixtures/facts/*.raw, served by `cat` through the local shell instead of the
 * facts script).
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinCatalog } from '../../../src/playbook/catalog.js';
import { parsePlaybook } from '../../../src/playbook/load.js';
import { cleanup, playbookDir, runHarness, sourceTestDir } from './harness.js';

const FACTS = path.resolve(sourceTestDir(import.meta.dirname), '../../fixtures/facts');
const dirs: string[] = [];
afterEach(() => cleanup(...dirs.splice(0)));

function catalogServing(capture: string) {
  let runs = 0;
  const base = builtinCatalog();
  return {
    ...base,
    get factsRuns() {
      return runs;
    },
    factsCommand: () => {
      runs++;
      return `cat ${path.join(FACTS, `${capture}.raw`)}`;
    },
  };
}

describe('with the built-in catalog', () => {
  it('a typo in a check id fails validation with a suggestion', async () => {
    await expect(
      parsePlaybook('/pb/health.yml', '- hosts: all\n  tasks:\n    - check: bridge.ip-on-prot\n', { catalog: builtinCatalog() }),
    ).rejects.toThrow("/pb/health.yml:3: unknown check 'bridge.ip-on-prot' (did you mean bridge.ip-on-port?)");
  });

  it('the facts command is the real one-exec facts script, with the libvirt_uri host var', () => {
    const cmd = builtinCatalog().factsCommand({ libvirt_uri: 'test:///default' });
    expect(cmd.startsWith('sh -c ')).toBe(true);
    expect(cmd).toContain('test:///default');
    expect(builtinCatalog().factsCommand({})).toContain('qemu:///system');
  });

  it('reads check vars by their inventory (snake_case) names', () => {
    // A bad value proves the var is read: vm_network_mode must be bridge or nat.
    expect(() => builtinCatalog().runCheck('sysctl.ip-forward', {}, { inventory_hostname: 'hv09', vm_network_mode: 'routed' })).toThrow(
      /host hv09: vmNetworkMode must be "bridge" or "nat"/,
    );
  });

  it('a host with its IP on the bridge port fails bridge.ip-on-port; --check describes the built-in fix', async () => {
    const pb = playbookDir(`
- hosts: all
  tasks:
    - check: bridge.exists
    - check: bridge.ip-on-port
`);
    dirs.push(pb);
    const clean = await runHarness(path.join(pb, 'pb.yml'), { hosts: ['hv1'], catalog: catalogServing('clean') });
    dirs.push(clean.root);
    expect(clean.json.hosts['hv1']?.checks['bridge.ip-on-port']?.status).toBe('pass');

    const bad = await runHarness(path.join(pb, 'pb.yml'), {
      hosts: ['hv1'],
      catalog: catalogServing('ip-on-port'),
      run: { mode: 'check' },
    });
    dirs.push(bad.root);
    expect(bad.json.hosts['hv1']?.checks['bridge.ip-on-port']).toMatchObject({ status: 'fail', fix_status: 'would-fix' });
    const fix = bad.store.stepsOf('hv1').find((s) => s.stepId === 'bridge.ip-on-port:fix');
    expect(fix?.message).toMatch(/^would fix: /);
    expect(fix?.stdout).toMatch(/\bip\b/);
    expect(bad.json.hosts['hv1']?.status).toBe('failed');
  });
});
