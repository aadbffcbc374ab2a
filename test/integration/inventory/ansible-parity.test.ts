/**
 * Parity with the real ansible-core: for each fixture inventory, `ansible-inventory --list` and
 * `--graph` must equal fleet's inventoryListJson / inventoryGraph, and `ansible PATTERN --list-hosts`
 * must equal selectHosts/applyLimit. Requires ansible-core (tested with 2.14); fails, never skips,
 * when it is missing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Inventory } from '../../../src/core/inventory.js';
import { applyLimit, inventoryGraph, inventoryListJson, loadInventory, selectHosts } from '../../../src/inventory/index.js';

const run = promisify(execFile);
const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures/inventory');
/** Each ansible call takes 0.5-4 s on a busy 2-core machine. */
const SLOW = 30_000;
const INSTALL_HINT =
  'install ansible-core (apt-get install ansible-core, or pip install "ansible-core>=2.14,<2.15") to run the Ansible parity tests';

let home: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  // A scratch HOME and cwd so no user ansible.cfg, plugin dirs or caches take part.
  home = mkdtempSync(path.join(os.tmpdir(), 'fleet-ansible-home-'));
  writeFileSync(path.join(home, 'ansible.cfg'), '[defaults]\n');
  env = {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    ANSIBLE_CONFIG: path.join(home, 'ansible.cfg'),
    ANSIBLE_INVENTORY_UNPARSED_WARNING: 'False',
    ANSIBLE_LOCALHOST_WARNING: 'False',
    ANSIBLE_DEPRECATION_WARNINGS: 'False',
    ANSIBLE_NOCOLOR: '1',
    ANSIBLE_LOCAL_TEMP: path.join(home, 'tmp'),
    ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED: 'True',
  };
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

async function ansible(cmd: 'ansible-inventory' | 'ansible', args: string[]): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { cwd: home, env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error(`${cmd} not found: ${INSTALL_HINT}`);
    throw new Error(`${cmd} ${args.join(' ')} failed: ${err.stderr ?? err.message}`);
  }
}

const abs = (s: string) => (s.includes(',') ? s : path.join(FIXTURES, s));
const iArgs = (sources: string[]) => sources.flatMap((s) => ['-i', abs(s)]);
const load = (sources: string[]) => loadInventory(sources.map(abs), { cwd: home });

it(
  'runs against ansible-core 2.14',
  async () => {
    const version = await ansible('ansible-inventory', ['--version']);
    expect(version, 'the parity fixtures were written against ansible-core 2.14').toMatch(/^ansible-inventory \[core 2\.14\./);
  },
  SLOW,
);

const CASES: [string, string[]][] = [
  ['INI with ranges, pending children, group_vars/ dir and host_vars/', ['ini-dc/hosts.ini']],
  ['YAML with nested children, priorities, anchors and YAML 1.1 scalars', ['yaml-nested/hosts.yml']],
  ['directory mixing YAML, extension-less INI, a script and ignored files', ['mixed-dir']],
  ['script without _meta (--host per host)', ['scripts/no-meta.sh']],
  ['INI corners: empty groups, magic var names, group and host of one name', ['edge-cases/hosts']],
  ['two sources, each with its own group_vars/', ['ini-dc/hosts.ini', 'yaml-nested/hosts.yml']],
  ['directory + YAML + host list', ['mixed-dir', 'yaml-nested/hosts.yml', 'extra1.lab,hv01.dc1:2222,']],
];

describe.each(CASES)('%s', (_name, sources) => {
  it(
    '--list is identical',
    async () => {
      const theirs: unknown = JSON.parse(await ansible('ansible-inventory', [...iArgs(sources), '--list']));
      const ours: unknown = JSON.parse(JSON.stringify(inventoryListJson(await load(sources), { maskSecrets: false })));
      // Deep equality ignores key order; host and children lists keep Ansible's (defined) order.
      expect(ours).toEqual(theirs);
    },
    SLOW,
  );

  it(
    '--graph is identical',
    async () => {
      const theirs = await ansible('ansible-inventory', [...iArgs(sources), '--graph']);
      expect(inventoryGraph(await load(sources))).toBe(theirs.trimEnd());
    },
    SLOW,
  );
});

describe('host patterns and --limit match `ansible PATTERN --list-hosts`', () => {
  const SOURCE = ['ini-dc/hosts.ini'];
  let inv: Inventory;
  beforeAll(async () => {
    inv = await load(SOURCE);
  });

  async function ansibleHosts(pattern: string, limit?: string): Promise<string[]> {
    const out = await ansible('ansible', [pattern, ...iArgs(SOURCE), '--list-hosts', ...(limit ? ['--limit', limit] : [])]);
    return out
      .split('\n')
      .slice(1)
      .map((l) => l.trim())
      .filter(Boolean);
  }

  // Ansible orders hosts of grandchild groups through a Python set; where that matters, compare as sets.
  const CASES: [pattern: string, limit: string | undefined, ordered: boolean][] = [
    ['all', undefined, false],
    ['hypervisors', undefined, true],
    ['dc2:storage', undefined, true],
    ['hypervisors:&storage', undefined, true],
    ['hypervisors:!dc1', undefined, true],
    ['!hypervisors', undefined, false],
    ['dc1[1:3]:dc2[-1]', undefined, true],
    ['hv0*', undefined, true],
    ['~hv-[ab]', undefined, true],
    ['dc*', undefined, true],
    ['hypervisors', 'storage:dc2[0]', true],
    ['all', '!dc1', false],
  ];
  it.each(CASES)(
    '%s (limit %s)',
    async (pattern, limit, ordered) => {
      const theirs = await ansibleHosts(pattern, limit);
      let ours = selectHosts(inv, pattern);
      if (limit) ours = applyLimit(inv, ours, limit, home);
      const names = ours.map((h) => h.name);
      expect(theirs.length).toBeGreaterThan(0);
      if (ordered) expect(names).toEqual(theirs);
      else expect([...names].sort()).toEqual([...theirs].sort());
    },
    SLOW,
  );
});
