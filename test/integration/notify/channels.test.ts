/**
 * Notification channels against real receivers: an HTTP server on 127.0.0.1 started here (down at
 * first, then up: the notification arrives exactly once), and real programs for the command channel
 * (JSON on stdin; a program that hangs is killed at the timeout). Webhook URLs never reach a log line.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryOutbox } from '../../../src/notify/memory-outbox.js';
import { buildNotification } from '../../../src/notify/message.js';
import { channelFingerprint } from '../../../src/notify/outbox.js';
import { NotificationSender, type ChannelTarget } from '../../../src/notify/sender.js';
import type { Channel } from '../../../src/schedule/types.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'fleet-notify-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const TOKEN = 'xoxb-SECRET-0123456789';

interface Received {
  body: string;
  contentType: string | undefined;
}

function receiver(port: number, got: Received[], status = 200): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      got.push({ body, contentType: req.headers['content-type'] });
      res.writeHead(status).end(status === 200 ? 'ok' : 'nope');
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));

async function freePort(): Promise<number> {
  const s = await receiver(0, []);
  const port = (s.address() as AddressInfo).port;
  await close(s);
  return port;
}

const notification = () =>
  buildNotification({ schedule: 'nightly', playbook: 'health-check', runId: 7, finishedAt: Date.UTC(2027, 0, 1) }, [
    { host: 'hv1', check: 'bridge.up', event: 'new', status: 'fail', message: 'br0 is down <b>&' },
    { host: 'hv2', check: '', event: 'new', status: 'unreachable' },
  ]);

function setup(channel: Channel, retries: number, timeoutMs = 2000) {
  const outbox = new MemoryOutbox();
  const logs: string[] = [];
  const target: ChannelTarget = { channel, timeoutMs, retries };
  const sender = new NotificationSender({
    outbox,
    resolve: (ref) => (ref.schedule === 'nightly' && ref.index === 0 ? target : undefined),
    log: (l) => logs.push(l),
    backoffMs: () => 0,
  });
  const enqueue = () =>
    outbox.enqueue(
      [{ channel: { schedule: 'nightly', index: 0, fingerprint: channelFingerprint(channel) }, payload: JSON.stringify(notification()) }],
      Date.now(),
    );
  return { outbox, logs, sender, enqueue };
}

describe('webhook channel', () => {
  it('receiver down, then up: retries deliver exactly once; the URL never reaches a log', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/services/${TOKEN}?token=${TOKEN}`;
    const { outbox, logs, sender, enqueue } = setup({ kind: 'webhook', url }, 5);
    await enqueue();
    // Down: one attempt per drain (backoff 0 makes it due again at once).
    const first = await sender.drain();
    expect(first.sent).toBe(0);
    expect(outbox.all()[0]).toMatchObject({ state: 'pending', attempts: expect.any(Number) });
    const got: Received[] = [];
    const server = await receiver(port, got);
    try {
      await sender.drain();
      await sender.drain();
      expect(got).toHaveLength(1);
      const doc = JSON.parse(got[0]!.body) as { text: string; new_failing: unknown[]; unreachable: string[]; run_id: number };
      expect(got[0]!.contentType).toBe('application/json');
      expect(doc).toMatchObject({ run_id: 7, unreachable: ['hv2'], new_failing: [{ host: 'hv1', check: 'bridge.up', status: 'fail' }] });
      expect(doc.text).toContain('fleet nightly (run 7): 1 new failing, 1 newly unreachable');
      expect(doc.text).toContain('br0 is down &lt;b&gt;&amp;');
      expect(outbox.all()[0]).toMatchObject({ state: 'sent' });
    } finally {
      await close(server);
    }
    expect(
      logs.some((l) => /notification failed: schedule=nightly webhook http:\/\/127\.0\.0\.1:\d+\/\*{8} attempt=1\/6: ECONNREFUSED/.test(l)),
    ).toBe(true);
    expect(logs.at(-1)).toMatch(/notification sent: .*attempt=\d/);
    expect(logs.join('\n')).not.toContain(TOKEN);
  });

  it('an HTTP error is retried up to `retries`, then recorded failed; the error names the status', async () => {
    const port = await freePort();
    const got: Received[] = [];
    const server = await receiver(port, got, 500);
    try {
      const { outbox, logs, sender, enqueue } = setup({ kind: 'webhook', url: `http://127.0.0.1:${port}/${TOKEN}` }, 2);
      await enqueue();
      for (let i = 0; i < 5; i++) await sender.drain();
      expect(got).toHaveLength(3);
      expect(outbox.all()[0]).toMatchObject({ state: 'failed', attempts: 3, lastError: 'HTTP 500: nope' });
      expect(logs.at(-1)).toMatch(/attempt=3\/3: HTTP 500: nope; giving up$/);
      expect(logs.join('\n')).not.toContain(TOKEN);
    } finally {
      await close(server);
    }
  });

  it('a receiver that never answers times out', async () => {
    const server = createServer(() => undefined); // accepts, never responds
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      const { outbox, sender, enqueue } = setup({ kind: 'webhook', url: `http://127.0.0.1:${port}/x` }, 0, 300);
      await enqueue();
      const t0 = Date.now();
      await sender.drain();
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(outbox.all()[0]).toMatchObject({ state: 'failed', lastError: 'no answer within 300 ms' });
    } finally {
      server.closeAllConnections();
      await close(server);
    }
  });
});

describe('command channel', () => {
  it('gets the JSON on stdin', async () => {
    const out = path.join(tmp, 'got.json');
    const { outbox, sender, enqueue } = setup({ kind: 'command', argv: ['/bin/sh', '-c', 'cat > "$0"', out] }, 0);
    await enqueue();
    expect(await sender.drain()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ schedule: 'nightly', run_id: 7 });
    expect(outbox.all()[0]?.state).toBe('sent');
  });

  it('a failing program is an error with its exit code and stderr; a hanging one is killed at the timeout', async () => {
    const failing = setup({ kind: 'command', argv: ['/bin/sh', '-c', 'echo mail server down >&2; exit 3'] }, 0);
    await failing.enqueue();
    await failing.sender.drain();
    expect(failing.outbox.all()[0]).toMatchObject({ state: 'failed', lastError: '/bin/sh exited 3: mail server down' });

    const pidFile = path.join(tmp, 'child.pid');
    // The grandchild must die too: the timeout kills the whole process group.
    const hanging = setup({ kind: 'command', argv: ['/bin/sh', '-c', 'sleep 30 & echo $! > "$0"; wait', pidFile] }, 0, 500);
    await hanging.enqueue();
    const t0 = Date.now();
    await hanging.sender.drain();
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(hanging.outbox.all()[0]?.lastError).toBe('/bin/sh did not finish within 500 ms: killed');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 100));
    // Gone, or a zombie waiting for this container's init to reap it: either way no longer running.
    const state = (() => {
      try {
        return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      } catch {
        return 'gone';
      }
    })();
    expect(['gone', 'Z']).toContain(state);
  });

  it('a changed channel is not sent to', async () => {
    const { outbox, sender, logs } = setup({ kind: 'command', argv: ['/bin/true'] }, 0);
    await outbox.enqueue([{ channel: { schedule: 'nightly', index: 0, fingerprint: 'stale' }, payload: '{}' }], Date.now());
    expect(await sender.drain()).toEqual({ sent: 0, retrying: 0, failed: 1 });
    expect(logs[0]).toMatch(/notification dropped: schedule=nightly channel #1 was removed or changed/);
  });
});
