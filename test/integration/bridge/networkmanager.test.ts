/**
 * NetworkManager validates the keyfiles offline: `nmcli --offline connection modify` reads a
 * keyfile on stdin, normalizes and verifies it like the daemon does (e.g. forward-delay range
 * with STP on) and prints the result. NM silently drops keys it does not know, so every key we
 * wrote must come back, or be one NM omits because it equals the default (checked by asking
 * nmcli to set that property on the original profile, which fails for an unknown property).
 */
import { describe, expect, it } from 'vitest';
import { casePairs } from '../../fixtures/bridge/cases.js';
import { render, requireTool, run } from './helpers/tools.js';

type Ini = Map<string, string>; // "group.key" -> value

function parseKeyfile(text: string): Ini {
  const out: Ini = new Map();
  let group = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const g = /^\[(.+)\]$/.exec(line);
    if (g) {
      group = g[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) out.set(`${group}.${line.slice(0, eq)}`, line.slice(eq + 1));
  }
  return out;
}

/** Runs the offline round trip; returns nmcli's result and the keys that did not come back. */
function roundTrip(keyfile: string): { code: number | null; stderr: string; lost: string[]; out: Ini } {
  const nmcli = requireTool('nmcli', 'network-manager');
  // Setting autoconnect to the value the profile already has changes nothing.
  const ran = run(nmcli, ['--offline', 'connection', 'modify', 'connection.autoconnect', 'yes'], { input: keyfile });
  const mine = parseKeyfile(keyfile);
  const out = parseKeyfile(ran.stdout);
  const lost: string[] = [];
  for (const [key, value] of mine) {
    if (out.get(key) === value) continue;
    if (out.has(key)) {
      lost.push(`${key}=${value} came back as ${out.get(key)}`);
      continue;
    }
    // Absent: fine only if NM knows the property and accepts this value (it omits defaults).
    const probe = run(nmcli, ['--offline', 'connection', 'modify', key, value], { input: keyfile });
    if (probe.code !== 0) lost.push(`${key}=${value} dropped: ${probe.stderr.trim().split('\n')[0]}`);
  }
  return { code: ran.code, stderr: ran.stderr, lost, out };
}

describe('nmcli --offline accepts every NetworkManager keyfile without dropping keys', () => {
  const cases = casePairs().filter((p) => p.stack === 'networkmanager');
  const files = cases.flatMap(({ c }) =>
    render('networkmanager', c.vars).files.map((f) => [`${c.name}: ${f.path}`, f.content, c.vars] as const),
  );

  it.each(files)('%s', (_name, content, vars) => {
    const r = roundTrip(content);
    expect({ code: r.code, stderr: r.stderr, lost: r.lost }).toEqual({ code: 0, stderr: '', lost: [] });
    if (r.out.get('connection.type') === 'bridge') {
      // NM omits values equal to its defaults (stp=true, forward-delay=15).
      expect(r.out.get('bridge.stp') ?? 'true').toBe(vars.stp ? 'true' : 'false');
      expect(r.out.get('bridge.forward-delay') ?? '15').toBe(String(vars.forward_delay ?? 0));
    } else {
      // The port profile really points at the bridge profile.
      expect(r.out.get('connection.slave-type')).toBe('bridge');
      expect(r.out.get('connection.master')).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('rejects forward-delay 0 with STP on, and notices keys NM 1.42 drops (the check can fail)', () => {
    const bridge = render('networkmanager', { bridge: 'br0', uplink: 'eno1', dhcp: true }).files[0]!.content;
    const stpOnFd0 = roundTrip(bridge.replace(/^stp=false$/m, 'stp=true'));
    expect(stpOnFd0.code).not.toBe(0);
    expect(stpOnFd0.stderr).toMatch(/forward-delay.*out of range/);

    const port = render('networkmanager', { bridge: 'br0', uplink: 'eno1', dhcp: true }).files[1]!.content;
    const newSyntax = roundTrip(port.replace(/^master=/m, 'controller=').replace(/^slave-type=/m, 'port-type='));
    const nmcli = requireTool('nmcli', 'network-manager');
    const version = run(nmcli, ['--version']).stdout;
    // NM >= 1.46 understands controller=/port-type=; older ones (Debian 12: 1.42) drop them silently.
    const [maj, min] = (/(\d+)\.(\d+)/.exec(version) ?? []).slice(1).map(Number);
    if ((maj ?? 0) === 1 && (min ?? 0) < 46) expect(newSyntax.lost.join('\n')).toContain('connection.controller');
    else expect(newSyntax.lost).toEqual([]);
  });
});
