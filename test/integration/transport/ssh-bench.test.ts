/**
 * Measurement: 100 connections, one command each, against ONE sshd on loopback, at concurrency 10
 * and 50. Prints wall time and CPU (controller = this process; sshd = listener + reaped children).
 * Asserts only correctness (every connection separate and successful), not speed.
 *
 * It logs in as a throwaway user whose login shell is /bin/sh: root's login shell on this machine
 * is bash, which sources a ~/.bashrc running `pyenv init` for every exec (~120 ms of CPU each), and
 * that would be measured instead of the transport.
 */
import { readFileSync } from 'node:fs';
import pLimit from 'p-limit';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { createSshTransport } from '../../../src/transport/ssh.js';
import { sshFixture, type SshFixture } from './helpers/fixture.js';
import { createTempUser, type TempUser } from './helpers/temp-user.js';

// Real sshd sessions on a shared 2-core machine (and root's ~/.bashrc runs pyenv on every exec): be patient.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const HOSTS = 100;
let fx: SshFixture;
let user: TempUser;
beforeAll(async () => {
  user = createTempUser();
  try {
    fx = await sshFixture();
  } catch (err) {
    user.remove();
    throw err;
  }
});
afterAll(async () => {
  try {
    await fx?.cleanup();
  } finally {
    user?.remove();
  }
});

/** utime+stime+cutime+cstime of the sshd listener, in ms (children are counted once reaped). */
function sshdCpuMs(): number {
  const pid = Number(readFileSync(`${fx.sshd.dir}/sshd.pid`, 'utf8').trim());
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

test.each([10, 50])(
  '100 connections x 1 command at concurrency %i',
  async (concurrency) => {
    const transport = createSshTransport();
    // Generous limits: the machine is shared; this measures, it does not test timeouts.
    const options = fx.options({ connectTimeoutMs: 60_000, commandTimeoutMs: 60_000 });
    const limit = pLimit(concurrency);
    const loginsBefore = fx.sshd.acceptedLogins();
    const sshdBefore = sshdCpuMs();
    const cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();

    const outputs = await Promise.all(
      Array.from({ length: HOSTS }, (_, i) =>
        limit(async () => {
          try {
            const conn = await transport.connect(fx.spec({ name: `hv${i}`, user: user.name }), options);
            try {
              const r = await conn.exec('echo ok');
              return r.stdout === 'ok\n' ? r.stdout : JSON.stringify(r);
            } finally {
              await conn.close();
            }
          } catch (err) {
            return String(err); // shown by the assertion below
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
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
    console.log(
      `[bench] load ${load}, concurrency ${concurrency}: ${HOSTS} connections in ${wallMs.toFixed(0)} ms ` +
        `(${(wallMs / HOSTS).toFixed(1)} ms/host), controller CPU user ${(cpu.user / 1000).toFixed(0)} ms + system ${(cpu.system / 1000).toFixed(0)} ms ` +
        `(${((cpu.user + cpu.system) / 1000 / HOSTS).toFixed(1)} ms/host), sshd CPU ${sshdMs.toFixed(0)} ms`,
    );
  },
  300_000,
);
