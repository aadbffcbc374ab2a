/**
 * systemd-networkd has no offline "check config" mode (systemd-analyze verify is for units, and
 * networkctl needs a running daemon), so the real daemon is run inside private net/mount/pid
 * namespaces with the rendered files mounted at /etc/systemd/network:
 *  - parse mode (writable sysfs: networkd waits for udev, configures no link, sends nothing):
 *    every complaint networkd logs about a file ("FILE:LINE: Unknown key …", "Failed to parse …")
 *    fails the test;
 *  - apply mode (read-only sysfs, as in a container: no udev wait): networkd creates the bridge,
 *    enslaves a veth named like the uplink and configures addresses; the kernel state is compared
 *    with the parameters. IPv6 is disabled in the namespace and addresses are in 198.18.0.0/15.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RenderedFile } from '../../../src/bridge/types.js';
import { casePairs } from '../../fixtures/bridge/cases.js';
import { inPrivateNamespaces, q, render, requireTool, tempDir } from './helpers/tools.js';

const tmp = tempDir('networkd');
afterAll(() => tmp.cleanup());

function stage(name: string, files: RenderedFile[]): string {
  const dir = path.join(tmp.dir, name);
  mkdirSync(dir, { recursive: true });
  for (const f of files) writeFileSync(path.join(dir, path.basename(f.path)), f.content, { mode: f.mode });
  return dir;
}

/** Script prologue: private /run, the staged files at /etc/systemd/network, networkd's state dir. */
function prologue(dir: string, sysfs: 'rw' | 'ro'): string {
  return `
    mount -t tmpfs none /run
    mount -t sysfs -o ${sysfs} none /sys
    mount --bind ${q(dir)} /etc/systemd/network
    mkdir -p /run/systemd/netif && chown systemd-network:systemd-network /run/systemd/netif
  `;
}

const start = (networkd: string) =>
  `: > /run/networkd.log; SYSTEMD_LOG_LEVEL=debug SYSTEMD_LOG_TARGET=console ${networkd} >> /run/networkd.log 2>&1 &`;
/** Lines where networkd complains about one of our files ("FILE:LINE: …", "… ignoring", "Failed …"). */
const complaints = (log: string) =>
  log
    .split('\n')
    .filter((l) => l.includes('/etc/systemd/network/') && /\.(netdev|network):\d+:|ignor|fail|invalid|unknown|error|warn/i.test(l));

/** Parse mode: returns networkd's log after it finished enumerating. */
function parse(name: string, files: RenderedFile[]): { code: number | null; stderr: string; log: string } {
  const networkd = requireTool('/lib/systemd/systemd-networkd', 'systemd');
  const script = `${prologue(stage(name, files), 'rw')}
    ${start(networkd)}
    for i in $(seq 100); do grep -q 'Enumeration completed' /run/networkd.log && break; sleep 0.1; done
    kill %1; wait || true
    grep -q 'Enumeration completed' /run/networkd.log || echo 'networkd did not finish enumerating' >&2
    cat /run/networkd.log
  `;
  const r = inPrivateNamespaces(script);
  return { code: r.code, stderr: r.stderr, log: r.stdout };
}

describe('systemd-networkd loads every networkd rendering without complaints (parse mode)', () => {
  const pairs = casePairs().filter((p) => p.stack === 'networkd');

  it.each(pairs.map((p) => [p.c.name, p.c.vars] as const))('%s', (name, vars) => {
    const r = parse(name, render('networkd', vars).files);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.log).toContain(`${String(vars.bridge)}: loaded "bridge"`);
    expect(complaints(r.log)).toEqual([]);
  });

  it('reports an unknown key and an unparsable value (the check can fail)', () => {
    const files = render('networkd', { bridge: 'br0', uplink: 'eno1', address: '192.0.2.10/24' }).files.map((f) => ({
      ...f,
      content: f.content.replace('STP=no', 'SPT=no').replace('Address=192.0.2.10/24', 'Address=192.0.2.300/24'),
    }));
    const r = parse('negative', files);
    const c = complaints(r.log).join('\n');
    expect(c).toMatch(/10-br0\.netdev:\d+: Unknown key .?SPT/);
    expect(c).toMatch(/30-br0\.network:\d+: .*192\.0\.2\.300/);
  });
});

