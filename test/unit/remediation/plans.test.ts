/** The pure planners of bridge remediation: apply batch, restore batch, kept stanzas, lockout warning. */
import { describe, expect, it } from 'vitest';
import { validateBridgeParams } from '../../../src/bridge/index.js';
import { planApply } from '../../../src/remediation/apply-plan.js';
import { keepUnmanagedStanzas, KEPT_MARKER } from '../../../src/remediation/interfaces-keep.js';
import { lockoutWarning } from '../../../src/remediation/lockout.js';
import { bridgesToRecreate, restoreBatch } from '../../../src/remediation/restore-plan.js';
import { parseRuntime, type RuntimeSnapshot } from '../../../src/remediation/runtime.js';
import { withMacInUse } from '../../../src/remediation/prepare.js';
import { detachedTaps } from '../../../src/remediation/verify.js';

const link = (ifname: string, extra: Record<string, unknown> = {}) => ({
  ifname,
  flags: ['UP'],
  mtu: 1500,
  address: '02:00:00:00:00:01',
  ...extra,
});
const bridge = (ifname: string, stp = 0, fd = 0, extra: Record<string, unknown> = {}) =>
  link(ifname, { linkinfo: { info_kind: 'bridge', info_data: { stp_state: stp, forward_delay: fd } }, ...extra });

function snap(links: object[], addrs: [string, string][], routes: object[]): RuntimeSnapshot {
  const byDev = new Map<string, object[]>();
  for (const [dev, cidr] of addrs) {
    const [local, p] = cidr.split('/');
    byDev.set(dev, [...(byDev.get(dev) ?? []), { family: 'inet', local, prefixlen: Number(p), scope: 'global' }]);
  }
  const addrDoc = [...byDev].map(([ifname, addr_info]) => ({ ifname, addr_info }));
  return parseRuntime(`${JSON.stringify(links)}\n${JSON.stringify(addrDoc)}\n${JSON.stringify(routes)}\n`);
}

const params = (extra: Record<string, unknown> = {}) =>
  validateBridgeParams({ bridge: 'br0', uplink: 'eth0', address: '198.18.0.2/22', gateway: '198.18.0.1', mtu: 1500, ...extra }, 'hv01');

const HEALTHY = snap(
  [
    link('lo'),
    link('eth0', { master: 'br0' }),
    bridge('br0'),
    link('tap-a', { master: 'br1' }),
    bridge('br1'),
    link('eth1', { master: 'br1' }),
  ],
  [['br0', '198.18.0.2/22']],
  [
    { dst: 'default', gateway: '198.18.0.1', dev: 'br0' },
    { dst: '198.18.0.0/22', dev: 'br0', protocol: 'kernel', scope: 'link', prefsrc: '198.18.0.2' },
  ],
);

