/**
 * ifupdown validates the interfaces renderings: `ifquery` parses them (syntax, stanzas, options
 * read back), `ifup --no-act` checks each method's required options and prints what it would run.
 * Then classic ifupdown + bridge-utils really brings the bridge up (and down) from the rendered
 * file inside private namespaces, and the kernel state is compared with the parameters.
 * ifupdown2 conflicts with ifupdown and is not installed: its vmbr-style file is parsed by
 * classic ifquery/ifup --no-act where the syntax overlaps, not by ifupdown2 itself.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BridgeStack } from '../../../src/bridge/types.js';
import { casePairs } from '../../fixtures/bridge/cases.js';
import { inPrivateNamespaces, q, render, requireTool, run, tempDir } from './helpers/tools.js';

const tmp = tempDir('ifupdown');
afterAll(() => tmp.cleanup());

const STACKS: BridgeStack[] = ['ifupdown', 'ifupdown-interfaces-d', 'ifupdown2'];

/** Writes the rendering; for the interfaces.d variant also a main file that sources it. Returns the main file. */
function install(stack: BridgeStack, name: string, vars: Record<string, unknown>): string {
  const dir = path.join(tmp.dir, stack, name);
  mkdirSync(path.join(dir, 'interfaces.d'), { recursive: true });
  const f = render(stack, vars).files[0]!;
  if (stack !== 'ifupdown-interfaces-d') {
    // Hermetic: the rendered `source /etc/network/interfaces.d/*` would read this machine's files.
    const own = f.content.replace('source /etc/network/interfaces.d/*', `source ${dir}/interfaces.d/*`);
    expect(own).not.toBe(f.content);
    writeFileSync(path.join(dir, 'interfaces'), own);
    return path.join(dir, 'interfaces');
  }
  writeFileSync(path.join(dir, 'interfaces.d', path.basename(f.path)), f.content);
  writeFileSync(path.join(dir, 'interfaces'), `auto lo\niface lo inet loopback\n\nsource ${dir}/interfaces.d/*\n`);
  return path.join(dir, 'interfaces');
}

/** `ifquery IFACE` output as option → values (an option may appear once per address family). */
function options(out: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of out.split('\n')) {
    const i = line.indexOf(': ');
    if (i > 0) m.set(line.slice(0, i), [...(m.get(line.slice(0, i)) ?? []), line.slice(i + 2)]);
  }
  return m;
}

describe('ifquery and ifup --no-act accept every ifupdown rendering', () => {
  const pairs = casePairs().filter((p) => STACKS.includes(p.stack));

  it.each(pairs.map((p) => [`${p.stack} ${p.c.name}`, p.stack, p.c] as const))('%s', (_n, stack, c) => {
    const ifquery = requireTool('ifquery', 'ifupdown');
    const ifup = requireTool('ifup', 'ifupdown');
    if (c.vars.dhcp) requireTool('dhclient', 'isc-dhcp-client', 'ifup for a dhcp stanza');
    const file = install(stack, c.name, c.vars);
    const bridge = String(c.vars.bridge);

    const list = run(ifquery, ['-i', file, '--list', '--allow=auto']);
    expect({ code: list.code, stderr: list.stderr }).toEqual({ code: 0, stderr: '' });
    expect(list.stdout.split('\n').filter(Boolean)).toEqual(['lo', bridge]);

    const query = run(ifquery, ['-i', file, bridge]);
    expect({ code: query.code, stderr: query.stderr }).toEqual({ code: 0, stderr: '' });
    const opts = options(query.stdout);
    const dash = stack === 'ifupdown2' ? '-' : '_';
    expect(opts.get(`bridge${dash}ports`)).toEqual([String(c.vars.uplink)]);
    expect(opts.get(`bridge${dash}stp`)).toEqual([c.vars.stp ? 'on' : 'off']);
    expect(opts.get(`bridge${dash}fd`)).toEqual([String(c.vars.forward_delay ?? 0)]);
    if (c.vars.mtu) expect(opts.get('mtu')).toEqual([String(c.vars.mtu)]);
    if (c.vars.vlan_aware) expect(opts.get(`bridge${dash}vlan${dash}aware`)).toEqual(['yes']);

    // --no-act prints the plan on stderr; real problems are "ifup: ..." lines and a non-zero exit.
    const dry = run(ifup, ['--no-act', '-i', file, '-a']);
    expect(dry.code).toBe(0);
    expect(dry.stderr.split('\n').filter((l) => l.startsWith('ifup:'))).toEqual([]);
    if (c.vars.address) expect(dry.stderr).toContain(`ip addr add ${String(c.vars.address).split('/')[0]}/`);
    if (c.vars.gateway) expect(dry.stderr).toContain(`ip route add default via ${String(c.vars.gateway)}`);
    if (c.vars.dhcp) expect(dry.stderr).toMatch(/dhclient -4 .*\bbr0\b/);
  });

  it('rejects a broken stanza (the check can fail)', () => {
    const ifup = requireTool('ifup', 'ifupdown');
    const broken = path.join(tmp.dir, 'broken-interfaces');
    writeFileSync(broken, 'auto br0\niface br0 inet static\n    gateway 192.0.2.1\n');
    const dry = run(ifup, ['--no-act', '-i', broken, 'br0']);
    expect(dry.code).not.toBe(0);
    expect(dry.stderr).toContain('missing required variable: address');
  });
});

