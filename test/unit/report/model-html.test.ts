import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CheckStatus } from '../../../src/core/check.js';
import { contentSecurityPolicy, renderReportHtml } from '../../../src/report/html.js';
import { EVIDENCE_MAX, assembleReport, type ReportInput } from '../../../src/report/model.js';
import { pageAssets } from '../../../src/report/assets.js';

const PAGE_SCRIPT = pageAssets().script;
import type { CheckRow, HostRow } from '../../../src/store/types.js';
import { CATALOG, HOSTILE, hostNames, mulberry32 } from '../../fixtures/report/synthetic-fleet.js';
import { T0, check, data, fleetCheck, host, run } from './rows.js';

function input(over: Partial<ReportInput> = {}): ReportInput {
  return {
    data: data(
      [host('hv10', 'failed'), host('hv2', 'failed'), host('hv3', 'unreachable', HOSTILE.reason), host('hv1'), host('hv9', 'failed')],
      [
        check('hv10', 'b.two', 'fail'),
        check('hv10', 'a.one', 'pass'),
        check('hv2', 'a.one', 'fail'),
        check('hv2', 'b.two', 'error'),
        check('hv1', 'a.one', 'pass'),
        check('hv1', 'b.two', 'warn', { evidence: { big: 'x'.repeat(EVIDENCE_MAX * 2) } }),
        check('hv9', 'a.one', 'pass'),
        check('hv9', 'a.one', 'fail', { message: HOSTILE.message }),
      ],
      [fleetCheck('fleet.duplicate-mac', 'fail', ['hv1', 'hv2'], { message: HOSTILE.fleetMessage, evidence: HOSTILE.evidence })],
    ),
    facts: new Map([
      ['hv1', { groups: ['all', 'dc1', 'rack-a'], kernel: '6.1' }],
      ['hv2', { groups: ['dc1'], vms: [HOSTILE.vmName] }],
    ]),
    previous: null,
    history: [],
    trend: [
      run({ id: 5, startedAt: T0 - 2e6, hostCounts: { ok: 4, failed: 1 } }),
      run({ hostCounts: { ok: 1, failed: 3, unreachable: 1 } }),
    ],
    generatedAt: T0 + 3_600_000,
    ...over,
  };
}

describe('assembleReport', () => {
  const m = assembleReport(input());

  it('orders hosts failing first (most failing checks first), then unreachable, then the rest, names naturally', () => {
    expect(m.hosts.map((h) => h[0])).toEqual(['hv2', 'hv9', 'hv10', 'hv3', 'hv1']);
  });
  it('encodes one worst status per host × check in sorted columns', () => {
    expect(m.checks.map((c) => [c.id, c.failing])).toEqual([
      ['a.one', 2],
      ['b.two', 2],
    ]);
    expect(m.cells).toEqual(['fe', 'f.', 'pf', '..', 'pw']);
    // hv9 keeps both stored rows for the drill-down.
    expect(m.details[1]!.map((r) => r[1])).toEqual(['ph', 'fh']);
  });
  it('interns strings, cuts long evidence, and keeps hostile text as data', () => {
    expect(new Set(m.strings).size).toBe(m.strings.length);
    const ev = m.strings.find((s) => s.startsWith('{"big"'))!;
    expect(ev.length).toBeLessThan(EVIDENCE_MAX + 100);
    expect(ev).toContain('more characters');
    expect(m.strings).toContain(HOSTILE.message);
    expect(m.strings[m.hosts[3]![2]]).toBe(HOSTILE.reason);
  });
  it('takes groups from facts (without all) and summarises facts', () => {
    expect(m.groups).toEqual(['dc1', 'rack-a']);
    expect(m.hosts[0]![3]).toEqual([0]);
    expect(m.hosts[4]![3]).toEqual([0, 1]);
    const facts = m.hosts[0]![4].map((i) => m.strings[i]);
    expect(facts).toEqual(['vms', `[${HOSTILE.vmName}]`]);
  });
  it('prefers the groups the run recorded (an unreachable host has no facts but has groups)', () => {
    const base = input();
    const recorded = new Map([
      ['hv3', ['dc2']],
      ['hv1', ['dc1']],
    ]);
    const r = assembleReport({ ...base, data: { ...base.data, groups: recorded } });
    expect(r.groups).toEqual(['dc1', 'dc2']);
    const byHost = Object.fromEntries(r.hosts.map((h) => [h[0], h[3].map((g) => r.groups[g])]));
    // hv1: recorded wins over its facts' dc1+rack-a; hv2: nothing recorded, its facts still count (older runs).
    expect(byHost).toMatchObject({ hv3: ['dc2'], hv1: ['dc1'], hv2: ['dc1'] });
  });
  it('ranks failing checks by host index and carries the trend', () => {
    expect(m.ranked).toEqual([
      [0, [0, 1]],
      [1, [2, 0]],
    ]);
    expect(m.trend.map((t) => [t.id, t.hosts, t.failed, t.unreachable])).toEqual([
      [5, 5, 1, 0],
      [7, 5, 3, 1],
    ]);
    expect(m.changes).toBeNull();
  });
  it('lists changes against the previous run with history codes', () => {
    const prevChecks: CheckRow[] = [check('hv10', 'b.two', 'pass'), check('hv2', 'a.one', 'fail'), check('hv1', 'a.one', 'fail')];
    const prevHosts: HostRow[] = [host('hv3'), host('hv1')];
    const c = assembleReport(
      input({
        previous: { run: run({ id: 6 }), hosts: prevHosts },
        history: [{ run: { id: 6, startedAt: T0 - 86_400_000 }, checks: prevChecks }],
      }),
    ).changes!;
    expect(c.previous.id).toBe(6);
    expect(c.window).toBe(2);
    expect(c.runs).toEqual([
      [6, T0 - 86_400_000],
      [7, T0],
    ]);
    const names = m.hosts.map((h) => h[0]);
    const checks = m.checks.map((k) => k.id);
    expect(c.checks.map(([h, k, kind, hist]) => `${names[h]} ${checks[k]} ${kind} ${hist}`).sort()).toEqual([
      'hv1 a.one x fp',
      'hv10 b.two n pf',
      'hv2 a.one s ff',
      'hv2 b.two n .e',
      'hv9 a.one n .f',
    ]);
    expect(c.hosts.map(([h, kind, before]) => [names[h], kind, before])).toEqual([['hv3', 'unreachable', 'ok']]);
  });
});

