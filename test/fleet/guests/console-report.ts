/**
 * Reading a test guest's serial console file: the `fleet-guest: …` report lines its /init writes
 * (init-script.ts). What LibvirtGuest (libvirt-guest.ts) reads.
 */
import { existsSync, readFileSync } from 'node:fs';

/** What tests need of any real guest, however it was started. */
export interface RealGuest {
  readonly consolePath: string;
  lines(): string[];
  waitFor(peer: 'gw' | 'host' | 'big', state: 'ok' | 'fail', after: number, timeoutMs: number): Promise<number>;
  stop(): Promise<void>;
}

/** The console's report lines so far. */
export function reportLines(consolePath: string): string[] {
  if (!existsSync(consolePath)) return [];
  return readFileSync(consolePath, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.startsWith('fleet-guest: '));
}

/**
 * Waits until the console reports `peer` as `state` in a line written after `after` report lines,
 * and returns the line count then (for the next wait). `who` names the guest in the timeout error.
 */
export async function waitForReport(
  consolePath: string,
  who: string,
  peer: string,
  state: 'ok' | 'fail',
  after: number,
  timeoutMs: number,
): Promise<number> {
  const end = Date.now() + timeoutMs;
  const want = new RegExp(`^fleet-guest: ${peer} \\S+ ${state}$`);
  for (;;) {
    const lines = reportLines(consolePath);
    if (lines.slice(after).some((l) => want.test(l))) return lines.length;
    if (Date.now() > end) throw new Error(`${who}: no "${peer} ${state}" within ${timeoutMs} ms; console:\n${lines.slice(-5).join('\n')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