describe('planApply', () => {
  it('is empty on a host already in the declared state (idempotence)', () => {
    expect(planApply(HEALTHY, params()).batch).toEqual([]);
  });

  it('turns STP off before setting forward delay 0 (the kernel refuses fd < 2 s with STP on)', () => {
    const s = snap(
      [link('eth0', { master: 'br0' }), bridge('br0', 1, 1500)],
      [['br0', '198.18.0.2/22']],
      [{ dst: 'default', gateway: '198.18.0.1', dev: 'br0' }],
    );
    expect(planApply(s, params()).batch).toEqual([
      'link set dev br0 type bridge stp_state 0',
      'link set dev br0 type bridge forward_delay 0',
    ]);
  });

  // Recorded from a kernel 6.18 bridge that lost the STP root election to a neighbour: the reported
  // forward_delay is the root's, and stays so after stp_state 0 until max_age runs out.
  const nonRoot = (stp: number, fd: number, priority = 32768) =>
    snap(
      [
        link('eth0', { master: 'br0' }),
        bridge('br0', stp, fd, {
          linkinfo: { info_kind: 'bridge', info_data: { stp_state: stp, forward_delay: fd, priority, root_port: 1 } },
        }),
      ],
      [['br0', '198.18.0.2/22']],
      [{ dst: 'default', gateway: '198.18.0.1', dev: 'br0' }],
    );

  it('re-elects a non-root bridge as its own root after STP off, so its own forward delay is in force at once', () => {
    const kick = ['link set dev br0 type bridge priority 0', 'link set dev br0 type bridge priority 32768'];
    expect(planApply(nonRoot(1, 1500), params()).batch).toEqual([
      'link set dev br0 type bridge stp_state 0',
      'link set dev br0 type bridge forward_delay 0',
      ...kick,
    ]);
    // STP already off but the old root's delay still showing: the same, not a silent no-op.
    expect(planApply(nonRoot(0, 1500, 4096), params()).batch).toEqual([
      'link set dev br0 type bridge stp_state 0',
      'link set dev br0 type bridge forward_delay 0',
      'link set dev br0 type bridge priority 0',
      'link set dev br0 type bridge priority 4096',
    ]);
  });

  it("does not chase the root's delay when STP stays on (a non-root bridge cannot show its own)", () => {
    expect(planApply(nonRoot(1, 1500), params({ stp: true, forward_delay: 4 })).batch).toEqual([]);
  });

  it('moves the address and default route from the uplink to the bridge in one batch, bridge first', () => {
    const s = snap([link('eth0'), bridge('br0')], [['eth0', '198.18.0.2/22']], [{ dst: 'default', gateway: '198.18.0.1', dev: 'eth0' }]);
    expect(planApply(s, params()).batch).toEqual([
      'link set dev eth0 master br0',
      'link set dev br0 mtu 1500',
      'address add 198.18.0.2/22 dev br0',
      'address del 198.18.0.2/22 dev eth0',
      'route del default via 198.18.0.1 dev eth0',
      'route replace default via 198.18.0.1 dev br0',
    ]);
  });

  it('creates a missing bridge with the uplink MAC, and never touches guest taps', () => {
    const s = snap(
      [link('eth0', { address: '02:18:00:00:01:00' }), link('tap-x', { master: 'br1' }), bridge('br1')],
      [['eth0', '198.18.0.2/22']],
      [],
    );
    const b = planApply(s, params()).batch;
    expect(b[0]).toBe('link add name br0 address 02:18:00:00:01:00 type bridge forward_delay 0 stp_state 0');
    expect(b.join('\n')).not.toMatch(/tap-x/);
    expect(b).toContain('route replace default via 198.18.0.1 dev br0');
  });

  it('releases a port that is not the declared uplink (so a wrong uplink really moves the bridge)', () => {
    const b = planApply(HEALTHY, params({ uplink: 'eth1' })).batch;
    expect(b).toEqual([
      'link set dev eth0 nomaster',
      'link set dev eth1 nomaster',
      'link set dev eth1 master br0',
      'link set dev br0 mtu 1500',
    ]);
  });

  // Verification demands bridge.mtu, which fails a guest tap below the expected MTU: a plan that
  // left the tap alone was rolled back on every run.
  const lowTap = (tapMtu: number) =>
    snap(
      [
        link('eth0', { master: 'br0' }),
        bridge('br0', 0, 0, { mtu: Math.min(1500, tapMtu) }),
        link('vnet3', { master: 'br0', mtu: tapMtu }),
      ],
      [['br0', '198.18.0.2/22']],
      [{ dst: 'default', gateway: '198.18.0.1', dev: 'br0' }],
    );
  const raised = (s: RuntimeSnapshot, mtu: number) =>
    ({ ...s, links: s.links.map((l) => (l.master === 'br0' || l.name === 'br0' ? { ...l, mtu } : l)) }) as RuntimeSnapshot;

  it('raises a guest tap below the declared MTU, then the bridge; converged afterwards', () => {
    const plan = planApply(lowTap(1400), params());
    expect(plan.batch).toEqual(['link set dev vnet3 mtu 1500', 'link set dev br0 mtu 1500']);
    expect(plan.changes).toEqual(['br0: MTU 1400 → 1500', 'vnet3: MTU 1400 → 1500 (guest port of br0, before the bridge)']);
    expect(planApply(raised(lowTap(1400), 1500), params()).batch).toEqual([]);
  });

  it("without a declared MTU raises a low tap to the uplink's MTU, and leaves a higher tap alone", () => {
    const undeclared = params({ mtu: undefined });
    expect(undeclared.mtu).toBeNull();
    expect(planApply(lowTap(1400), undeclared).batch).toEqual(['link set dev vnet3 mtu 1500', 'link set dev br0 mtu 1500']);
    expect(planApply(raised(lowTap(1400), 1500), undeclared).batch).toEqual([]);
    expect(planApply(lowTap(9000), undeclared).batch).toEqual([]);
  });

  it('refuses before touching anything when the uplink does not exist or the bridge is not a bridge', () => {
    expect(() => planApply(HEALTHY, params({ uplink: 'eth9' }))).toThrow(/uplink eth9 does not exist/);
    const s = snap([link('eth0'), link('br0')], [], []);
    expect(() => planApply(s, params())).toThrow(/not a bridge/);
  });

  it('refuses host interface names that could be read as quoting by ip -batch', () => {
    const s = snap([link('eth0', { master: 'br0' }), bridge('br0'), link('e"vil', { master: 'br0' })], [['br0', '198.18.0.2/22']], []);
    expect(() => planApply(s, params())).toThrow(/cannot be used safely/);
  });
});

