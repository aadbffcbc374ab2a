/**
 * netplan validates the netplan renderings offline: `netplan generate --root-dir DIR` parses
 * DIR/etc/netplan/*.yaml exactly as at boot and writes the backend files under DIR/run, without
 * touching this machine. The generated backend files are then checked for the bridge settings.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CASES, casePairs } from '../../fixtures/bridge/cases.js';
import { render, requireTool, run, tempDir } from './helpers/tools.js';

const tmp = tempDir('netplan');
afterAll(() => tmp.cleanup());

/** Installs `files` under a fresh root and runs netplan generate on it. */
function generate(name: string, files: { path: string; content: string; mode: number }[]) {
  const netplan = requireTool('netplan', 'netplan.io');
  const root = path.join(tmp.dir, name);
  for (const f of files) {
    const p = path.join(root, f.path);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, f.content);
    chmodSync(p, f.mode);
  }
  return { root, ran: run(netplan, ['generate', '--root-dir', root]) };
}

const read = (root: string, rel: string) => readFileSync(path.join(root, rel), 'utf8');

describe('netplan generate accepts every netplan rendering', () => {
  const cases = casePairs().filter((p) => p.stack === 'netplan');

  it.each(cases.map((p) => [p.c.name, p.c] as const))('%s', (name, c) => {
    const cfg = render('netplan', c.vars);
    const { root, ran } = generate(name, cfg.files);
    // stderr must be empty: netplan only *warns* (exit 0) about e.g. world-readable files.
    expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 0, stderr: '' });

    const bridge = String(c.vars.bridge);
    if (c.vars.netplan_renderer === 'NetworkManager') {
      const nm = read(root, `run/NetworkManager/system-connections/netplan-${bridge}.nmconnection`);
      expect(nm).toContain('type=bridge');
      expect(nm).toMatch(/^stp=false$/m);
      const port = read(root, `run/NetworkManager/system-connections/netplan-${String(c.vars.uplink)}.nmconnection`);
      expect(port).toMatch(new RegExp(`^master=${bridge}$`, 'm'));
      return;
    }
    const netdev = read(root, `run/systemd/network/10-netplan-${bridge}.netdev`);
    expect(netdev).toContain('Kind=bridge');
    const port = read(root, `run/systemd/network/10-netplan-${String(c.vars.uplink)}.network`);
    expect(port).toMatch(new RegExp(`^Bridge=${bridge}$`, 'm'));
    const net = read(root, `run/systemd/network/10-netplan-${bridge}.network`);
    if (c.vars.address) expect(net).toContain(`Address=${String(c.vars.address)}`);
    if (c.vars.gateway) expect(net).toContain(`Gateway=${String(c.vars.gateway)}`);
    if (c.vars.dhcp) expect(net).toMatch(/^DHCP=(ipv4|yes)$/m);
    if (c.vars.mtu) expect(`${netdev}\n${port}`).toContain(`MTUBytes=${String(c.vars.mtu)}`);
    if (c.vars.stp) {
      expect(netdev).toMatch(/^STP=true$/m);
      expect(netdev).toContain(`ForwardDelaySec=${String(c.vars.forward_delay)}`);
    } else {
      // No [Bridge] section at all: kernel default STP off, and `netplan try` stays usable.
      expect(netdev).not.toContain('[Bridge]');
    }
  });

  it('catches a broken file and a world-readable one (the check can fail)', () => {
    const good = render('netplan', CASES.find((c) => c.name === 'static')!.vars).files[0]!;
    const typo = generate('typo', [{ ...good, content: good.content.replace('interfaces:', 'interfacez:') }]);
    expect(typo.ran.code).not.toBe(0);
    expect(typo.ran.stderr).toContain("unknown key 'interfacez'");
    const open = generate('open-mode', [{ ...good, mode: 0o644 }]);
    expect(open.ran.stderr).toContain('too open');
  });
});
