/**
 * One real QEMU guest (TCG: /dev/kvm is not usable on the CI machines) inside a simulated host's
 * network namespace, on a tap that QEMU creates with the name libvirt's XML gives it. The guest's
 * console goes to a file in the fleet's work dir: the simulator's teardown kills every process that
 * names that dir, so a guest never outlives its fleet, even when a test fails; stop() kills it by
 * its pidfile pid first (QEMU holds the tap until it exits).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { GuestAssets } from './assets.js';

const run = promisify(execFile);

export interface GuestSpec {
  /** The simulated host's network namespace. */
  readonly netns: string;
  /** Tap name (libvirt's target dev) and the bridge it joins. */
  readonly tap: string;
  readonly tapMac: string;
  readonly bridge: string;
  /** The guest NIC's MAC (the domain XML's). */
  readonly mac: string;
  /** Guest address (CIDR) and the peers its /init pings. */
  readonly ip: string;
  readonly gateway?: string;
  readonly host?: string;
  /** ICMP data bytes of an extra ping to the gateway (else the host), reported as `big` (MTU holes). */
  readonly bigPing?: number;
  /** Directory for the console file and pidfile: inside the fleet's work dir. */
  readonly dir: string;
}

export class Guest {
  private constructor(
    readonly spec: GuestSpec,
    readonly consolePath: string,
    private readonly pidPath: string,
  ) {}

  static async boot(assets: GuestAssets, spec: GuestSpec): Promise<Guest> {
    const consolePath = path.join(spec.dir, `${spec.tap}.console`);
    const pidPath = path.join(spec.dir, `${spec.tap}.pid`);
    const cmdline = ['console=ttyS0', 'quiet', 'panic=-1', `fleet.ip=${spec.ip}`];
    if (spec.gateway) cmdline.push(`fleet.gw=${spec.gateway}`);
    if (spec.host) cmdline.push(`fleet.host=${spec.host}`);
    if (spec.bigPing !== undefined) cmdline.push(`fleet.bigping=${spec.bigPing}`);
    // -m 128 and a 32 MB translation cache: ~200 MB RSS per guest, two at once fit the CI machine.
    await run('ip', [
      'netns',
      'exec',
      spec.netns,
      'qemu-system-x86_64',
      '-accel',
      'tcg,tb-size=32',
      '-m',
      '128',
      '-nodefaults',
      '-no-user-config',
      '-display',
      'none',
      '-no-reboot',
      '-kernel',
      assets.kernel,
      '-initrd',
      assets.initrd,
      '-append',
      cmdline.join(' '),
      '-serial',
      `file:${consolePath}`,
      '-netdev',
      `tap,id=n0,ifname=${spec.tap},script=no,downscript=no`,
      '-device',
      `virtio-net-pci,netdev=n0,mac=${spec.mac}`,
      '-pidfile',
      pidPath,
      '-daemonize',
    ]);
    // libvirt gives the host side of a tap the guest MAC with fe: first, then enslaves it.
    await run('ip', ['-n', spec.netns, 'link', 'set', 'dev', spec.tap, 'address', spec.tapMac, 'master', spec.bridge, 'up']);
    return new Guest(spec, consolePath, pidPath);
  }

  /** The console's report lines so far. */
  lines(): string[] {
    if (!existsSync(this.consolePath)) return [];
    return readFileSync(this.consolePath, 'utf8')
      .split(/\r?\n/)
      .filter((l) => l.startsWith('fleet-guest: '));
  }

  /**
   * Waits until the guest reports `peer` (`gw`, `host`, or `big` for the big ping) as `state` in a line written after
   * `after` report lines, and returns the line count then (for the next wait).
   */
  async waitFor(peer: 'gw' | 'host' | 'big', state: 'ok' | 'fail', after: number, timeoutMs: number): Promise<number> {
    const end = Date.now() + timeoutMs;
    const want = new RegExp(`^fleet-guest: ${peer} \\S+ ${state}$`);
    for (;;) {
      const lines = this.lines();
      if (lines.slice(after).some((l) => want.test(l))) return lines.length;
      if (Date.now() > end)
        throw new Error(`guest on ${this.spec.tap}: no "${peer} ${state}" within ${timeoutMs} ms; console:\n${lines.slice(-5).join('\n')}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Kills QEMU by its pidfile pid (never by name) and waits for it to be gone. */
  async stop(): Promise<void> {
    if (!existsSync(this.pidPath)) return;
    const pid = Number(readFileSync(this.pidPath, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 1) return;
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 50; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    process.kill(pid, 'SIGKILL');
  }
}
