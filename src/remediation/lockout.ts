/**
 * Lockout risk: does the change touch the address fleet is connected through? Then `--check` says
 * so, and which safety will catch it. Pure.
 */
import type { BridgeParams } from '../bridge/index.js';
import type { RuntimeSnapshot } from './runtime.js';

/** A warning line, or undefined when the connection's address and link are not touched. */
export function lockoutWarning(
  s: RuntimeSnapshot,
  p: BridgeParams,
  batch: readonly string[],
  connectedTo: string,
  safety: string,
): string | undefined {
  const holders = s.addrs.filter((a) => a.local === connectedTo).map((a) => a.dev);
  const declaredIp = p.address?.split('/')[0];
  if (holders.length === 0) {
    return declaredIp === connectedTo && batch.length > 0
      ? `lockout risk: the change puts ${connectedTo} (the address fleet connects to) on ${p.bridge}; safety: ${safety}`
      : undefined;
  }
  const touched = holders.filter((dev) => batch.some((line) => line.split(/\s+/).includes(dev)));
  if (touched.length > 0) {
    const from = [...new Set(holders)].join(', ');
    const moves =
      declaredIp === connectedTo && !holders.every((h) => h === p.bridge)
        ? ` moves ${connectedTo} (the address fleet connects to) from ${from} to ${p.bridge} and`
        : '';
    return `lockout risk: the change${moves} touches ${touched.join(', ')}, which carries ${connectedTo}, the address fleet is connected through; safety: ${safety}`;
  }
  if (declaredIp && declaredIp !== connectedTo && holders.includes(p.bridge)) {
    return `lockout risk: ${p.bridge} carries ${connectedTo} (fleet's connection) but the declared address is ${p.address}; safety: ${safety}`;
  }
  return undefined;
}
