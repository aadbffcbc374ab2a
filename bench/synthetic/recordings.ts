/**
 * Which recorded facts outputs exist (bench/synthetic/recorded/<name>.txt) and what each shows. The
 * synthetic fleet answers `clean` for most hosts and a fault for a configurable share of them.
 * `clean` means no fault injected: the recording machine has no /dev/kvm, so kernel.modules-devices
 * fails in every recording (as it would on a fleet of VMs without nested virtualisation).
 */
import path from 'node:path';

export interface Recording {
  readonly name: string;
  /** A test/fleet fault injected before recording; none for the clean host. */
  readonly fault: string | null;
}

export const RECORDINGS: readonly Recording[] = [
  { name: 'clean', fault: null },
  { name: 'ip-on-port', fault: 'bridge.ip-on-port' },
  { name: 'br-nf-iptables', fault: 'netfilter.br-nf-iptables' },
  { name: 'stp-forward-delay', fault: 'bridge.stp-forward-delay' },
  { name: 'tap-detached', fault: 'libvirt.tap-attached' },
];

/** Source directory of the recordings (they are data, not compiled: found from dist/ or bench/). */
export const RECORDED_DIR = path.resolve(
  import.meta.dirname,
  import.meta.dirname.includes(`${path.sep}dist${path.sep}`) ? '../../../bench/synthetic/recorded' : 'recorded',
);