interface LinkJson {
  ifname: string;
  mtu: number;
  address: string;
  master?: string;
  linkinfo?: { info_kind: string; info_data: { stp_state: number; forward_delay: number } };
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

/** Apply mode: networkd configures a veth named like the uplink; returns the kernel's view. */
function apply(name: string, vars: Record<string, unknown>, ready: string) {
  const networkd = requireTool('/lib/systemd/systemd-networkd', 'systemd');
  const bridge = q(String(vars.bridge));
  const uplink = q(String(vars.uplink));
  const dir = stage(name, render('networkd', vars).files);
  // Test-only drop-in, rendered files untouched: networkd would re-enable IPv6 on the bridge and
  // send router solicitations; this keeps every packet off the wire, even inside the namespace.
  const dropIn = path.join(dir, `30-${String(vars.bridge)}.network.d`);
  mkdirSync(dropIn);
  writeFileSync(path.join(dropIn, 'no-ipv6.conf'), '[Network]\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n');
  const script = `${prologue(dir, 'ro')}
    sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip link add ${uplink} type veth peer name fbpeer0
    ip link set fbpeer0 up
    ${start(networkd)}
    for i in $(seq 100); do (${ready}) >/dev/null 2>&1 && break; sleep 0.1; done
    (${ready}) >/dev/null 2>&1 || echo 'networkd did not configure the bridge within 10 s' >&2
    echo '@@link'; ip -j -d link show dev ${bridge}
    echo '@@port'; ip -j link show dev ${uplink}
    echo '@@addr'; ip -j addr show dev ${bridge}
    echo '@@route'; ip -j route show default
    kill %1; wait || true
    echo '@@log'; base64 -w0 /run/networkd.log
  `;
  const r = inPrivateNamespaces(script);
  const parts = new Map<string, unknown>();
  for (const chunk of r.stdout.split('@@').slice(1)) {
    const nl = chunk.indexOf('\n');
    const key = chunk.slice(0, nl);
    parts.set(key, key === 'log' ? Buffer.from(chunk.slice(nl + 1), 'base64').toString('utf8') : JSON.parse(chunk.slice(nl + 1)));
  }
  return { r, parts, log: String(parts.get('log') ?? '') };
}

describe('systemd-networkd brings the rendered bridge up for real (private namespaces)', () => {
  it('static address + gateway, MTU, bridge MAC, STP off / forward_delay 0', () => {
    const vars = {
      bridge: 'br0',
      uplink: 'eno1',
      bridge_mac: '02:00:00:00:0a:01',
      address: '198.18.10.2/24',
      gateway: '198.18.10.1',
      mtu: 1400,
    };
    const { r, parts, log } = apply(
      'apply-static',
      vars,
      `ip -o link show dev eno1 | grep -q 'master br0' && ip -o route show default | grep -q 198.18.10.1`,
    );
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(complaints(log)).toEqual([]);
    const [link] = parts.get('link') as LinkJson[];
    expect(link?.linkinfo?.info_kind).toBe('bridge');
    expect(link?.linkinfo?.info_data).toMatchObject({ stp_state: 0, forward_delay: 0 });
    expect([link?.mtu, link?.address]).toEqual([1400, '02:00:00:00:0a:01']);
    const [port] = parts.get('port') as LinkJson[];
    expect([port?.master, port?.mtu]).toEqual(['br0', 1400]);
    expect((parts.get('addr') as LinkJson[])[0]?.addr_info?.map((a) => `${a.family} ${a.local}/${a.prefixlen}`)).toEqual([
      'inet 198.18.10.2/24',
    ]);
    expect(parts.get('route')).toEqual([expect.objectContaining({ dst: 'default', gateway: '198.18.10.1', dev: 'br0' })]);
  });

  it('L2-only bridge with STP on and forward_delay 4 s', () => {
    const vars = { bridge: 'br1', uplink: 'eno2', stp: true, forward_delay: 4 };
    const { r, parts, log } = apply('apply-stp', vars, `ip -o link show dev eno2 | grep -q 'master br1'`);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(complaints(log)).toEqual([]);
    const [link] = parts.get('link') as LinkJson[];
    expect(link?.linkinfo?.info_data).toMatchObject({ stp_state: 1, forward_delay: 400 });
    expect((parts.get('port') as LinkJson[])[0]?.master).toBe('br1');
    expect((parts.get('addr') as LinkJson[])[0]?.addr_info ?? []).toEqual([]);
  });
});

describe('the runtime commands in the networkd reload list work on an existing bridge', () => {
  // networkd never changes an existing netdev, so reload carries `ip link set … type bridge …`;
  // their order matters because the kernel refuses forward_delay < 2 s while STP runs.
  const runtime = (vars: Record<string, unknown>) => render('networkd', vars).reload.filter((c) => c.startsWith('ip link set'));
  const state = (before: string, cmds: string[]) => {
    const r = inPrivateNamespaces(`${before}\n${cmds.join('\n')}\nip -j -d link show dev br0`);
    const [link] = JSON.parse(r.stdout || '[]') as LinkJson[];
    return { code: r.code, stderr: r.stderr, data: link?.linkinfo?.info_data, mtu: link?.mtu, address: link?.address };
  };

  it('turns STP off and forward_delay to 0 on a bridge that runs STP with 4 s', () => {
    const cmds = runtime({ bridge: 'br0', uplink: 'eno1', bridge_mac: '02:00:00:00:0b:01', mtu: 1400 });
    const s = state('ip link add name br0 type bridge stp_state 1 forward_delay 400', cmds);
    expect({ code: s.code, stderr: s.stderr }).toEqual({ code: 0, stderr: '' });
    expect(s.data).toMatchObject({ stp_state: 0, forward_delay: 0 });
    expect([s.mtu, s.address]).toEqual([1400, '02:00:00:00:0b:01']);
  });

  it('turns STP on with forward_delay 4 s on a bridge with STP off and 0', () => {
    const cmds = runtime({ bridge: 'br0', uplink: 'eno1', stp: true, forward_delay: 4 });
    const s = state('ip link add name br0 type bridge stp_state 0 forward_delay 0', cmds);
    expect({ code: s.code, stderr: s.stderr }).toEqual({ code: 0, stderr: '' });
    expect(s.data).toMatchObject({ stp_state: 1, forward_delay: 400 });
  });
});