describe('restoreBatch', () => {
  it('puts masters, bridge settings, addresses and routes back; deletes a bridge the apply created', () => {
    const before = snap(
      [link('lo'), link('eth0'), bridge('br1', 1, 1500), link('tap-a', { master: 'br1' })],
      [['eth0', '198.18.0.2/22']],
      [
        { dst: 'default', gateway: '198.18.0.1', dev: 'eth0' },
        { dst: '198.18.0.0/22', dev: 'eth0', protocol: 'kernel', scope: 'link' },
      ],
    );
    const b = restoreBatch(before, { createdBridge: 'br0', touched: ['br0', 'eth0'] });
    expect(b[0]).toBe('link del dev br0');
    expect(b).toContain('link set dev eth0 nomaster');
    expect(b).toContain('link set dev tap-a master br1');
    expect(b.indexOf('link set dev br1 type bridge forward_delay 1500')).toBeLessThan(
      b.indexOf('link set dev br1 type bridge stp_state 1'),
    );
    expect(b).not.toContain('link set dev br1 type bridge priority 32768');
    const withPrio = restoreBatch(
      snap(
        [bridge('br1', 0, 0, { linkinfo: { info_kind: 'bridge', info_data: { stp_state: 0, forward_delay: 0, priority: 4096 } } })],
        [],
        [],
      ),
      { touched: [] },
    );
    expect(withPrio).toContain('link set dev br1 type bridge priority 4096');
    expect(b).toContain('address flush dev eth0 scope global');
    expect(b).toContain('address add 198.18.0.2/22 dev eth0');
    expect(b.at(-1)).toBe('route replace default via 198.18.0.1 dev eth0');
    expect(b.join('\n')).not.toMatch(/dev lo\b|proto kernel/);
    expect(bridgesToRecreate(before)).toEqual(['br1']);
  });
});

