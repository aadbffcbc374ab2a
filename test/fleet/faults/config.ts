/**
 * Persistent-vs-runtime faults (checks 28, 29): the host's /etc/network/interfaces and sysctl.d
 * (its /etc/netns overlay) disagree with what the kernel runs.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { IN_HOST } from '../addressing.js';
import { HOST_LAYOUT, nicMacs } from '../model.js';
import { renderInterfaces } from '../render/interfaces.js';
import type { FaultImpl } from './types.js';

export const configDrift: FaultImpl<'config.drift'> = async (ctx, o) => {
  if ((o.variant ?? 'file') === 'file') {
    // Edited but never applied: the next boot would come up without the bridge the guests use.
    const macs = nicMacs(ctx.block, ctx.h.host.index);
    writeFileSync(
      path.join(ctx.h.etcDir, 'network/interfaces'),
      renderInterfaces({ host: ctx.h.host, mgmtMac: macs.mgmt, vmMac: macs.vm, omitVmBridge: true }),
    );
    return;
  }
  // A manual runtime fix nobody persisted.
  await ctx.ip([`address add ${IN_HOST.driftAddress} dev ${HOST_LAYOUT.mgmtBridge}`]);
};

export const sysctlPersistence: FaultImpl<'config.sysctl-persistence'> = async (ctx) => {
  // A hardening file that says strict rp_filter, never applied (runtime stays 0).
  writeFileSync(
    path.join(ctx.h.etcDir, 'sysctl.d/60-hardening.conf'),
    '# added by a hardening baseline; not applied yet\nnet.ipv4.conf.all.rp_filter = 1\n',
  );
};
