/**
 * Measurement: 100 connections, one command each, against ONE sshd on loopback, at concurrency 10
 * and 50. Prints wall time and CPU (controller = this process; sshd = listener + reaped children).
 * Asserts only correctness (every connection separate and successful), not speed.
 */
import { readFileSync } from 'node:fs';
import pLimit from 'p-limit';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createSshTransport } from '../../../src/transport/ssh.js';
import { sshFixture, type SshFixture } from './helpers/fixture.js';

const HOSTS = 100;
let fx: SshFixture;
beforeAll(async () => {
  fx = await sshFixture();
});
afterAll(async () => {
  await fx?.cleanup();
});

/** utime+stime+cutime+cstime of the sshd listener, in ms (children are counted once reaped). */
function sshdCpuMs(): number {
  const pid = Number(readFileSync(`${fx.sshd.dir}/sshd.pid`, 'utf8').trim());
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

test.each([10, 50])('100 connections x 1 command at concurrency %i', async (concurrency) => {
  const transport = createSshTransport();
  const options = fx.options({ connectTimeoutMs: 20_000 });
  const limit = pLimit(concurrency);
  const loginsBefore = fx.sshd.acceptedLogins();
  const sshdBefore = sshdCpuMs();
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();

  const outputs = await Promise.all(
    Array.from({ length: HOSTS }, (_, i) =>
      limit(async () => {
        const conn = await transport.connect(fx.spec({ name: `hv${i}` }), options);
        try {
          const r = await conn.exec('echo ok');
          return r.stdout === 'ok\n' ? r.stdout : JSON.stringify(r);
        } finally {
          await conn.close();
        }
      }),
    ),
  );

  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  await transport.close();
  await new Promise((r) => setTimeout(r, 300)); // let sshd reap its children
  const sshdMs = sshdCpuMs() - sshdBefore;

  expect(outputs.filter((o) => o !== 'ok\n')).toEqual([]);
  expect(fx.sshd.acceptedLogins() - loginsBefore).toBe(HOSTS);
  console.log(
    `[bench] concurrency ${concurrency}: ${HOSTS} connections in ${wallMs.toFixed(0)} ms ` +
      `(${(wallMs / HOSTS).toFixed(1)} ms/host), controller CPU user ${(cpu.user / 1000).toFixed(0)} ms + system ${(cpu.system / 1000).toFixed(0)} ms ` +
      `(${((cpu.user + cpu.system) / 1000 / HOSTS).toFixed(1)} ms/host), sshd CPU ${sshdMs.toFixed(0)} ms`,
  );
}, 120_000);
