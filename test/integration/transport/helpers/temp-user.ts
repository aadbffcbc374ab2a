/**
 * A throwaway local user with a password and a sudoers drop-in, for become tests. Everything is
 * removed again by remove(): its processes (killed by pid), the drop-in, and the user with its home.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export interface TempUser {
  readonly name: string;
  readonly password: string;
  remove(): void;
}

/**
 * Creates the user. sudoers: password required to become anyone, except `nobody` (NOPASSWD), so
 * both sudo paths can be tested. The password contains shell metacharacters on purpose.
 */
export function createTempUser(): TempUser {
  const name = `fleettr${randomBytes(3).toString('hex')}`;
  const password = `pw '"$(id)\`x\` ${randomBytes(6).toString('hex')}`;
  const dropIn = `/etc/sudoers.d/fleet-transport-test-${name}`;
  const remove = (): void => {
    process.removeListener('exit', remove);
    killUserProcesses(name);
    rmSync(dropIn, { force: true });
    try {
      execFileSync('userdel', ['-r', name], { stdio: 'ignore' });
    } catch {
      // not created (or already gone)
    }
  };
  process.once('exit', remove); // safety net if afterAll never runs remove()
  try {
    execFileSync('useradd', ['-m', '-s', '/bin/sh', name], { stdio: 'ignore' });
    execFileSync('chpasswd', [], { input: `${name}:${password}\n`, stdio: ['pipe', 'ignore', 'ignore'] });
    const rules = `${name} ALL=(ALL:ALL) ALL\n${name} ALL=(nobody) NOPASSWD: ALL\n`;
    writeFileSync(`${dropIn}.tmp`, rules, { mode: 0o440 });
    execFileSync('visudo', ['-cqf', `${dropIn}.tmp`], { stdio: 'ignore' });
    execFileSync('mv', [`${dropIn}.tmp`, dropIn]);
  } catch (err) {
    rmSync(`${dropIn}.tmp`, { force: true });
    remove();
    throw err;
  }
  return { name, password, remove };
}

function killUserProcesses(name: string): void {
  let uid: string | undefined;
  try {
    uid = execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim();
  } catch {
    return;
  }
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      if (new RegExp(`^Uid:\\s+${uid}\\s`, 'm').test(status)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone
    }
  }
}