/** Brings the rendered bridge up and down with real ifupdown + bridge-utils in private namespaces. */
function applyForReal(stack: 'ifupdown' | 'ifupdown-interfaces-d', vars: Record<string, unknown>) {
  const ifup = requireTool('ifup', 'ifupdown');
  requireTool('brctl', 'bridge-utils');
  const file = install(stack, `apply-${String(vars.bridge)}`, vars);
  const dir = path.dirname(file);
  const bridge = String(vars.bridge);
  const uplink = String(vars.uplink);
  // The full file sources /etc/network/interfaces.d/*: an empty directory is mounted there, and
  // for the interfaces.d variant the rendered snippet's directory. if-up.d/if-down.d hooks other
  // than bridge-utils' are hidden (they would talk to resolvers). IPv6 is off in the namespace,
  // so nothing is sent anywhere; the veth peer stays inside the namespace too.
  // quiet: runs a command, drops the one message this kernel's missing VLAN filtering causes
  // (bridge-utils' hook always sets vlan_filtering, even to 0), reports any other output and a
  // non-zero exit on stderr, which the tests require to be empty.
  const script = `
    quiet() {
      local out rc=0
      out=$("$@" 2>&1) || rc=$?
      printf '%s\n' "$out" | grep -v -e '^RTNETLINK answers: Operation not supported$' -e '^$' >&2 || true
      [ "$rc" = 0 ] || echo "$* exited $rc" >&2
    }
    mount -t tmpfs none /run; mkdir -p /run/network; mount -t sysfs none /sys
    empty=$(mktemp -d)
    mount --bind "$empty" /etc/network/if-up.d; mount --bind "$empty" /etc/network/if-down.d
    mount --bind ${stack === 'ifupdown' ? '"$empty"' : q(`${dir}/interfaces.d`)} /etc/network/interfaces.d
    sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip link set lo up
    ip link add ${q(uplink)} type veth peer name fbpeer0
    ip link set fbpeer0 up
    quiet ${ifup} -i ${q(file)} ${q(bridge)}
    echo '@@link'; ip -j -d link show dev ${q(bridge)}
    echo '@@port'; ip -j link show dev ${q(uplink)}
    echo '@@addr'; ip -j addr show dev ${q(bridge)}
    echo '@@route'; ip -j route show default
    quiet ${ifup.replace(/ifup$/, 'ifdown')} -i ${q(file)} ${q(bridge)}
    echo '@@after'; ip -j link show
  `;
  const r = inPrivateNamespaces(script);
  const parts = new Map<string, unknown>();
  for (const chunk of r.stdout.split('@@').slice(1)) {
    const nl = chunk.indexOf('\n');
    parts.set(chunk.slice(0, nl), JSON.parse(chunk.slice(nl + 1)));
  }
  return { r, parts };
}

interface LinkJson {
  ifname: string;
  mtu: number;
  address: string;
  master?: string;
  flags: string[];
  linkinfo?: { info_kind: string; info_data: { stp_state: number; forward_delay: number } };
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

describe('classic ifupdown + bridge-utils brings the rendered bridge up for real (private namespaces)', () => {
  it('static address, gateway, MTU, MAC and STP on with forward_delay 3 s (full interfaces file)', () => {
    const vars = {
      bridge: 'br0',
      uplink: 'eno1',
      uplink_mac: '02:00:00:00:09:01',
      address: '198.18.9.2/24',
      gateway: '198.18.9.1',
      mtu: 1400,
      stp: true,
      forward_delay: 3,
    };
    const { r, parts } = applyForReal('ifupdown', vars);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const [link] = parts.get('link') as LinkJson[];
    expect(link?.linkinfo?.info_kind).toBe('bridge');
    expect(link?.linkinfo?.info_data.stp_state).toBe(1);
    expect(link?.linkinfo?.info_data.forward_delay).toBe(300); // centiseconds
    expect(link?.mtu).toBe(1400);
    expect(link?.address).toBe('02:00:00:00:09:01');
    const [port] = parts.get('port') as LinkJson[];
    expect([port?.master, port?.mtu]).toEqual(['br0', 1400]);
    const [addr] = parts.get('addr') as LinkJson[];
    expect(addr?.addr_info?.map((a) => `${a.local}/${a.prefixlen}`)).toEqual(['198.18.9.2/24']);
    expect(parts.get('route')).toEqual([expect.objectContaining({ dst: 'default', gateway: '198.18.9.1', dev: 'br0' })]);
    // ifdown with the same file removes the bridge again (bridge-utils' post-down hook).
    expect((parts.get('after') as LinkJson[]).map((l) => l.ifname)).not.toContain('br0');
  });

  it('L2-only bridge, STP off, forward_delay 0 (interfaces.d snippet)', () => {
    const { r, parts } = applyForReal('ifupdown-interfaces-d', { bridge: 'br1', uplink: 'eno2' });
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    const [link] = parts.get('link') as LinkJson[];
    expect(link?.linkinfo?.info_data).toMatchObject({ stp_state: 0, forward_delay: 0 });
    expect(link?.flags).toContain('UP');
    expect((parts.get('port') as LinkJson[])[0]?.master).toBe('br1');
    expect((parts.get('addr') as LinkJson[])[0]?.addr_info ?? []).toEqual([]);
    expect(parts.get('route')).toEqual([]);
  });
});
