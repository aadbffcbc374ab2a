/**
 * YAML that stands for far more than it says: a few nested aliases ("billion laughs": this 431-byte
 * playbook once took 50 s and 628 MB) or an alias inside its own anchor. Refused at load, with the
 * line, quickly; anchors used the ordinary way still load.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlaybookError } from '../../../src/core/errors.js';
import { parsePlaybook } from '../../../src/playbook/load.js';
import { makeInventory, selectHosts } from './harness.js';
import { testCatalog } from './test-catalog.js';

const inventory = makeInventory({ hv1: {} }, { hypervisors: ['hv1'] });
const opts = { catalog: testCatalog(), checkPattern: (p: string) => void selectHosts(inventory, p) };
const FILE = path.join('/nonexistent', 'bomb.yml');

/** Nine levels of nine aliases each: 9^9 (387 million) strings from a few hundred bytes. */
export const BILLION_LAUGHS = [
  '- hosts: all',
  '  vars:',
  '    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((c, i) => {
    const prev = 'abcdefgh'[i]!;
    return `    ${c}: &${c} [${Array(9).fill(`*${prev}`).join(',')}]`;
  }),
  '  tasks: []',
  '',
].join('\n');

async function errorOf(text: string): Promise<PlaybookError> {
  const started = Date.now();
  const err = await parsePlaybook(FILE, text, opts).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(Date.now() - started, 'time to refuse').toBeLessThan(2_000);
  expect(err).toBeInstanceOf(PlaybookError);
  expect((err as Error).message).not.toContain('\n');
  return err as PlaybookError;
}

describe('playbook YAML alias bombs', () => {
  it('refuses a billion-laughs playbook quickly, naming the line', async () => {
    expect(BILLION_LAUGHS.length).toBeLessThan(600);
    const err = await errorOf(BILLION_LAUGHS);
    expect(err.message).toMatch(/^\/nonexistent\/bomb\.yml:\d+: YAML aliases expand to more than [\d,]+ values/);
  }, 10_000);

  it('refuses an alias inside its own anchor', async () => {
    const err = await errorOf('- hosts: all\n  vars:\n    x: &x {loop: [*x]}\n  tasks: []\n');
    expect(err.message).toBe("/nonexistent/bomb.yml:3: YAML alias '*x' is used inside its own anchor '&x' (a loop)");
  });

  it('refuses nesting deeper than 100 levels, through aliases too', async () => {
    const deep = `- hosts: all\n  vars:\n    x: ${'['.repeat(150)}${']'.repeat(150)}\n  tasks: []\n`;
    expect((await errorOf(deep)).message).toMatch(/^\/nonexistent\/bomb\.yml:3: YAML nested more than 100 levels deep/);
    const anchored = [
      '- hosts: all',
      '  vars:',
      `    a: &a ${'['.repeat(60)}${']'.repeat(60)}`,
      `    b: ${'['.repeat(60)}*a${']'.repeat(60)}`,
      '  tasks: []',
      '',
    ];
    expect((await errorOf(anchored.join('\n'))).message).toMatch(/^\/nonexistent\/bomb\.yml:4: YAML nested more than 100 levels deep/);
  });

  it('still loads anchors and aliases used the ordinary way', async () => {
    const hosts = Array.from({ length: 300 }, (_, i) => `      h${i}: {net: *defaults, id: ${i}}`);
    const text = [
      '- hosts: all',
      '  vars:',
      '    defaults: &defaults {bridge: br0, mtu: 9000}',
      '    per_host:',
      ...hosts,
      '  tasks: []',
      '',
    ];
    const pb = await parsePlaybook(FILE, text.join('\n'), opts);
    const perHost = pb.plays[0]?.vars['per_host'] as Record<string, Record<string, unknown>>;
    expect(perHost['h299']).toEqual({ net: { bridge: 'br0', mtu: 9000 }, id: 299 });
  });
});
