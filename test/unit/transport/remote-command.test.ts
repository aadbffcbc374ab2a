import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import type { ConnectionSpec } from '../../../src/core/inventory.js';
import { planExec } from '../../../src/transport/exec-plan.js';
import { buildRemoteCommand } from '../../../src/transport/remote-command.js';
import type { ConnectOptions } from '../../../src/transport/types.js';

const run = (script: string): string => execFileSync('/bin/sh', ['-c', script], { encoding: 'utf8' });

describe('buildRemoteCommand', () => {
  const hostile = `printf '%s|' "it's" '$(id)' '\`x\`' 'a"b'; echo`;

  test('the command reaches /bin/sh verbatim, with and without the timeout guard', () => {
    expect(run(buildRemoteCommand(hostile).script)).toBe(`it's|$(id)|\`x\`|a"b|\n`);
    expect(run(buildRemoteCommand(hostile, { guardMs: 5000 }).script)).toBe(`it's|$(id)|\`x\`|a"b|\n`);
  });

  test('the guard wraps the command in timeout -s KILL, rounded up to 0.1 s', () => {
    expect(buildRemoteCommand('true', { guardMs: 1234 }).script).toContain(`timeout -s KILL 1.3`);
    expect(buildRemoteCommand('true').script).toBe('exec /bin/sh -c true');
  });

  test('become: sudo -S with a random prompt and marker when a password will be sent, sudo -n otherwise', () => {
    const a = buildRemoteCommand('id', { become: { user: 'root', withPassword: true } });
    const b = buildRemoteCommand('id', { become: { user: 'root', withPassword: true } });
    expect(a.become?.prompt).toMatch(/^\[fleet-sudo-password-[0-9a-f]{24}\]$/);
    expect(a.become?.marker).toMatch(/^FLEET-BECOME-OK-[0-9a-f]{24}$/);
    expect(a.become?.prompt).not.toBe(b.become?.prompt);
    expect(a.script).toContain('sudo -S -p');
    const n = buildRemoteCommand('id', { become: { user: "o'brien", withPassword: false } });
    expect(n.script).toContain('sudo -n -u');
    expect(n.script).not.toContain('-S');
  });

  test('become script runs (as root, sudo does not ask) and prints the marker first', () => {
    const { script, become } = buildRemoteCommand(hostile, { guardMs: 5000, become: { user: 'root', withPassword: false } });
    expect(run(script)).toBe(`${become?.marker}\nit's|$(id)|\`x\`|a"b|\n`);
  });
});

describe('planExec', () => {
  const spec: ConnectionSpec = {
    name: 'h',
    connection: 'ssh',
    address: 'h',
    port: 22,
    user: undefined,
    privateKeyFile: undefined,
    proxyJump: undefined,
    become: true,
    becomeUser: 'admin',
    becomePassword: 'pw',
  };
  const options = { commandTimeoutMs: 30_000 } as ConnectOptions;

  test('defaults come from the spec and the connect options; the password only in memory', () => {
    const plan = planExec('id', {}, spec, options, { remoteGuard: true, graceMs: 1000 });
    expect(plan.session).toMatchObject({ command: 'id', timeoutMs: 31_000, guardMs: 30_000, becomePassword: 'pw' });
    expect(plan.session.become?.user).toBe('admin');
    expect(plan.script).not.toContain('pw');
  });

  test('exec options override; timeout 0 disables both deadlines', () => {
    const plan = planExec('id', { become: false, timeoutMs: 0 }, spec, options, { remoteGuard: true, graceMs: 1000 });
    expect(plan.session).toMatchObject({ timeoutMs: 0, guardMs: undefined, become: undefined, becomePassword: undefined });
    expect(plan.script).toBe('exec /bin/sh -c id');
  });

  test('local (no remote guard) still guards inside sudo', () => {
    expect(planExec('id', { become: false }, spec, options, { remoteGuard: false, graceMs: 0 }).session.guardMs).toBeUndefined();
    expect(planExec('id', { becomeUser: 'nobody' }, spec, options, { remoteGuard: false, graceMs: 0 }).session).toMatchObject({
      guardMs: 30_000,
      become: { user: 'nobody' },
    });
  });
});
