/**
 * Faults of the way in, seen from a real SSH client: sshd stopped (connection refused), host key
 * changed (strict checking refuses), key no longer authorised, a hanging command, a slow/lossy link.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimFleet } from '../../fleet/sim-fleet.js';
import { ssh, uniquePrefix } from './helpers.js';

const PT = uniquePrefix('ft');

describe('transport faults', () => {
  let f: SimFleet;
  beforeAll(async () => {
    f = await SimFleet.up({ prefix: PT, count: 6 });
  });
  afterAll(async () => {
    await f?.down();
  });

  it('sshd-stopped: connection refused; startSshd brings it back', async () => {
    await f.inject('hv01', 'sshd-stopped');
    const r = await ssh(f, 'hv01', 'true');
    expect(r.code).toBe(255);
    expect(r.stderr).toContain('Connection refused');
    await f.startSshd('hv01');
    expect((await ssh(f, 'hv01', 'hostname')).stdout.trim()).toBe('hv01');
  });

  it('hostkey-changed: strict host key checking refuses; the new key is not the known one', async () => {
    await f.inject('hv02', 'hostkey-changed');
    const r = await ssh(f, 'hv02', 'true');
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/);
    expect(f.currentHostKey('hv02').split(' ')[1]).not.toBe(f.host('hv02').hostPublicKey.split(' ')[1]);
  });

  it('authkey-removed: the fleet key is refused', async () => {
    await f.inject('hv03', 'authkey-removed');
    const r = await ssh(f, 'hv03', 'true');
    expect(r.code).toBe(255);
    expect(r.stderr).toContain('Permission denied');
  });

  it('hang: the named command never returns over SSH, others still do', async () => {
    await f.inject('hv04', 'hang', { command: 'virsh' });
    const t = Date.now();
    const r = await ssh(f, 'hv04', 'virsh list', 3000);
    expect(r.signal).toBe('SIGKILL');
    expect(Date.now() - t).toBeGreaterThanOrEqual(2900);
    expect((await ssh(f, 'hv04', 'echo fine')).stdout.trim()).toBe('fine');
  });

  it('netem delay: every SSH login gets slower by several round trips', async () => {
    const time = async () => {
      const t = Date.now();
      const r = await ssh(f, 'hv05', 'hostname', 60_000, 30);
      expect(r.stdout.trim(), r.stderr).toBe('hv05');
      return Date.now() - t;
    };
    const before = await time();
    await f.inject('hv05', 'netem', { delayMs: 300 });
    const after = await time();
    // A login needs at least 4 round trips after TCP connect; each now takes 600 ms longer.
    expect(after - before).toBeGreaterThan(1500);
  });

  it('netem 100% loss: the host stops answering', async () => {
    await f.inject('hv06', 'netem', { lossPercent: 100, delayMs: 0 });
    const r = await ssh(f, 'hv06', 'true', 10_000, 2);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/timed out/i);
  });
});
