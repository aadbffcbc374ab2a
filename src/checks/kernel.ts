/**
 * Check 26: the kernel pieces KVM networking needs. Modules and /dev nodes are host-global: in a
 * network-namespace test bed this reports the machine running the test bed, not the fake host.
 */
import { defineCheck, pass } from './define.js';
import { listing } from './model.js';
import { maybe, need } from './need.js';

export const kernelModulesDevices = defineCheck({
  id: 'kernel.modules-devices',
  group: 'kernel',
  title: 'bridge, tun, kvm present; /dev/kvm and /dev/net/tun exist; vhost-net recommended',
  severity: 'critical',
  fixId: 'load-modules',
  evaluate(f) {
    const k = need(f.kernelModules);
    const m = k.modules;
    const dev = (p: string) => k.devices[p];
    // A bridge that exists proves bridge support whatever the module lists say.
    const haveBridge =
      (maybe(f.links) ?? []).some((l) => l.kind === 'bridge') || ['loaded', 'builtin', 'available'].includes(m['bridge'] ?? 'unknown');
    const ev = { modules: m, devices: k.devices, brNetfilter: maybe(f.brNetfilter) ?? null };
    const critical: string[] = [];
    if (dev('/dev/kvm') !== 'char')
      critical.push(
        `/dev/kvm ${dev('/dev/kvm') === 'other' ? 'is not a character device' : 'is missing'} (no hardware virtualisation or kvm_intel/kvm_amd not loaded)`,
      );
    if (dev('/dev/net/tun') !== 'char')
      critical.push(
        `/dev/net/tun ${dev('/dev/net/tun') === 'other' ? 'is not a character device' : 'is missing'} (taps cannot be created)`,
      );
    if (!haveBridge && m['bridge'] === 'absent') critical.push('the bridge module is not available');
    if (critical.length > 0) {
      return {
        status: 'fail',
        evidence: ev,
        message: `${critical[0]}${critical.length > 1 ? ` (+${critical.length - 1} more)` : ''}: guests cannot start/attach; load the modules (or enable VT-x/AMD-V in firmware)`,
      };
    }
    if (dev('/dev/vhost-net') !== 'char') {
      const why = m['vhost_net'] === 'absent' ? 'vhost_net is not built for this kernel' : 'load vhost_net';
      return {
        status: 'warn',
        severity: 'medium',
        fixable: m['vhost_net'] !== 'absent',
        evidence: ev,
        message: `/dev/vhost-net is missing: virtio-net runs in QEMU userspace (slower); ${why}`,
      };
    }
    const unknown = Object.entries(m)
      .filter(([, s]) => s === 'unknown')
      .map(([n]) => n);
    return pass(
      `/dev/kvm, /dev/net/tun, /dev/vhost-net present; bridge ${haveBridge ? 'available' : 'unknown'}${unknown.length ? ` (state unknown: ${listing(unknown)})` : ''}`,
      ev,
    );
  },
});
