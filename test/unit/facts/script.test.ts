import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FACT_SECTIONS, factsCommand, factsScript } from '../../../src/facts/script.js';
import { splitSections } from '../../../src/facts/sections.js';
import { FIXTURE_DIR, raw, type Capture } from '../../fixtures/facts/load.js';

const CAPTURES: Capture[] = ['clean', 'ip-on-port', 'nat-ok', 'libvirt-faults', 'no-libvirt', 'config-drift'];

describe('factsScript', () => {
  const script = factsScript({ libvirtUri: 'qemu:///system' });

  it('is the script that produced the recorded captures (re-run capture.sh after changing it)', () => {
    const recorded = readFileSync(path.join(FIXTURE_DIR, 'script.sha256'), 'utf8').trim();
    expect(createHash('sha256').update(script).digest('hex')).toBe(recorded);
  });

  it('prints every section in every recorded capture, each with an exit code, and the end marker', () => {
    for (const c of CAPTURES) {
      const split = splitSections(raw(c));
      expect(split.complete, c).toBe(true);
      for (const name of FACT_SECTIONS) expect(split.sections.get(name)?.rc, `${c}: ${name}`).not.toBeNull();
    }
  });

  it('guards every section with a timeout', () => {
    const calls = script.split('\n').filter((l) => l.startsWith('s '));
    expect(calls.map((l) => l.split(' ')[1])).toEqual(FACT_SECTIONS);
    for (const l of calls) expect(l).toMatch(/^s \S+ \d+ /);
    expect(script).toContain(`T='timeout -k 2'`);
  });

  it('quotes a hostile libvirt URI as one shell word and passes it to virsh only via -c', () => {
    const uri = `qemu:///system'; touch /tmp/pwned; echo '$(id)`;
    const s = factsScript({ libvirtUri: uri });
    expect(s).toContain(`URI='qemu:///system'\\''; touch /tmp/pwned; echo '\\''$(id)'`);
    expect(s.split(uri).length).toBe(1);
    // Every virsh invocation names the connection explicitly.
    const lines = s.split('\n').filter((l) => !l.startsWith('s virsh '));
    const calls = lines.flatMap((l) => [...l.matchAll(/\bvirsh [^\n]*/g)].map((m) => m[0]));
    expect(calls.length).toBe(2);
    expect(calls.filter((c) => !c.startsWith('virsh -c "$U" '))).toEqual([]);
  });

  it('never changes the host: no mutating ip/bridge/sysctl/iptables/modprobe verbs, no writes', () => {
    const forbidden = [
      /\bip (?:-\S+ )*(?:link|addr|address|route|rule|neigh) (?:add|del|delete|set|flush|replace|change)\b/,
      /\bbridge (?:-\S+ )*(?:vlan|fdb|link) (?:add|del|set)\b/,
      /\bsysctl -w\b/,
      /\bmodprobe\b/,
      /\b(?:ip6?tables|nft)\S* (?:-[AIDFXNP]|add|delete|flush)\b/,
      /> ?\/(?:proc|sys|etc)\//,
      /\bvirsh\b[^\n]*\b(?:start|destroy|define|edit|setlink)\b/,
    ];
    for (const re of forbidden) expect(script, String(re)).not.toMatch(re);
  });

  it('factsCommand wraps the script for Connection.exec as sh -c with one quoted word', () => {
    const c = factsCommand({ libvirtUri: 'test:///x.xml' });
    expect(c.startsWith("sh -c '# fleet facts v1")).toBe(true);
    expect(c.endsWith("'")).toBe(true);
  });
});