describe('withMacInUse', () => {
  it('pins the bridge MAC in use, or the uplink MAC when the uplink is still to join; a declared MAC wins', () => {
    const withBridge = snap(
      [link('eth0', { address: '02:00:00:00:00:0a', master: 'br0' }), bridge('br0', 0, 0, { address: '02:00:00:00:00:0B' })],
      [],
      [],
    );
    expect(withMacInUse(params(), withBridge).bridge_mac).toBe('02:00:00:00:00:0b');
    // The uplink is not a port yet (or the bridge is to be created): the bridge will carry its MAC.
    const notJoined = snap([link('eth0', { address: '02:00:00:00:00:0a' }), bridge('br0', 0, 0, { address: '02:00:00:00:00:0b' })], [], []);
    expect(withMacInUse(params(), notJoined).bridge_mac).toBe('02:00:00:00:00:0a');
    expect(withMacInUse(params(), snap([link('eth0', { address: '02:00:00:00:00:0a' })], [], [])).bridge_mac).toBe('02:00:00:00:00:0a');
    expect(withMacInUse(params({ bridge_mac: '02:00:00:00:00:0c' }), withBridge).bridge_mac).toBe('02:00:00:00:00:0c');
    expect(withMacInUse(params({ uplink_mac: '02:00:00:00:00:0d' }), withBridge).bridge_mac).toBe('02:00:00:00:00:0d');
    // Pinning the MAC in use plans no runtime change.
    expect(planApply(HEALTHY, withMacInUse(params(), HEALTHY)).batch).toEqual([]);
  });
});

describe('keepUnmanagedStanzas', () => {
  const previous = [
    '# old header',
    'auto lo',
    'iface lo inet loopback',
    '',
    'iface eth0 inet manual',
    '',
    'auto br0 br1',
    'iface br0 inet static',
    '    address 198.18.0.2/22',
    '',
    'iface eth1 inet manual',
    '',
    '# VM bridge',
    'iface br1 inet manual',
    '    bridge_ports eth1',
    '',
  ].join('\n');
  const rendered = 'auto lo\niface lo inet loopback\n\nauto br0\niface br0 inet static\n    address 198.18.0.2/22\n';

  it('keeps the stanzas of other interfaces verbatim after the rendered text', () => {
    const out = keepUnmanagedStanzas(rendered, previous, ['br0', 'eth0']);
    expect(out.startsWith(rendered)).toBe(true);
    expect(out.slice(rendered.length)).toBe(
      `\n${KEPT_MARKER}\nauto br1\n\niface eth1 inet manual\n\n# VM bridge\niface br1 inet manual\n    bridge_ports eth1\n`,
    );
  });

  it('is stable: applying it to its own output changes nothing', () => {
    const once = keepUnmanagedStanzas(rendered, previous, ['br0', 'eth0']);
    expect(keepUnmanagedStanzas(rendered, once, ['br0', 'eth0'])).toBe(once);
  });

  it('returns the rendered text alone when nothing else is defined', () => {
    expect(keepUnmanagedStanzas(rendered, 'auto lo\niface lo inet loopback\n', ['br0', 'eth0'])).toBe(rendered);
  });
});

describe('lockoutWarning and tap attachment', () => {
  it('warns when the batch touches the link carrying the connection address, and says which safety applies', () => {
    const s = snap([link('eth0'), bridge('br0')], [['eth0', '198.18.0.2/22']], []);
    const w = lockoutWarning(s, params(), planApply(s, params()).batch, '198.18.0.2', 'dead-man switch');
    expect(w).toMatch(/moves 198\.18\.0\.2 .* from eth0 to br0/);
    expect(w).toMatch(/safety: dead-man switch/);
  });

  it('does not warn when nothing on that link changes', () => {
    expect(lockoutWarning(HEALTHY, params(), [], '198.18.0.2', 'x')).toBeUndefined();
  });

  it('detachedTaps names guest ports that moved or vanished', () => {
    const after = snap([link('eth0', { master: 'br0' }), bridge('br0'), link('tap-a', { master: 'br0' }), bridge('br1')], [], []);
    expect(detachedTaps(HEALTHY, after)).toEqual(['tap-a moved from br1 to br0']);
    expect(detachedTaps(HEALTHY, HEALTHY)).toEqual([]);
  });
});