describe('renderReportHtml', () => {
  const model = assembleReport(
    input({ data: { ...input().data, run: run({ playbook: '</title><script>alert(1)</script>', limit: HOSTILE.limit }) } }),
  );
  const html = renderReportHtml(model);

  it('is one document with exactly the data island, uPlot and the page script, pinned by CSP hashes', () => {
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((s) => s[1])).toEqual([' type="application/json" id="fleet-data"', '', '']);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((s) => s[1]!);
    expect(styles).toHaveLength(1);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!.replace(/&#39;/g, "'");
    const sha = (t: string) => `'sha256-${createHash('sha256').update(t).digest('base64')}'`;
    expect(csp).toBe(contentSecurityPolicy([scripts[1]![2]!, scripts[2]![2]!], styles));
    expect(csp).toContain(`script-src ${sha(scripts[1]![2]!)} ${sha(scripts[2]![2]!)};`);
    expect(csp).toMatch(/^default-src 'none'; /);
    expect(csp).not.toMatch(/unsafe|https?:|\*/);
    expect(JSON.parse(scripts[0]![2]!)).toEqual(JSON.parse(JSON.stringify(model)));
  });

  it('never puts host text into markup', () => {
    // Hostile text is in the data island as JSON (its `<` escaped), never as a tag.
    expect(html).not.toMatch(/<(img|svg|iframe|b )/i);
    expect(html.match(/<script/g)).toHaveLength(3);
    expect(html.match(/<\/script/g)).toHaveLength(3);
    expect(html).toContain('<title>fleet report — &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; — run 7</title>');
    expect(html).not.toMatch(/[\u2028\u2029]/);
  });

  it('the page script parses and never turns data into markup or talks to the network', () => {
    expect(() => new Function(PAGE_SCRIPT)).not.toThrow();
    expect(PAGE_SCRIPT).not.toMatch(
      /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|fetch\(|XMLHttpRequest|WebSocket|import\(|sendBeacon|setAttribute\('(on|href|src|style)/,
    );
  });
});

describe('size at scale', () => {
  it('1,000 hosts × 30 checks with unique failure messages stays well under 5 MB', () => {
    const rand = mulberry32(7);
    const names = hostNames(1000);
    const hosts = names.map((n) => host(n, 'ok'));
    const checks: CheckRow[] = [];
    for (const [hi, n] of names.entries()) {
      for (const [id, severity] of CATALOG) {
        const status: CheckStatus = rand() < 0.05 ? 'fail' : 'pass';
        checks.push(
          check(n, id, status, {
            severity,
            message:
              status === 'fail' ? `${n}: vnet${hi % 17} on br0 broken for ${id} (MTU ${1400 + (hi % 7)} vs 1500)` : `${id} ok on br0`,
            evidence:
              status === 'fail'
                ? { bridge: 'br0', port: `vnet${hi % 17}`, seen: [`${n}/vnet${hi % 17}`] }
                : { bridge: 'br0', ports: ['eno1'] },
            fix: status === 'fail' ? `ip link set dev vnet${hi % 17} mtu 1500` : null,
          }),
        );
      }
    }
    const started = performance.now();
    const html = renderReportHtml(assembleReport(input({ data: data(hosts, checks), facts: new Map() })));
    const ms = performance.now() - started;
    expect(Buffer.byteLength(html)).toBeLessThan(5e6);
    expect(ms).toBeLessThan(5_000);
  });
});
