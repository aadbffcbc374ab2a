/**
 * A real QEMU guest (TCG) that a simulated host's real libvirtd (SimFleetOptions.libvirtd) defines and
 * runs: a transient `type='qemu'` domain (`virsh create`) booting the test kernel and initramfs
 * (assets.ts) with one NIC, either `type='bridge'` (libvirt creates the tap with the target name and
 * attaches it) or `type='direct'` (macvtap on a host NIC).
 *
 * virsh runs on the controller through the host's libvirtd socket (qemu:///system?socket=…): the
 * same daemon fleet reaches over SSH with plain qemu:///system. stop() destroys the domain and, if
 * that fails, kills QEMU by its pidfile pid (its tap stays busy while it lives). QEMU runs in the
 * host's network namespace and names the fleet's work dir, so the fleet's teardown kills it anyway.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { GuestAssets } from './assets.js';
import { reportLines, waitForReport, type RealGuest } from './console-report.js';

const run = promisify(execFile);

/** What SimFleet.libvirtd(host) returns. */
export interface LibvirtdHandle {
  readonly uri: string;
  pidPath(domain: string): string;
}

export interface LibvirtGuestSpec {
  /** The host's libvirtd: `sim.libvirtd('hv01')`. */
  readonly libvirtd: LibvirtdHandle;
  /** Domain name, e.g. the planned `sim.host('hv01').vms[0].name`. */
  readonly domain: string;
  /** The host-side device name libvirt gives the NIC (its `<target dev>`): a tap, or the macvtap. */
  readonly tap: string;
  /** The guest NIC's MAC; libvirt gives a tap the same MAC with fe: first. */
  readonly mac: string;
  /** `type='bridge'` on this bridge, or `type='direct'` on `direct.dev` (exactly one of the two). */
  readonly bridge?: string;
  readonly direct?: { readonly dev: string; readonly mode: 'bridge' | 'vepa' | 'private' | 'passthrough' };
  /** Guest address (CIDR) and the peers its /init pings. */
  readonly ip: string;
  readonly gateway?: string;
  readonly host?: string;
  /** ICMP data bytes of an extra ping to the gateway (else the host), reported as `big` (MTU holes). */
  readonly bigPing?: number;
  /** Directory for the console file and domain XML: inside the fleet's work dir. */
  readonly dir: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&apos;').replace(/"/g, '&quot;');

/** The domain XML (pure). */
export function renderGuestDomain(assets: GuestAssets, spec: LibvirtGuestSpec, consolePath: string): string {
  if ((spec.bridge === undefined) === (spec.direct === undefined))
    throw new Error(`guest ${spec.domain}: give exactly one of bridge and direct`);
  // no_timer_check: on a loaded machine TCG runs the guest so slowly that the kernel's IO-APIC
  // timer check fails and it panics ("IO-APIC + timer doesn't work!", seen at load 40 on 2 cores).
  const cmdline = ['console=ttyS0', 'quiet', 'no_timer_check', 'panic=-1', `fleet.ip=${spec.ip}`];
  if (spec.gateway) cmdline.push(`fleet.gw=${spec.gateway}`);
  if (spec.host) cmdline.push(`fleet.host=${spec.host}`);
  if (spec.bigPing !== undefined) cmdline.push(`fleet.bigping=${spec.bigPing}`);
  const nic = spec.direct
    ? [`<interface type='direct'>`, `<source dev='${esc(spec.direct.dev)}' mode='${spec.direct.mode}'/>`]
    : [`<interface type='bridge'>`, `<source bridge='${esc(spec.bridge ?? '')}'/>`];
  return [
    `<domain type='qemu'>`,
    `<name>${esc(spec.domain)}</name>`,
    // 128 MB and a 32 MB translation cache: ~200 MB RSS per guest, two at once fit the CI machine.
    `<memory unit='MiB'>128</memory>`,
    '<vcpu>1</vcpu>',
    '<os>',
    `<type arch='x86_64' machine='pc'>hvm</type>`,
    `<kernel>${esc(assets.kernel)}</kernel>`,
    `<initrd>${esc(assets.initrd)}</initrd>`,
    `<cmdline>${esc(cmdline.join(' '))}</cmdline>`,
    '</os>',
    `<features><tcg><tb-cache unit='MiB'>32</tb-cache></tcg></features>`,
    // An /init that dies panics (panic=-1) and reboots: end the domain instead, never hang a test.
    '<on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><on_crash>destroy</on_crash>',
    '<devices>',
    '<emulator>/usr/bin/qemu-system-x86_64</emulator>',
    `<controller type='usb' model='none'/>`,
    ...nic,
    `<mac address='${esc(spec.mac)}'/>`,
    `<target dev='${esc(spec.tap)}'/>`,
    `<model type='virtio'/>`,
    '</interface>',
    `<serial type='file'><source path='${esc(consolePath)}'/><target port='0'/></serial>`,
    `<memballoon model='none'/>`,
    '</devices>',
    '</domain>',
    '',
  ].join('\n');
}

export class LibvirtGuest implements RealGuest {
  private constructor(
    readonly spec: LibvirtGuestSpec,
    readonly consolePath: string,
  ) {}

  /** Starts the domain (`virsh create`) and returns once libvirt has it running. */
  static async boot(assets: GuestAssets, spec: LibvirtGuestSpec): Promise<LibvirtGuest> {
    const consolePath = path.join(spec.dir, `${spec.domain}.console`);
    const xmlPath = path.join(spec.dir, `${spec.domain}.domain.xml`);
    writeFileSync(xmlPath, renderGuestDomain(assets, spec, consolePath));
    const guest = new LibvirtGuest(spec, consolePath);
    await guest.virsh('create', xmlPath);
    return guest;
  }

  /** Runs `virsh -c <the host's libvirtd> …args` on the controller; rejects with virsh's message. */
  async virsh(...args: string[]): Promise<string> {
    try {
      const { stdout } = await run('virsh', ['-c', this.spec.libvirtd.uri, ...args], { timeout: 60_000 });
      return stdout;
    } catch (e) {
      const err = e as { stderr?: string; message?: string; killed?: boolean };
      const why = err.killed ? 'no answer within 60 s' : err.stderr?.trim() || err.message?.trim() || 'failed';
      throw new Error(`virsh ${args.join(' ')} (guest ${this.spec.domain}): ${why}`);
    }
  }

  lines(): string[] {
    return reportLines(this.consolePath);
  }

  waitFor(peer: 'gw' | 'host' | 'big', state: 'ok' | 'fail', after: number, timeoutMs: number): Promise<number> {
    return waitForReport(this.consolePath, `guest ${this.spec.domain}`, peer, state, after, timeoutMs);
  }

  /** `virsh destroy`; if that fails, kills QEMU by its pidfile pid (never by name). Waits until it is gone. */
  async stop(): Promise<void> {
    const pidPath = this.spec.libvirtd.pidPath(this.spec.domain);
    const pid = existsSync(pidPath) ? Number(readFileSync(pidPath, 'utf8').trim()) : NaN;
    try {
      await this.virsh('destroy', this.spec.domain);
    } catch {
      /* libvirtd gone or confused: the pid below */
    }
    if (!Number.isInteger(pid) || pid <= 1) return;
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
      if (!alive()) return;
      try {
        process.kill(pid, sig);
      } catch {
        return;
      }
      for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
    }
  }
}
