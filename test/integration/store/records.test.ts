/** Recording and reading back every kind of record through a real database, on both backends. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunStatus } from '../../../src/core/result.js';
import { BACKENDS } from './backends.js';
import { newRun, step } from './helpers.js';

describe.each(BACKENDS)('$name store', (b) => {
  beforeAll(() => b.setup());
  afterAll(() => b.teardown());
  const open = b.open;

  describe('recording and reading a run', () => {
    it('round-trips runs, hosts, steps, facts, checks and fleet checks', async () => {
      const store = await open();
      const id = await store.startRun(newRun({ limit: 'rack1', options: { forks: 5, tags: ['net'] } }));
      store.recordHost(id, { host: 'hv01', status: 'changed', reason: null, startedAt: 10, finishedAt: 20 });
      store.recordHost(id, { host: 'hv02', status: 'failed', reason: 'step 1.2 failed', startedAt: 11, finishedAt: 21 });
      store.recordStep(id, 'hv01', step(1, { status: 'changed', changed: true, rc: 0, message: 'fixed' }));
      store.recordStep(id, 'hv02', step(2, { status: 'failed', rc: null, stderr: 'timeout', message: 'timed out' }));
      store.recordFacts(id, 'hv01', { bridges: [{ name: 'vmbr0', stp: 0 }] });
      store.recordCheck(
        id,
        'hv01',
        {
          id: 'bridge.ip-on-port',
          status: 'fail',
          severity: 'high',
          message: 'eno1 has 10.0.0.5 but is a port of vmbr0',
          evidence: { port: 'eno1', addrs: ['10.0.0.5/24'] },
          fix: 'ip addr del 10.0.0.5/24 dev eno1',
          fixId: 'move-ip',
        },
        'fixed',
      );
      store.recordCheck(id, 'hv02', { id: 'sysctl.ip-forward', status: 'pass', severity: 'medium', message: 'ok' });
      store.recordFleetCheck(id, {
        id: 'fleet.duplicate-mac',
        status: 'fail',
        severity: 'critical',
        message: '52:54:00:aa:bb:cc on hv01 and hv02',
        hosts: ['hv01', 'hv02'],
        evidence: { mac: '52:54:00:aa:bb:cc' },
      });
      store.finishRun(id, 'failed', 99);
      await store.flush();

      expect(await store.getRun(id)).toEqual({
        ...newRun({ limit: 'rack1', options: { forks: 5, tags: ['net'] } }),
        id,
        finishedAt: 99,
        status: 'failed',
        hostCounts: { changed: 1, failed: 1 },
      });
      expect(await store.getHosts(id)).toEqual([
        { runId: id, host: 'hv01', status: 'changed', reason: null, startedAt: 10, finishedAt: 20 },
        { runId: id, host: 'hv02', status: 'failed', reason: 'step 1.2 failed', startedAt: 11, finishedAt: 21 },
      ]);
      expect(await store.getSteps(id)).toEqual([
        {
          runId: id,
          host: 'hv01',
          ...step(1, { status: 'changed', changed: true, message: 'fixed' }),
          stdoutTruncated: false,
          stderrTruncated: false,
        },
        {
          runId: id,
          host: 'hv02',
          ...step(2, { status: 'failed', rc: null, stderr: 'timeout', message: 'timed out' }),
          stdoutTruncated: false,
          stderrTruncated: false,
        },
      ]);
      expect((await store.getSteps(id, 'hv02')).map((s) => s.stepId)).toEqual(['1.2']);
      expect(await store.getFacts(id, 'hv01')).toEqual({ bridges: [{ name: 'vmbr0', stp: 0 }] });
      expect(await store.getFacts(id, 'hv02')).toBeUndefined();
      expect(await store.getChecks(id, 'hv01')).toEqual([
        {
          runId: id,
          host: 'hv01',
          checkId: 'bridge.ip-on-port',
          status: 'fail',
          severity: 'high',
          message: 'eno1 has 10.0.0.5 but is a port of vmbr0',
          evidence: { port: 'eno1', addrs: ['10.0.0.5/24'] },
          fix: 'ip addr del 10.0.0.5/24 dev eno1',
          fixStatus: 'fixed',
        },
      ]);
      expect(await store.getChecks(id)).toHaveLength(2);
      expect((await store.getChecks(id, 'hv02'))[0]).toMatchObject({ evidence: undefined, fix: null, fixStatus: null });
      expect(await store.getFleetChecks(id)).toEqual([
        {
          id: 'fleet.duplicate-mac',
          status: 'fail',
          severity: 'critical',
          message: '52:54:00:aa:bb:cc on hv01 and hv02',
          hosts: ['hv01', 'hv02'],
          evidence: { mac: '52:54:00:aa:bb:cc' },
        },
      ]);
      await store.close();
    });

    it('reads only the steps that changed a host or did not succeed, when asked', async () => {
      const store = await open();
      const id = await store.startRun(newRun());
      store.recordStep(id, 'hv01', step(1, { status: 'ok' }));
      store.recordStep(id, 'hv01', step(2, { status: 'changed', changed: true }));
      store.recordStep(id, 'hv02', step(3, { status: 'failed', rc: 1 }));
      store.recordStep(id, 'hv02', step(4, { status: 'skipped' }));
      store.recordStep(id, 'hv03', step(5, { status: 'unreachable', rc: null }));
      store.recordStep(id, 'hv03', step(6, { status: 'ok' }));
      await store.flush();
      expect((await store.getSteps(id)).map((s) => s.stepId)).toEqual(['1.1', '1.2', '1.3', '1.4', '1.5', '1.6']);
      expect((await store.getSteps(id, undefined, { changedOrFailed: true })).map((s) => s.stepId)).toEqual(['1.2', '1.3', '1.5']);
      expect((await store.getSteps(id, 'hv02', { changedOrFailed: true })).map((s) => s.stepId)).toEqual(['1.3']);
      await store.close();
    });

    it('keeps the last record of a host (recorded at start and again at the end)', async () => {
      const store = await open();
      const id = await store.startRun(newRun());
      store.recordHost(id, { host: 'hv01', status: 'skipped', reason: 'in progress', startedAt: 5, finishedAt: null });
      await store.flush(); // the final record lands in a later batch…
      store.recordHost(id, { host: 'hv01', status: 'ok', reason: null, startedAt: 5, finishedAt: 9 });
      store.recordHost(id, { host: 'hv02', status: 'skipped', reason: 'in progress', startedAt: 6, finishedAt: null });
      store.recordHost(id, { host: 'hv02', status: 'unreachable', reason: 'refused', startedAt: 6, finishedAt: 7 }); // …or the same one
      store.recordFacts(id, 'hv01', { v: 1 });
      store.recordFacts(id, 'hv01', { v: 2 });
      await store.flush();
      expect((await store.getHosts(id)).map((h) => [h.host, h.status, h.reason, h.finishedAt])).toEqual([
        ['hv01', 'ok', null, 9],
        ['hv02', 'unreachable', 'refused', 7],
      ]);
      expect(await store.getFacts(id, 'hv01')).toEqual({ v: 2 });
      await store.close();
    });

    it('caps stdout/stderr (default 64 KiB) keeping head and tail, and flags the truncation', async () => {
      const store = await open();
      const id = await store.startRun(newRun());
      const big = `FIRST LINE\n${'é'.repeat(100_000)}\nLAST LINE`;
      store.recordStep(id, 'hv01', step(1, { stdout: big, stderr: 'short' }));
      store.recordStep(id, 'hv01', step(2, { stdout: 'x'.repeat(65_536), stderr: big }));
      await store.flush();
      const [a, b] = await store.getSteps(id);
      expect(a!.stdoutTruncated).toBe(true);
      expect(Buffer.byteLength(a!.stdout)).toBeLessThanOrEqual(65_536);
      expect(Buffer.byteLength(a!.stdout)).toBeGreaterThan(65_000);
      expect(a!.stdout.startsWith('FIRST LINE\n')).toBe(true);
      expect(a!.stdout.endsWith('\nLAST LINE')).toBe(true);
      expect(a!.stdout).toMatch(/\[… fleet: \d+ bytes omitted …\]/);
      expect(a!.stdout).not.toContain('\ufffd');
      expect([a!.stderr, a!.stderrTruncated]).toEqual(['short', false]);
      expect([b!.stdout.length, b!.stdoutTruncated, b!.stderrTruncated]).toEqual([65_536, false, true]);

      const small = await open({ outputCap: 100 });
      const id2 = await small.startRun(newRun());
      small.recordStep(id2, 'hv01', step(1, { stdout: 'y'.repeat(101), message: 'm'.repeat(500) }));
      await small.flush();
      const [c] = await small.getSteps(id2);
      expect(c!.stdoutTruncated).toBe(true);
      expect(Buffer.byteLength(c!.stdout)).toBeLessThanOrEqual(100);
      expect(Buffer.byteLength(c!.message!)).toBeLessThanOrEqual(100);
      await Promise.all([store.close(), small.close()]);
    });

    it('redacts secrets everywhere before they are stored (output, messages, reasons, evidence, facts, options)', async () => {
      const secret = 'hunter2-become-pw';
      const redact = (s: string) => s.split(secret).join('********');
      const file = await b.newTarget();
      const store = await b.open({ redact }, file);
      const id = await store.startRun(newRun({ options: { command: `echo ${secret} | sudo -S true` } }));
      store.recordHost(id, { host: 'hv01', status: 'failed', reason: `sudo rejected ${secret}`, startedAt: 1, finishedAt: 2 });
      store.recordStep(id, 'hv01', step(1, { stdout: `[sudo] password: ${secret}\n`, stderr: `${secret}!`, message: `bad ${secret}` }));
      store.recordFacts(id, 'hv01', { env: { SUDO_PASS: secret }, n: 12345 });
      store.recordCheck(id, 'hv01', {
        id: 'x.y',
        status: 'fail',
        severity: 'low',
        message: `saw ${secret}`,
        evidence: { line: secret },
        fix: `echo ${secret}`,
      });
      store.recordFleetCheck(id, { id: 'f', status: 'warn', severity: 'low', message: secret, hosts: ['hv01'], evidence: [secret] });
      await store.flush();
      const [s] = await store.getSteps(id);
      expect([s!.stdout, s!.stderr, s!.message]).toEqual(['[sudo] password: ********\n', '********!', 'bad ********']);
      expect(await store.getFacts(id, 'hv01')).toEqual({ env: { SUDO_PASS: '********' }, n: 12345 });
      await store.close();

      // Whatever the API returns, the bytes on disk must not hold the secret anywhere.
      const raw = await b.raw(file);
      const dump = await raw.all<Record<string, unknown>>(
        `SELECT options AS v FROM runs UNION ALL SELECT reason FROM run_hosts UNION ALL SELECT stdout || stderr || message FROM steps
       UNION ALL SELECT ${b.bodyAsText} FROM facts UNION ALL SELECT message || evidence || fix FROM check_results
       UNION ALL SELECT message || evidence FROM fleet_checks`,
      );
      await raw.close();
      expect(dump).toHaveLength(6);
      for (const row of dump) expect(String(row['v'])).not.toContain(secret);
    });

    it('does not break JSON when a secret looks like a number inside facts', async () => {
      const store = await open({ redact: (s) => s.split('1234').join('****') });
      const id = await store.startRun(newRun());
      store.recordFacts(id, 'hv01', { port: 12345, pin: 'pin-1234' });
      await store.flush();
      expect(await store.getFacts(id, 'hv01')).toEqual({ port: 12345, pin: 'pin-****' });
      await store.close();
    });

    it('compresses large facts and still returns the parsed object', async () => {
      const file = await b.newTarget();
      const store = await b.open({}, file);
      const id = await store.startRun(newRun());
      const links = Array.from({ length: 2000 }, (_, i) => ({ ifname: `tap${i}`, master: 'vmbr0', mtu: 1500, operstate: 'UP' }));
      store.recordFacts(id, 'big', { links });
      store.recordFacts(id, 'small', { links: links.slice(0, 2) });
      await store.flush();
      expect(await store.getFacts(id, 'big')).toEqual({ links });
      await store.close();
      const raw = await b.raw(file);
      const rows = await raw.all<{ host: string; encoding: string; size: number }>(
        'SELECT host, encoding, LENGTH(body) AS size FROM facts ORDER BY host',
      );
      await raw.close();
      expect(rows.map((r) => [r.host, r.encoding])).toEqual([
        ['big', 'json+zlib'],
        ['small', 'json'],
      ]);
      expect(rows[0]!.size).toBeLessThan(JSON.stringify({ links }).length / 5);
    });

    it('snapshots facts and evidence when recorded (later mutation does not change history)', async () => {
      const store = await open();
      const id = await store.startRun(newRun());
      const facts = { mtu: 1500 };
      store.recordFacts(id, 'hv01', facts);
      facts.mtu = 9000;
      await store.flush();
      expect(await store.getFacts(id, 'hv01')).toEqual({ mtu: 1500 });
      await store.close();
    });

    it('rejects invalid values at the call site, before they can poison a batch', async () => {
      const store = await open();
      const id = await store.startRun(newRun());
      expect(() => store.recordStep(id, 'hv01', step(1, { status: 'great' as never }))).toThrow(/invalid step status "great"/);
      expect(() => store.recordHost(0, { host: 'a', status: 'ok', reason: null, startedAt: null, finishedAt: null })).toThrow(
        /invalid run id 0/,
      );
      expect(() => store.finishRun(id, 'done' as RunStatus, 1)).toThrow(/invalid run status/);
      expect(() => store.recordCheck(id, 'a', { id: 'x', status: 'pass', severity: 'urgent' as never, message: '' })).toThrow(/severity/);
      expect(() => store.recordFacts(id, 'a', { n: 1n })).toThrow(TypeError);
      await store.flush();
      expect(store.stats().items).toBe(0);
      await store.close();
    });

    it('reports a failed batch at flush() and keeps working afterwards', async () => {
      const store = await open();
      const id = await store.startRun(newRun());
      store.recordStep(999, 'ghost', step(1)); // no such run: the foreign key rejects the batch
      await expect(store.flush()).rejects.toThrow(b.foreignKeyError);
      store.recordStep(id, 'hv01', step(2));
      await store.flush();
      expect((await store.getSteps(id)).map((s) => s.stepId)).toEqual(['1.2']);
      expect(store.stats().failedItems).toBe(1);
      await store.close();
    });

    it('leaves a consistent database after finishRun(interrupted) + flush, readable by a new connection', async () => {
      const file = await b.newTarget();
      const store = await b.open({}, file);
      const id = await store.startRun(newRun());
      for (let i = 0; i < 50; i++) store.recordStep(id, 'hv01', step(i));
      store.finishRun(id, 'interrupted', 1_700_000_000_500);
      await store.flush();
      // Another process (a second connection) sees it all without close(): flush() means committed.
      const other = await b.open({}, file);
      expect(await other.getRun(id)).toMatchObject({ status: 'interrupted', finishedAt: 1_700_000_000_500 });
      expect(await other.getSteps(id)).toHaveLength(50);
      await other.close();
      await store.close();
      if (b.name === 'sqlite') {
        const raw = await b.raw(file);
        expect(await raw.get('PRAGMA integrity_check')).toEqual({ integrity_check: 'ok' });
        await raw.close();
      }
    });

    it('refuses nonsensical tuning options up front', async () => {
      await expect(open({ outputCap: 0 })).rejects.toThrow(new TypeError('store: outputCap must be a positive integer, got 0'));
      await expect(open({ batchSize: 1.5 })).rejects.toThrow(/batchSize/);
      await expect(open({ flushDelayMs: 2 ** 31 })).rejects.toThrow(/flushDelayMs/);
    });

    it('refuses records after close()', async () => {
      const store = await open();
      const id = await store.startRun(newRun());
      await store.close();
      expect(() => store.recordStep(id, 'hv01', step(1))).toThrow(/is closed/);
      await expect(store.getRun(id)).rejects.toThrow(/is closed/);
    });
  });

  describe('batching', () => {
    it('commits many records in few transactions, none of them inside record*()', async () => {
      const store = await open({ batchSize: 1000, maxBatch: 5000 });
      const id = await store.startRun(newRun());
      for (let i = 0; i < 12_000; i++) store.recordStep(id, `hv${i % 100}`, step(i));
      for (let h = 0; h < 100; h++) store.recordHost(id, { host: `hv${h}`, status: 'ok', reason: null, startedAt: 1, finishedAt: 2 });
      expect(store.stats()).toMatchObject({ batches: 0, queued: 12_100 }); // record*() only enqueued
      await store.flush();
      const stats = store.stats();
      expect(stats.items).toBe(12_100);
      expect(stats.batches).toBeLessThanOrEqual(4); // 12 100 records in ≤ ceil(12100/5000) transactions
      const steps = await store.getSteps(id);
      expect(steps).toHaveLength(12_000);
      expect(steps.every((s, i) => s.stepId === `1.${i}`)).toBe(true); // recording order kept across chunks
      await store.close();
    });

    it('writes a light trickle after the short delay without anyone calling flush()', async () => {
      const store = await open({ flushDelayMs: 20 });
      const id = await store.startRun(newRun());
      store.recordStep(id, 'hv01', step(1));
      store.recordStep(id, 'hv01', step(2));
      await new Promise((r) => setTimeout(r, 300));
      expect(store.stats()).toMatchObject({ batches: 1, items: 2, queued: 0 });
      expect(await store.getSteps(id)).toHaveLength(2);
      await store.close();
    });

    // SQLite: thanks to WAL and busy_timeout. PostgreSQL: two sessions, as several controllers would be.
    it('shares the database with a second writer (daemon + CLI)', async () => {
      const file = await b.newTarget();
      const one = await b.open({ batchSize: 200 }, file);
      const two = await b.open({ batchSize: 200 }, file);
      const [ra, rb] = await Promise.all([one.startRun(newRun({ playbook: 'a' })), two.startRun(newRun({ playbook: 'b' }))]);
      for (let i = 0; i < 3000; i++) {
        one.recordStep(ra, 'hv01', step(i));
        two.recordStep(rb, 'hv02', step(i));
      }
      await Promise.all([one.flush(), two.flush()]);
      expect(await one.getSteps(rb)).toHaveLength(3000);
      expect(await two.getSteps(ra)).toHaveLength(3000);
      await Promise.all([one.close(), two.close()]);
    });
  });

  describe('listing runs', () => {
    it('filters by playbook, status and since, newest first, with host counts and a limit', async () => {
      const store = await open();
      const mk = async (playbook: string, startedAt: number, status: RunStatus, hosts: [string, 'ok' | 'failed'][]) => {
        const id = await store.startRun(newRun({ playbook, startedAt }));
        for (const [host, s] of hosts) store.recordHost(id, { host, status: s, reason: null, startedAt, finishedAt: startedAt + 1 });
        if (status !== 'running') store.finishRun(id, status, startedAt + 10);
        return id;
      };
      const r1 = await mk('health', 1000, 'completed', [
        ['a', 'ok'],
        ['b', 'ok'],
      ]);
      const r2 = await mk('fix-bridges', 2000, 'failed', [['a', 'failed']]);
      const r3 = await mk('health', 3000, 'failed', [
        ['a', 'ok'],
        ['b', 'failed'],
        ['c', 'failed'],
      ]);
      const r4 = await mk('health', 4000, 'running', []);
      await store.flush();

      const ids = async (f: Parameters<typeof store.listRuns>[0]) => (await store.listRuns(f)).map((r) => r.id);
      expect(await ids(undefined)).toEqual([r4, r3, r2, r1]);
      expect(await ids({ playbook: 'health' })).toEqual([r4, r3, r1]);
      expect(await ids({ status: 'failed' })).toEqual([r3, r2]);
      expect(await ids({ since: 2000 })).toEqual([r4, r3, r2]);
      expect(await ids({ playbook: 'health', status: 'failed', since: 1000 })).toEqual([r3]);
      expect(await ids({ limit: 2 })).toEqual([r4, r3]);
      expect(await ids({ playbook: 'nope' })).toEqual([]);
      const listed = await store.listRuns({ playbook: 'health' });
      expect(listed.map((r) => r.hostCounts)).toEqual([{}, { ok: 1, failed: 2 }, { ok: 2 }]);

      expect((await store.lastRuns('health', 2)).map((r) => r.id)).toEqual([r4, r3]);
      expect((await store.previousRun(r3))?.id).toBe(r1);
      expect((await store.previousRun(r4))?.id).toBe(r3);
      expect((await store.previousRun(r4, ['completed']))?.id).toBe(r1);
      expect(await store.previousRun(r1)).toBeUndefined();
      expect(await store.previousRun(12345)).toBeUndefined();
      await store.close();
    });
  });
});
