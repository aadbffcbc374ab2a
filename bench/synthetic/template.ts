/**
 * A recorded facts output turned into a per-host answer. The recording is cut once into literal
 * chunks and slots (hostname, machine-id, MAC suffixes), so answering a host is one join: no regex
 * per exec. Uniqueness matters because fleet.duplicate-mac compares guest MACs, bridge MACs and
 * machine-ids across hosts: with `cloned`, every host answers the recording verbatim (a fleet of
 * cloned images, the check's worst case).
 */
import { createHash } from 'node:crypto';

/** What makes one synthetic host itself. */
export interface HostIdentity {
  readonly name: string;
  /** 0-based position in the fleet; keys the MACs. */
  readonly index: number;
}

type Slot = (h: HostIdentity) => string;

export interface FactsTemplate {
  render(h: HostIdentity): string;
}

// The simulated fleet's own MAC families: host NICs/bridges (02:18:00), guests (52:54:00) and their
// taps (fe:54:00, same suffix as the guest). The gateway's and multicast MACs stay as recorded.
const MAC = /\b(02:18:00|52:54:00|fe:54:00):([0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2})\b/g;

function sectionLine(text: string, section: string): string {
  const m = new RegExp(`^@@FLEET@@ \\S+ ${section}\\n(.*)$`, 'm').exec(text);
  if (!m?.[1]) throw new Error(`recorded output has no ${section} section`);
  return m[1].trim();
}

export function machineIdOf(name: string): string {
  return createHash('md5').update(name).digest('hex');
}

export function compileTemplate(text: string, cloned: boolean): FactsTemplate {
  if (cloned) return { render: () => text };
  const hostname = sectionLine(text, 'hostname');
  const machineId = sectionLine(text, 'machine_id');
  // Each distinct recorded MAC suffix gets a slot; a host's MACs are (index, slot) in the last 3 bytes,
  // so a guest and its tap keep sharing a suffix and no two hosts share any.
  const suffixes = new Map<string, number>();
  const pattern = new RegExp(`\\b(${hostname})\\b|(${machineId})|${MAC.source}`, 'g');
  const parts: Array<string | Slot> = [];
  let last = 0;
  for (const m of text.matchAll(pattern)) {
    parts.push(text.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[1]) parts.push((h) => h.name);
    else if (m[2]) parts.push((h) => machineIdOf(h.name));
    else {
      const prefix = m[3]!;
      let slot = suffixes.get(m[4]!);
      if (slot === undefined) suffixes.set(m[4]!, (slot = suffixes.size));
      const s = slot;
      parts.push((h) => `${prefix}:${hex3(h.index * 16 + s)}`);
    }
  }
  parts.push(text.slice(last));
  if (suffixes.size > 16) throw new Error(`recorded output has ${suffixes.size} MAC suffixes; at most 16 fit the scheme`);
  return { render: (h) => parts.map((p) => (typeof p === 'string' ? p : p(h))).join('') };
}

function hex3(n: number): string {
  if (n >= 1 << 24) throw new Error('too many synthetic hosts for unique MACs (max 1,048,576)');
  const h = n.toString(16).padStart(6, '0');
  return `${h.slice(0, 2)}:${h.slice(2, 4)}:${h.slice(4, 6)}`;
}
